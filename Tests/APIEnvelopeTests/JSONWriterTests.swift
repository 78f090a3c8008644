import APIEnvelope
import Foundation
import NIOCore
import Testing

struct Empty: Codable, Equatable {}

struct Inner: Codable, Equatable {
    var id: Int
    var title: String
    var tags: [String]
    var score: Double?
}

struct Outer: Codable, Equatable {
    var name: String
    var count: Int64
    var flag: Bool
    var ratio: Double
    var small: Int8
    var big: UInt64
    var inner: Inner
    var list: [Inner]
    var matrix: [[Int]]
    var optionalMissing: String?
    var optionalPresent: String?
    var empty: Empty
    var url: URL
    var data: Data
    var date: Date
    var kind: Kind
    var emptyList: [Int]

    enum Kind: String, Codable { case alpha, beta }
}

/// Encodes with hand-written nested containers and a super encoder, interleaving writes between containers.
struct Manual: Encodable {
    enum Keys: String, CodingKey { case a, nested, list, after, `super` }
    enum NestedKeys: String, CodingKey { case x, y }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(1, forKey: .a)
        var nested = container.nestedContainer(keyedBy: NestedKeys.self, forKey: .nested)
        try nested.encode("x", forKey: .x)
        try nested.encodeNil(forKey: .y)
        var list = container.nestedUnkeyedContainer(forKey: .list)
        try list.encode(1)
        var inner = list.nestedContainer(keyedBy: NestedKeys.self)
        try inner.encode(true, forKey: .x)
        try list.encode("after-inner")
        try container.encode([Empty()], forKey: .after)
        try Inner(id: 9, title: "s", tags: [], score: nil).encode(to: container.superEncoder())
    }
}

func jsonEncoderOutput(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// JSON text re-serialised with sorted keys: `JSONEncoder` on Linux writes object keys in hash order,
/// which differs from run to run, so objects are compared as JSON values.
func canonical(_ text: String) throws -> String {
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
}

func writerOutput(_ value: some Encodable) throws -> String {
    String(buffer: try JSONWriter.encode(value))
}

@Suite("JSONWriter")
struct JSONWriterTests {
    @Test(
        "strings are escaped exactly as JSONEncoder does",
        arguments: [
            "", "plain", "quote \" backslash \\ slash /", "line\nreturn\rtab\t", "bell \u{07} nul \u{0} esc \u{1B} us \u{1F}",
            "backspace \u{08} formfeed \u{0C}", "unicode é ü 漢字 🙂 \u{2028}\u{2029}", "<script>alert('x')</script>", "del \u{7F}",
        ]
    )
    func strings(value: String) throws {
        #expect(try writerOutput([value]) == jsonEncoderOutput([value]))
    }

    @Test(
        "numbers are written as JSONEncoder writes them",
        arguments: [
            0.0, 1.0, -1.0, 0.1, 1.5, -2.25, 1e20, 1.5e-7, 123_456_789.123, 3.141592653589793, 1e300, -0.0, 0.000001, 1e16,
            12345678901234567890.0,
        ]
    )
    func doubles(value: Double) throws {
        #expect(try writerOutput([value]) == jsonEncoderOutput([value]))
    }

    @Test("integers at their extremes")
    func integers() throws {
        #expect(try writerOutput([Int.min, -1, 0, 9, 10, Int.max]) == jsonEncoderOutput([Int.min, -1, 0, 9, 10, Int.max]))
        #expect(try writerOutput([UInt64.max]) == jsonEncoderOutput([UInt64.max]))
        #expect(try writerOutput([Int8.min]) == jsonEncoderOutput([Int8.min]))
    }

    @Test("a structure with every kind of member: the same JSON as JSONEncoder, keys in declaration order")
    func structure() throws {
        let inner = Inner(id: 1, title: "Swift \"NIO\"", tags: ["a", "b/c"], score: 0.5)
        let value = Outer(
            name: "outer",
            count: -42,
            flag: true,
            ratio: 2.5,
            small: -8,
            big: 18_000_000_000_000_000_000,
            inner: inner,
            list: [inner, Inner(id: 2, title: "", tags: [], score: nil)],
            matrix: [[1, 2], [], [3]],
            optionalMissing: nil,
            optionalPresent: "here",
            empty: Empty(),
            url: URL(string: "https://example.com/a?b=c")!,
            data: Data([0, 1, 2, 250]),
            date: Date(timeIntervalSinceReferenceDate: 123),
            kind: .beta,
            emptyList: []
        )
        #expect(try canonical(writerOutput(value)) == canonical(jsonEncoderOutput(value)))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(Outer.self, from: Data(try writerOutput(value).utf8)) == value)
        // Deterministic: declaration order, every time (ETags of rendered JSON depend on it).
        #expect(
            try writerOutput(value)
                == #"{"name":"outer","count":-42,"flag":true,"ratio":2.5,"small":-8,"big":18000000000000000000,"inner":{"id":1,"title":"Swift \"NIO\"","tags":["a","b/c"],"score":0.5},"list":[{"id":1,"title":"Swift \"NIO\"","tags":["a","b/c"],"score":0.5},{"id":2,"title":"","tags":[]}],"matrix":[[1,2],[],[3]],"optionalPresent":"here","empty":{},"url":"https://example.com/a?b=c","data":"AAEC+g==","date":"2001-01-01T00:02:03Z","kind":"beta","emptyList":[]}"#
        )
    }

    @Test("hand-written encoders with nested and super containers match JSONEncoder")
    func manualContainers() throws {
        #expect(try canonical(writerOutput(Manual())) == canonical(jsonEncoderOutput(Manual())))
        #expect(try canonical(writerOutput([Manual(), Manual()])) == canonical(jsonEncoderOutput([Manual(), Manual()])))
        #expect(
            try writerOutput(Manual())
                == #"{"a":1,"nested":{"x":"x","y":null},"list":[1,{"x":true},"after-inner"],"after":[{}],"super":{"id":9,"title":"s","tags":[]}}"#
        )
    }

    @Test("top-level values of every kind")
    func topLevel() throws {
        #expect(try writerOutput("text") == jsonEncoderOutput("text"))
        #expect(try writerOutput(7) == jsonEncoderOutput(7))
        #expect(try writerOutput(Empty()) == jsonEncoderOutput(Empty()))
        #expect(try writerOutput([String: Int]()) == jsonEncoderOutput([String: Int]()))
        #expect(try writerOutput(["only": 1]) == jsonEncoderOutput(["only": 1]))
        #expect(try writerOutput([Int?.none, 1]) == jsonEncoderOutput([Int?.none, 1]))
    }

    @Test("non-finite numbers are an error, not invalid JSON")
    func nonFinite() {
        #expect(throws: EncodingError.self) { try JSONWriter.encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try JSONWriter.encode(["x": Double.infinity]) }
    }

    @Test("appends to a buffer that already holds bytes")
    func appends() throws {
        var buffer = ByteBuffer(string: "prefix:")
        try JSONWriter.write([1, 2], into: &buffer)
        #expect(String(buffer: buffer) == "prefix:[1,2]")
    }
}
