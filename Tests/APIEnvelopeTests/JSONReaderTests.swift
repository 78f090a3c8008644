import APIEnvelope
import Foundation
import NIOCore
import TandemTesting
import Testing

/// Any JSON value, decodable by any decoder through the public Decodable API only: the probe that compares
/// `JSONReader` with `JSONDecoder` on arbitrary documents.
indirect enum AnyJSON: Decodable, Equatable {
    case null, bool(Bool), int(Int), double(Double), string(String), array([AnyJSON]), object([String: AnyJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([AnyJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: AnyJSON].self))
        }
    }
}

struct ReaderHit: Codable, Equatable {
    var id: Int
    var title: String
    var url: URL
    var summary: String?
    var score: Double
    var tags: [String]
}

struct ReaderPage: Codable, Equatable {
    enum Kind: String, Codable { case search, browse }
    var query: String
    var total: Int
    var kind: Kind
    var results: [ReaderHit]
    var facets: [String: Int]
    var next: Int?
    var created: Date
    var token: Data
    var flags: [Bool?]
    var small: Int8
    var big: UInt64
}

@Suite("JSONReader")
struct JSONReaderTests {
    static func both<T: Decodable & Equatable>(
        _ type: T.Type,
        _ text: String
    ) -> (reader: Result<T, any Error>, foundation: Result<T, any Error>) {
        let reader = Result { try JSONReader.decode(type, from: ByteBuffer(string: text)) }
        let foundation = Result { try JSONDecoder().decode(type, from: Data(text.utf8)) }
        return (reader, foundation)
    }

    static func sample() -> ReaderPage {
        ReaderPage(
            query: "caf\u{E9} \"quoted\" \\ / \u{1F600}\n",
            total: 2,
            kind: .search,
            results: [
                ReaderHit(id: 1, title: "Swift", url: URL(string: "https://example.com/a?b=c")!, summary: nil, score: 0.25, tags: []),
                ReaderHit(id: -2, title: "", url: URL(string: "/relative")!, summary: "s", score: -1e-7, tags: ["a", "b\u{0}c"]),
            ],
            facets: ["x": 1, "y": -3],
            next: nil,
            created: Date(timeIntervalSinceReferenceDate: 12345),
            token: Data([0, 1, 2, 250]),
            flags: [true, nil, false],
            small: -128,
            big: .max
        )
    }

    @Test("what JSONWriter writes, JSONReader reads back, as JSONDecoder does")
    func roundTrip() throws {
        let page = Self.sample()
        let bytes = try JSONWriter.encode(page)
        #expect(try JSONReader.decode(ReaderPage.self, from: bytes) == page)
        let foundation = JSONDecoder()
        foundation.dateDecodingStrategy = .iso8601
        #expect(try foundation.decode(ReaderPage.self, from: Data(bytes.readableBytesView)) == page)
    }

    @Test("dates are RFC 3339 strings both ways, fractions of a second kept; a number still reads as JSONDecoder reads it")
    func dates() throws {
        struct Stamp: Codable, Equatable { var at: Date }
        let whole = Stamp(at: Date(timeIntervalSince1970: 1_796_000_000))
        let fraction = Stamp(at: Date(timeIntervalSince1970: 1_796_000_000.25))
        #expect(String(buffer: try JSONWriter.encode(whole)) == #"{"at":"2026-11-30T00:53:20Z"}"#)
        #expect(String(buffer: try JSONWriter.encode(fraction)) == #"{"at":"2026-11-30T00:53:20.250Z"}"#)
        #expect(try JSONReader.decode(Stamp.self, from: JSONWriter.encode(whole)) == whole)
        #expect(try JSONReader.decode(Stamp.self, from: JSONWriter.encode(fraction)) == fraction)
        #expect(
            try JSONReader.decode(Stamp.self, from: ByteBuffer(string: #"{"at":12345}"#)).at == Date(timeIntervalSinceReferenceDate: 12345)
        )
        #expect(throws: DecodingError.self) { try JSONReader.decode(Stamp.self, from: ByteBuffer(string: #"{"at":"yesterday"}"#)) }
    }

    @Test(
        "accepts and rejects what JSONDecoder does, with the same values",
        arguments: [
            "0", "-0", "1.5", "-1.25e-3", "1E2", "1e400", "-1e400", "9223372036854775807", "9223372036854775808",
            "-9223372036854775808", "1.0", "2e1", "01", "1.", ".5", "+1", "-", "NaN", "Infinity", "true", "false", "null",
            "tru", "nul", "\"a\"", "\"\\u00e9\\ud83d\\ude00\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\x\"", "\"\\u12\"",
            "\"tab\there\"", "\"line\nbreak\"", "[]", "[1,]", "[,1]", "[1 2]", "{}", "{\"a\":1,}", "{\"a\" 1}", "{a:1}",
            "{\"a\":1,\"a\":2}", "[1,[2,[3,{\"k\":[null]}]]]", " \t\r\n[ 1 , 2 ] \n", "[1] x", "", " ", "[", "{\"a\":",
            "\"\u{7F}\"", "\"caf\u{E9}\"", "{\"\":0}", "[1e5,-0.0,3.14159265358979]", "18446744073709551616",
            "10.1e0", "477777777777777770.1e0", "2.5e1", "2.55e1", "12345678901234567.5", "9007199254740993.5", "100e-2",
            "150e-2", "-2.5e1", "1e18", "1e19", "-0.0e5", "0e+1",
        ]
    )
    func agreesWithJSONDecoder(text: String) {
        let (reader, foundation) = Self.both(AnyJSON.self, text)
        switch (reader, foundation) {
        case (.success(let mine), .success(let theirs)):
            #expect(mine == theirs, "\(text.debugDescription)")
        case (.failure, .failure):
            break
        case (.success(let mine), .failure(let error)):
            Issue.record("\(text.debugDescription): JSONReader accepted \(mine), JSONDecoder refused: \(error)")
        case (.failure(let error), .success(let theirs)):
            Issue.record("\(text.debugDescription): JSONReader refused (\(error)), JSONDecoder accepted \(theirs)")
        }
    }

    @Test(
        "invalid UTF-8 is refused",
        arguments: [[0x22, 0xC3, 0x28, 0x22], [0x22, 0xFF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22]] as [[UInt8]]
    )
    func invalidUTF8(bytes: [UInt8]) {
        #expect(throws: DecodingError.self) { try JSONReader.decode(String.self, from: ByteBuffer(bytes: bytes)) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(String.self, from: Data(bytes)) }
    }

    @Test("a depth bomb is refused without recursing into it")
    func depthBomb() {
        let bomb = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: DecodingError.self) { try JSONReader.decode(AnyJSON.self, from: ByteBuffer(string: bomb)) }
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try JSONReader.decode(AnyJSON.self, from: ByteBuffer(string: deep)) }
    }

    @Test("type errors are the DecodingError cases JSONDecoder throws")
    func errors() {
        func kind(_ error: (any Error)?) -> String {
            switch error as? DecodingError {
            case .typeMismatch: "typeMismatch"
            case .valueNotFound: "valueNotFound"
            case .keyNotFound: "keyNotFound"
            case .dataCorrupted: "dataCorrupted"
            default: "other"
            }
        }
        for text in [#"{"id":"1"}"#, #"{"id":null}"#, #"{}"#, #"{"id":1.5}"#, #"{"id":99999999999999999999}"#, "[]"] {
            let (reader, foundation) = Self.both(ReaderHit.self, text)
            var mine: (any Error)?
            var theirs: (any Error)?
            if case .failure(let error) = reader { mine = error }
            if case .failure(let error) = foundation { theirs = error }
            #expect(kind(mine) == kind(theirs), "\(text): \(String(describing: mine)) vs \(String(describing: theirs))")
        }
    }

    @Test("errors deep inside a document carry the coding path JSONDecoder reports")
    func codingPaths() {
        func path(_ error: (any Error)?) -> [String] {
            switch error as? DecodingError {
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
                .dataCorrupted(let context):
                context.codingPath.map(\.stringValue)
            default: ["(not a DecodingError)"]
            }
        }
        let hit = #"{"id":1,"title":"t","url":"/u","score":1,"tags":["a"]}"#
        let documents = [
            #"{"query":"q","total":1,"kind":"search","results":[HIT,{"id":"2"}]}"#,
            #"{"query":"q","total":1,"kind":"search","results":[HIT,{"id":2,"title":"t","url":"/u","score":1,"tags":["a",7]}]}"#,
            #"{"query":"q","total":1,"kind":"search","results":[HIT,{"id":2}]}"#,
            #"{"query":"q","total":1,"kind":"nope","results":[]}"#,
            #"{"query":"q","total":null,"kind":"search","results":[]}"#,
            #"{"query":"q","total":1,"kind":"search","results":[HIT,{"id":2,"title":"t","url":"/u","score":1,"tags":[]},null]}"#,
        ]
        for document in documents {
            let text = document.replacingOccurrences(of: "HIT", with: hit)
            let (reader, foundation) = Self.both(ReaderPage.self, text)
            var mine: (any Error)?
            var theirs: (any Error)?
            if case .failure(let error) = reader { mine = error }
            if case .failure(let error) = foundation { theirs = error }
            #expect(theirs != nil, "\(text) should not decode")
            #expect(path(mine) == path(theirs), "\(text)")
        }
    }

    /// Generated documents, valid and broken, seeded: the two decoders agree on every one.
    @Test("agrees with JSONDecoder on generated documents (seeded)", arguments: [1 as UInt64, 2, 3])
    func generated(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let pieces = [
            "{", "}", "[", "]", ",", ":", "\"k\"", "\"a\\\"b\"", "\"\\u00e9\"", "\"\\ud83d\\ude00\"", "1", "-0", "2.5e3", "1e999",
            "123456789012345678901", "true", "false", "null", " ", "\"x\"", "0.1", "-7", "\"\u{E9}\"", "\"\\n\"", "01", ".",
        ]
        var disagreements = 0
        for _ in 0..<3_000 where disagreements < 5 {
            let text = random.string(from: pieces, count: 1...12)
            let (reader, foundation) = Self.both(AnyJSON.self, text)
            let agree: Bool =
                switch (reader, foundation) {
                case (.success(let mine), .success(let theirs)): mine == theirs
                case (.failure, .failure): true
                default: false
                }
            if !agree {
                disagreements += 1
                Issue.record("seed \(seed): \(text.debugDescription): JSONReader \(reader), JSONDecoder \(foundation)")
            }
        }
    }

    /// Found by the `json` fuzz target: Foundation's `JSONDecoder` took `0\0\0\0\0\01` for `0` (it stops at a NUL).
    @Test("bytes after the value are refused even behind a NUL")
    func nulIsNotTheEnd() {
        for bytes: [UInt8] in [[0x30, 0, 0, 0, 0, 0, 0x31], [0x30, 0], [0x5B, 0x5D, 0]] {
            #expect(throws: DecodingError.self) { try JSONReader.decode(AnyJSON.self, from: ByteBuffer(bytes: bytes)) }
        }
    }

    /// Found by the `json` fuzz target: JSONDecoder refuses `0e5` though RFC 8259 allows it (and takes `0e+1`).
    @Test("a zero with an exponent is a number (RFC 8259), where JSONDecoder refuses it")
    func zeroExponent() throws {
        #expect(try JSONReader.decode(Double.self, from: ByteBuffer(string: "0e5")) == 0)
        #expect(try JSONReader.decode(Double.self, from: ByteBuffer(string: "0E5")) == 0)
        #expect(try JSONSerialization.jsonObject(with: Data("0e5".utf8), options: .fragmentsAllowed) as? Double == 0)
    }
}
