import HTMLTesting
import HTTPCore
import HTTPTypes
import Logging
import SSRRendering
import Testing

@Suite("Document and head")
struct DocumentTests {
    @Test("Every head entry is where a crawler looks for it, escaped")
    func head() async throws {
        let title = "Results for \"swift\" & <nio>"
        let head = Head(
            title: title,
            description: "12 results for <swift>",
            canonicalURL: "https://example.com/search/?query=swift&page=1",
            robots: "noindex, follow",
            openGraph: OpenGraph(
                title: title,
                description: "OG",
                url: "https://example.com/x",
                image: "https://example.com/i.png",
                siteName: "Ex"
            ),
            twitter: TwitterCard(card: "summary_large_image", site: "@tandem", title: "TW"),
            meta: [(name: "author", content: "Ada")],
            stylesheets: ["/static/site.css"],
            scripts: [Script("/static/app.js"), Script("/static/mod.js", loading: .module)]
        )
        let text = try await html(Document(lang: "de", head: head, bodyAttributes: [.class("search")]) { main { h1 { title } } })
        #expect(text.hasPrefix("<!DOCTYPE html>\n<html lang=\"de\"><head><meta charset=\"utf-8\">"))
        let tree = try HTMLTree(parsing: text)
        #expect(tree.root.name == "html" && tree.root["lang"] == "de")
        let headNode = try #require(tree.first("head"))
        #expect(headNode.first("title")?.text == title)
        let metas = headNode.all("meta")
        func meta(_ key: String, _ value: String) -> String? {
            metas.first { $0[key] == value }?["content"]
        }
        #expect(meta("name", "description") == "12 results for <swift>")
        #expect(meta("name", "robots") == "noindex, follow")
        #expect(meta("name", "viewport") == "width=device-width, initial-scale=1")
        #expect(meta("name", "author") == "Ada")
        #expect(meta("property", "og:title") == title)
        #expect(meta("property", "og:type") == "website")
        #expect(meta("property", "og:image") == "https://example.com/i.png")
        #expect(meta("property", "og:site_name") == "Ex")
        #expect(meta("name", "twitter:card") == "summary_large_image")
        #expect(meta("name", "twitter:site") == "@tandem")
        let links = headNode.all("link")
        #expect(links.first { $0["rel"] == "canonical" }?["href"] == "https://example.com/search/?query=swift&page=1")
        #expect(links.first { $0["rel"] == "stylesheet" }?["href"] == "/static/site.css")
        let scripts = headNode.all("script")
        #expect(scripts.map { $0["src"] } == ["/static/app.js", "/static/mod.js"])
        #expect(scripts[0]["defer"] != nil && scripts[1]["type"] == "module")
        #expect(tree.first("body")?["class"] == "search")
        #expect(tree.first("h1")?.text == title)
    }

    @Test("A layout wraps pages in a shared frame and adds site-wide head entries")
    func layout() async throws {
        struct Site: Layout {
            func document(head: Head, content: some HTML, context: PageContext) -> Document {
                var head = head
                head.title += " · Site"
                head.stylesheets.insert("/site.css", at: 0)
                return Document(head: head) {
                    header { nav { a(.href("/")) { "Home" } } }
                    main { content }
                    footer { "©" }
                }
            }
        }
        let context = PageContext(
            request: .init(head: .init(method: .get, scheme: nil, authority: "t", path: "/")),
            requestContext: .init(logger: .init(label: "t")),
            api: nil
        )
        let document = Site()(Head(title: "About"), context: context) { p(.id("c")) { "content" } }
        let tree = try HTMLTree(parsing: try await html(document))
        #expect(tree.first("title")?.text == "About · Site")
        #expect(tree.first("link")?["href"] == "/site.css")
        #expect(tree.first("main")?.first(where: "id", is: "c")?.text == "content")
        #expect(tree.first("header")?.first("a")?.text == "Home")
    }
}
