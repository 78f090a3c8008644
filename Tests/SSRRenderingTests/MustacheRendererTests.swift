import HTMLTesting
import HTTPCore
import Mustache
import SSRMustache
import SSRRendering
import TandemTesting
import Testing

struct Greeting: Sendable {
    var name: String
    var items: [String]
}

@Suite("Mustache templates behind the PageRenderer seam")
struct MustacheRendererTests {
    func library() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        try library.register(
            "<!DOCTYPE html><html><head><title>{{name}}</title></head><body><p id=\"t\">{{name}}</p><input value=\"{{name}}\"><ul>{{#items}}<li>{{.}}</li>{{/items}}</ul></body></html>",
            named: "greeting"
        )
        return library
    }

    @Test("A template page renders, escapes values and keeps the page machinery (status, ETag, error pages)", arguments: payloads.prefix(6))
    func templatePage(_ payload: String) async throws {
        let renderer = MustacheRenderer<Greeting>(library: try self.library(), template: "greeting")
        let page = TemplatePage("/hello/:name/", renderer: renderer) { context in
            context.parameters["name"] == "missing" ? .notFound : .props(Greeting(name: payload, items: ["a", "<b>"]))
        }
        let broken = TemplatePage("/broken/", renderer: MustacheRenderer<Greeting>(library: try self.library(), template: "nope")) { _ in
            .props(Greeting(name: "x", items: []))
        }
        var site = PageRouter.Builder(api: nil)
        site.add(page)
        site.add(broken)
        try await withTestServer(try site.build()) { port in
            let response = try await get(port, "/hello/ada/")
            #expect(response.status == 200 && response.header("etag") != nil)
            let tree = try HTMLTree(parsing: response.body)
            #expect(tree.first(where: "id", is: "t")?.text == payload)
            #expect(tree.first("input")?["value"] == payload)
            #expect(tree.all("li").map(\.text) == ["a", "<b>"])
            #expect(tree.all("script").isEmpty && tree.all("img").isEmpty)
            #expect(try await get(port, "/hello/missing/").status == 404)
            let failed = try await get(port, "/broken/")
            #expect(failed.status == 500 && !failed.text.contains("nope"))
        }
    }
}
