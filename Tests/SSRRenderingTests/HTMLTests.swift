import HTMLTesting
import NIOCore
import SSRRendering
import Testing

/// Renders `content` to a string (deferred parts included).
func html(_ content: some HTML, chunkSize: Int = 16 * 1024) async throws -> String {
    String(buffer: try await RenderedHTML(content, chunkSize: chunkSize).collect())
}

/// Classic XSS payloads: each must come out of a parser as the same text, never as markup.
let payloads: [String] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "' onmouseover='alert(1)",
    "\" autofocus onfocus=\"alert(1)",
    "</title><script>alert(1)</script>",
    "</textarea><svg/onload=alert(1)>",
    "<!-- comment --><b>bold</b>",
    "<![CDATA[x]]>",
    "&lt;already escaped&gt; &amp; fine",
    "javascript:alert(1)",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "Ünïcødé \u{2028} and \u{1F600} stay",
    "a & b < c > d \" e ' f",
]

struct Card: Component {
    let title: String
    let tags: [String]
    let featured: Bool

    var body: some HTML {
        article(.class("card")) {
            h2 { title }
            if featured {
                strong(.class("featured")) { "Featured" }
            } else {
                small { "Regular" }
            }
            ul {
                for tag in tags { li(.data("tag", tag)) { tag } }
            }
        }
    }
}

@Suite("HTML builder and escaping")
struct HTMLTests {
    @Test("Elements, attributes, conditionals, loops and components build the expected tree")
    func structure() async throws {
        let page = div(.id("root")) {
            Card(title: "First", tags: ["swift", "nio"], featured: true)
            Card(title: "Second", tags: [], featured: false)
            p {
                "Count: "; 2
            }
            input(.type("checkbox"), .checked, .name("agree"))
            br()
            Element("details", [.class("more")]) { Element("summary") { "More" } }
        }
        let text = try await html(page)
        let tree = try HTMLTree(parsing: text)
        let root = try #require(tree.first(where: "id", is: "root"))
        let cards = root.all("article")
        #expect(cards.count == 2)
        #expect(cards.map { $0.first("h2")?.text } == ["First", "Second"])
        #expect(cards[0].first("strong")?.text == "Featured")
        #expect(cards[0].first("small") == nil)
        #expect(cards[1].first("small")?.text == "Regular")
        #expect(cards[0].all("li").map { $0["data-tag"] } == ["swift", "nio"])
        #expect(cards[1].all("li").isEmpty)
        #expect(root.first("p")?.text == "Count: 2")
        let checkbox = try #require(root.first("input"))
        #expect(checkbox["checked"] != nil && checkbox["name"] == "agree")
        #expect(root.first("details")?.first("summary")?.text == "More")
        // Void elements have no end tag.
        #expect(!text.contains("</input>") && !text.contains("</br>"))
    }

    @Test("Payloads in text stay text", arguments: payloads)
    func textIsEscaped(_ payload: String) async throws {
        let tree = try HTMLTree(parsing: try await html(Document(head: Head(title: payload)) { p(.id("t")) { payload } }))
        let paragraph = try #require(tree.first(where: "id", is: "t"))
        #expect(paragraph.text == payload)
        #expect(paragraph.children.allSatisfy { $0.name == "#text" })
        #expect(tree.first("title")?.text == payload)
        #expect(tree.all("script").isEmpty && tree.all("img").isEmpty && tree.all("svg").isEmpty && tree.all("iframe").isEmpty)
        #expect(tree.all("b").isEmpty)
    }

    @Test("Payloads in attribute values stay one attribute value", arguments: payloads)
    func attributesAreEscaped(_ payload: String) async throws {
        let tree = try HTMLTree(parsing: try await html(div { input(.id("t"), .value(payload), .title(payload)) }))
        let field = try #require(tree.first("input"))
        #expect(field.attributes.map(\.name) == ["id", "value", "title"])
        #expect(field["value"] == payload)
        #expect(field["title"] == payload)
        #expect(tree.all("img").isEmpty && tree.all("script").isEmpty)
    }

    @Test(
        "Script URLs in URL attributes are blocked; ordinary URLs pass",
        arguments: [
            ("javascript:alert(1)", false), ("  JavaScript:alert(1)", false), ("java\tscript:alert(1)", false),
            ("vbscript:msgbox(1)", false), ("data:text/html,<script>alert(1)</script>", false),
            ("https://example.com/?q=a&b=c", true), ("/search/?query=x", true), ("#top", true), ("mailto:ada@example.com", true),
            ("relative/path:with-colon", true),
        ]
    )
    func urlAttributes(_ url: String, _ allowed: Bool) async throws {
        let tree = try HTMLTree(parsing: try await html(div { a(.href(url)) { "link" } }))
        let href = try #require(tree.first("a")?["href"])
        #expect(href == (allowed ? url : "about:invalid#blocked"))
    }

    @Test("data:image URLs are allowed in src only, SVG never")
    func dataImages() async throws {
        let png = "data:image/png;base64,iVBORw0KGgo="
        let tree = try HTMLTree(
            parsing: try await html(
                div {
                    img(.src(png)); img(.src("data:image/svg+xml,<svg/>")); a(.href(png)) { "x" }
                }
            )
        )
        #expect(tree.all("img").map { $0["src"] } == [png, "about:invalid#blocked"])
        #expect(tree.first("a")?["href"] == "about:invalid#blocked")
    }

    @Test("RawHTML is written verbatim; attribute and tag names are cleaned")
    func rawAndNames() async throws {
        let text = try await html(
            div {
                RawHTML("<b>bold</b>"); Element("x-widget\" onclick=\"x", [Attribute("on click=\"y", "1")])
            }
        )
        let tree = try HTMLTree(parsing: text)
        #expect(tree.first("b")?.text == "bold")
        #expect(text.contains("<x-widgetonclickx onclicky=\"1\"></x-widgetonclickx>"))
    }

    @Test("Output is split into chunks of the configured size, in order")
    func chunking() async throws {
        let items = (0..<2000).map { "item \($0)" }
        let content = ul { for item in items { li { item } } }
        let rendered = RenderedHTML(content, chunkSize: 1024)
        let chunks = try #require(rendered.staticChunks)
        #expect(chunks.count > 10)
        #expect(chunks.dropLast().allSatisfy { $0.readableBytes >= 1024 && $0.readableBytes < 1024 + 64 })
        let joined = chunks.map { String(buffer: $0) }.joined()
        #expect(joined == (try await html(content)))
        #expect(try HTMLTree(parsing: joined).all("li").count == 2000)
    }

    @Test("A copied writer is a value: writes to the copy and to the original stay apart")
    func writerIsAValue() {
        var original = HTMLWriter(chunkSize: 256)
        original.writeRaw("<p>")
        var copy = original
        copy.writeEscaped("copy & more")
        original.writeEscaped("original")
        for _ in 0..<100 { copy.writeRaw("grows past a chunk ") }
        let first = original.finish().staticChunks?.map { String(buffer: $0) }.joined()
        let second = copy.finish().staticChunks?.map { String(buffer: $0) }.joined()
        #expect(first == "<p>original")
        #expect(second == "<p>copy &amp; more" + String(repeating: "grows past a chunk ", count: 100))
    }
}
