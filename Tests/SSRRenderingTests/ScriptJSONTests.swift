import Foundation
import HTMLTesting
import NIOCore
import SSRRendering
import Testing

struct Props: Codable, Equatable {
    var query: String
    var titles: [String]
    var note: String?
}

@Suite("Hydration data and JSON-LD in script elements")
struct ScriptJSONTests {
    @Test(
        "Props round-trip through the parsed page; no value can close the script",
        arguments: payloads + ["</script><script>alert(1)</script>", "<!--<script>", "\u{2028}\u{2029}"]
    )
    func roundTrip(_ payload: String) async throws {
        let props = Props(query: payload, titles: [payload, "plain"], note: nil)
        let document = Document(head: Head(title: "t"), hydration: try ScriptJSON(id: "__PROPS__", props)) { p { "body" } }
        let text = try await html(document)
        let tree = try HTMLTree(parsing: text)
        #expect(tree.all("script").count == 1)
        let script = try #require(tree.first(where: "id", is: "__PROPS__"))
        #expect(script["type"] == "application/json")
        let json = script.text
        for forbidden in ["<", ">", "&", "\u{2028}", "\u{2029}"] { #expect(!json.contains(forbidden)) }
        #expect(try JSONDecoder().decode(Props.self, from: Data(json.utf8)) == props)
    }

    @Test("JSON-LD goes in the head as application/ld+json")
    func jsonLD() async throws {
        struct Organization: Encodable {
            let context = "https://schema.org"
            let type = "Organization"
            let name: String
            enum CodingKeys: String, CodingKey {
                case context = "@context", type = "@type", name
            }
        }
        var head = Head(title: "About")
        head.jsonLD = [try ScriptJSON(type: "application/ld+json", Organization(name: "Tandem </script>"))]
        let tree = try HTMLTree(parsing: try await html(Document(head: head) { p { "x" } }))
        let script = try #require(tree.first("head")?.first("script"))
        #expect(script["type"] == "application/ld+json")
        let object = try JSONSerialization.jsonObject(with: Data(script.text.utf8)) as? [String: String]
        #expect(object == ["@context": "https://schema.org", "@type": "Organization", "name": "Tandem </script>"])
    }
}
