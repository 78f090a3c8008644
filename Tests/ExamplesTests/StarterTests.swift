import Foundation
import HTMLTesting
import TandemTesting
import Testing

@Suite("starter example (process)")
struct StarterTests {
    @Test("three servers on free ports: pages render from the API over HTTP, validation collects every problem, SIGTERM stops all")
    func runsAsAProcess() async throws {
        let app = try ServerProcess(
            "starter",
            ["--api-port", "0", "--web-port", "0", "--gateway-port", "0"],
            announcing: "api",
            "web",
            "gateway"
        )
        let gateway = try #require(app.ports["gateway"])
        let list = try await SearchAppFlow.send(gateway, "/notes/")
        #expect(list.status == 200)
        #expect(try HTMLTree(parsing: list.body).all("li").map(\.text) == ["Welcome"])

        let invalid = try await SearchAppFlow.send(
            gateway,
            "/api/notes/",
            method: "POST",
            headers: ["Content-Type: application/json"],
            body: #"{"title":"","body":7,"tags":["a","b","c","d","e","f"]}"#
        )
        #expect(invalid.status == 422)
        let problems = try JSONSerialization.jsonObject(with: Data(invalid.body)) as? [String: Any]
        let details = ((problems?["error"] as? [String: Any])?["details"] as? [[String: Any]]) ?? []
        #expect(Set(details.compactMap { ($0["loc"] as? [String])?.first }) == ["title", "body", "tags"])

        let created = try await SearchAppFlow.send(
            gateway,
            "/api/notes/",
            method: "POST",
            headers: ["Content-Type: application/json"],
            body: #"{"title":"Second <b>","tags":["work"]}"#
        )
        #expect(created.status == 201 && created.header("location") == "/api/notes/2/")
        let tagged = try await SearchAppFlow.send(gateway, "/notes/?tag=work")
        #expect(try HTMLTree(parsing: tagged.body).all("li").map(\.text) == ["Second <b>"])
        #expect(try await SearchAppFlow.send(gateway, "/notes/2/").status == 200)
        #expect(try await SearchAppFlow.send(gateway, "/notes/99/").status == 404)
        // A blank form field is no filter; a tag longer than the contract allows is the API's 422, shown as a page.
        #expect(try HTMLTree(parsing: try await SearchAppFlow.send(gateway, "/notes/?tag=").body).all("li").count == 2)
        #expect(try await SearchAppFlow.send(gateway, "/notes/?tag=" + String(repeating: "x", count: 21)).status == 422)
        for name in ["api", "web", "gateway"] {
            #expect(try await SearchAppFlow.send(try #require(app.ports[name]), "/healthz").text == "ok\n")
        }
        #expect(try await app.terminate() == 0)
    }
}
