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

@Suite("QueryParameters from Encodable values")
struct QueryEncodingTests {
    enum Sort: String, Encodable { case newest, oldest }
    struct Flat: Encodable {
        var query: String
        var page: Int?
        var exact: Bool
        var score: Double
        var sort: Sort
        var tags: [String]
        enum CodingKeys: String, CodingKey { case query = "q", page, exact, score, sort, tags = "tag" }
    }
    struct Nested: Encodable {
        struct Inner: Encodable { var a: Int }
        var inner: Inner
    }

    @Test("properties in declaration order, renamed by CodingKeys, nil left out, arrays repeated")
    func flat() throws {
        let pairs = try QueryParameters.pairs(
            of: Flat(query: "a b&c", page: nil, exact: true, score: 2.5, sort: .oldest, tags: ["x", "y"])
        )
        #expect(pairs.map { "\($0.0)=\($0.1)" } == ["q=a b&c", "exact=true", "score=2.5", "sort=oldest", "tag=x", "tag=y"])
        #expect(
            QueryParameters.queryString(pairs.map { ($0.0, Optional($0.1)) }) == "q=a%20b%26c&exact=true&score=2.5&sort=oldest&tag=x&tag=y"
        )
        // Round trip through the parser.
        let parsed = QueryParameters(parsing: QueryParameters.queryString(pairs.map { ($0.0, Optional($0.1)) }))
        #expect(parsed["q"] == "a b&c" && parsed.all("tag") == ["x", "y"])
    }

    @Test("nested objects, arrays of arrays and lone values are refused")
    func refused() {
        #expect(throws: EncodingError.self) { try QueryParameters.pairs(of: Nested(inner: .init(a: 1))) }
        #expect(throws: EncodingError.self) { try QueryParameters.pairs(of: ["a": [[1, 2], [3, 4]]]) }
        #expect(throws: EncodingError.self) { try QueryParameters.pairs(of: "lone") }
        #expect(throws: EncodingError.self) { try QueryParameters.pairs(of: ["x": Double.nan]) }
    }
}
