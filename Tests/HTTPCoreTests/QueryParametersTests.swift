import Testing

@testable import HTTPCore

@Suite("QueryParameters")
struct QueryParametersTests {
    @Test(
        "decodes pairs",
        arguments: [
            ("q=swift", [("q", "swift")]),
            ("q=swift+nio&x=1", [("q", "swift nio"), ("x", "1")]),
            ("a=%41%42&b=%zz&c=%4", [("a", "AB"), ("b", "%zz"), ("c", "%4")]),
            ("&&flag&=v&k=", [("flag", ""), ("", "v"), ("k", "")]),
            ("name=%C3%A9t%C3%A9", [("name", "été")]),
            ("bad=%FF", [("bad", "\u{FFFD}")]),
            ("eq=a=b", [("eq", "a=b")]),
        ] as [(String, [(String, String)])]
    )
    func decodes(query: String, expected: [(String, String)]) {
        let parsed = QueryParameters(parsing: query)
        #expect(parsed.pairs.map(\.name) == expected.map(\.0))
        #expect(parsed.pairs.map(\.value) == expected.map(\.1))
    }

    @Test("first value and all values")
    func lookups() {
        let query = QueryParameters(parsing: "tag=a&tag=b&one=1")
        #expect(query["tag"] == "a")
        #expect(query.all("tag") == ["a", "b"])
        #expect(query["missing"] == nil)
    }
}
