import Foundation
public import NIOCore
import Validation

/// Decodes `Decodable` values straight from JSON bytes in a `ByteBuffer`: no `Data` copy, no Foundation
/// `JSONDecoder` on the hot path. The counterpart of ``JSONWriter``.
///
/// One pass over the bytes builds a flat tape of tokens (one allocation for the whole document); the decoding
/// containers walk the tape. It accepts and rejects what `JSONDecoder` (default strategies) does — RFC 8259
/// syntax plus a trailing comma, valid UTF-8 and surrogate pairs, no control characters in strings, numbers that
/// fit their type, the first of repeated keys — and throws the same `DecodingError` cases; tests and a fuzz target
/// compare the two. It is stricter where `JSONDecoder` is lax: bytes after the value are refused even behind a NUL
/// byte (where `JSONDecoder` stops reading), and malformed values are refused even where nothing decodes them
/// (`JSONDecoder` does not look at the second of two repeated keys).
///
/// ```swift
/// let results = try JSONReader.decode(SearchResults.self, from: body)
/// ```
public enum JSONReader {
    /// The deepest nesting of arrays and objects accepted (a depth bomb is refused, not recursed into).
    public static let defaultMaxDepth = 512

    /// `T` from the JSON in `buffer`'s readable bytes.
    /// - Throws: `DecodingError.dataCorrupted` for malformed JSON; the other `DecodingError`s for JSON that is
    ///   not a `T`.
    public static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer, maxDepth: Int = Self.defaultMaxDepth) throws -> T {
        try buffer.withUnsafeReadableBytes { bytes in
            try Self.decode(type, fromBytes: bytes, maxDepth: maxDepth)
        }
    }

    /// `T` from the JSON in `bytes` (which must stay valid for the call).
    public static func decode<T: Decodable>(
        _ type: T.Type,
        fromBytes bytes: UnsafeRawBufferPointer,
        maxDepth: Int = Self.defaultMaxDepth
    ) throws -> T {
        let tape = try JSONTape(bytes: bytes, maxDepth: maxDepth)
        return try withExtendedLifetime(tape) { try TapeDecoder(tape: tape, index: 0).decodeValue(type) }
    }
}

// MARK: - The tape

/// The document as tokens in order: containers know where they end, scalars where their bytes are.
/// (`package` for the micro benchmark's hand-written reader, the yardstick for readers generated per type.)
package final class JSONTape {
    package enum Kind: UInt8 {
        case object, array, string, escapedString, number, `true`, `false`, null
    }

    package struct Token {
        package var kind: Kind
        /// Strings: their content (quotes excluded); numbers: their text; containers: their element count.
        package var start: Int32
        package var end: Int32
        /// The index of the token after this one and everything inside it.
        package var next: Int32
    }

    package let bytes: UnsafeRawBufferPointer
    /// The tokens, read through a pointer: an array reached through this class cost a retain and a release per
    /// access (a third of decoding time in a profile).
    package let tokens: UnsafeMutableBufferPointer<Token>

    package init(bytes: UnsafeRawBufferPointer, maxDepth: Int) throws {
        self.bytes = bytes
        guard bytes.count < Int(Int32.max) else { throw Self.corrupted("The JSON document is too large") }
        var parsed = TokenBuffer(capacity: max(8, bytes.count / 6))
        var parser = Parser(bytes: bytes, maxDepth: maxDepth)
        do {
            parser.skipWhitespace()
            try parser.value(into: &parsed, depth: 0)
            parser.skipWhitespace()
            guard parser.index == bytes.count else {
                throw Self.corrupted("Unexpected bytes after the JSON value at offset \(parser.index)")
            }
        } catch {
            parsed.base.deallocate()
            throw error
        }
        // The parser's buffer becomes the tape as it is: no copy.
        self.tokens = UnsafeMutableBufferPointer(start: parsed.base, count: parsed.count)
    }

    deinit {
        self.tokens.deallocate()  // Token is a trivial type: nothing to deinitialise
    }

    static func corrupted(_ message: String, codingPath: [any CodingKey] = []) -> DecodingError {
        .dataCorrupted(DecodingError.Context(codingPath: codingPath, debugDescription: message))
    }

    /// The bytes of a string or number token.
    func slice(_ token: Token) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self.bytes[Int(token.start)..<Int(token.end)])
    }

    /// A string token's value.
    package func string(_ token: Token) -> String {
        let raw = self.slice(token)
        guard token.kind == .escapedString else { return String(decoding: raw, as: UTF8.self) }
        return Self.unescape(raw)
    }

    /// The coding path of the value at `target`, rebuilt by descending from the root: decoders carry no path
    /// (building one per value cost an array and an existential each), so it is only made when asked for,
    /// for an error message mostly.
    func codingPath(to target: Int) -> [any CodingKey] {
        var path: [any CodingKey] = []
        var container = 0
        descending: while container != target {
            let token = self.tokens[container]
            guard token.kind == .object || token.kind == .array else { break }
            var child = container + 1
            var number = 0
            while child < Int(token.next) {
                let value = token.kind == .object ? child + 1 : child
                let after = Int(self.tokens[value].next)
                if target >= value && target < after {
                    path.append(token.kind == .object ? JSONKey(self.string(self.tokens[child])) : JSONKey(index: number))
                    container = value
                    continue descending
                }
                child = after
                number += 1
            }
            break
        }
        return path
    }

    /// The content of a string whose escapes were validated by the parser.
    static func unescape(_ raw: UnsafeRawBufferPointer) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            let escape = raw[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = Self.hex4(raw, at: index)
                index += 4
                if (0xD800...0xDBFF).contains(scalar), index + 6 <= raw.count, raw[index] == UInt8(ascii: "\\"),
                    raw[index + 1] == UInt8(ascii: "u")
                {
                    let low = Self.hex4(raw, at: index + 2)
                    if (0xDC00...0xDFFF).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                // The parser let only valid pairs through.
                let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                output.append(contentsOf: String(character).utf8)
            default: output.append(escape)  // \" \\ \/
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func hex4(_ raw: UnsafeRawBufferPointer, at index: Int) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = raw[index + offset]
            let digit: UInt8 =
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
                default: byte - UInt8(ascii: "A") + 10
                }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}

/// The tokens as the parser appends them: a growable buffer of a trivial type, without `Array`'s uniqueness and
/// capacity checks per append (a tenth of parsing time); the tape takes it over when parsing succeeds.
struct TokenBuffer {
    private(set) var base: UnsafeMutablePointer<JSONTape.Token>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.base = .allocate(capacity: capacity)
        self.capacity = capacity
    }

    mutating func append(_ token: JSONTape.Token) {
        if self.count == self.capacity {
            let grown = UnsafeMutablePointer<JSONTape.Token>.allocate(capacity: self.capacity * 2)
            grown.moveInitialize(from: self.base, count: self.count)
            self.base.deallocate()
            self.base = grown
            self.capacity *= 2
        }
        (self.base + self.count).initialize(to: token)
        self.count += 1
    }

    subscript(index: Int) -> JSONTape.Token {
        get { self.base[index] }
        nonmutating set { self.base[index] = newValue }
    }
}

/// The one-pass parser that fills the tape.
private struct Parser {
    let bytes: UnsafeRawBufferPointer
    let maxDepth: Int
    var index = 0

    init(bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func skipWhitespace() {
        while self.index < self.bytes.count {
            switch self.bytes[self.index] {
            case 0x20, 0x09, 0x0A, 0x0D: self.index += 1
            default: return
            }
        }
    }

    func fail(_ message: String) -> DecodingError {
        JSONTape.corrupted("\(message) at offset \(self.index)")
    }

    mutating func value(into tokens: inout TokenBuffer, depth: Int) throws {
        guard self.index < self.bytes.count else { throw self.fail("Unexpected end of JSON") }
        switch self.bytes[self.index] {
        case UInt8(ascii: "{"): try self.container(object: true, into: &tokens, depth: depth)
        case UInt8(ascii: "["): try self.container(object: false, into: &tokens, depth: depth)
        case UInt8(ascii: "\""): try self.string(into: &tokens)
        case UInt8(ascii: "t"): try self.literal("true", .true, into: &tokens)
        case UInt8(ascii: "f"): try self.literal("false", .false, into: &tokens)
        case UInt8(ascii: "n"): try self.literal("null", .null, into: &tokens)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try self.number(into: &tokens)
        default: throw self.fail("Unexpected character")
        }
    }

    mutating func literal(_ text: StaticString, _ kind: JSONTape.Kind, into tokens: inout TokenBuffer) throws {
        let count = text.utf8CodeUnitCount
        guard self.index + count <= self.bytes.count,
            memcmp(self.bytes.baseAddress! + self.index, text.utf8Start, count) == 0
        else { throw self.fail("Invalid literal") }
        let start = Int32(self.index)
        self.index += count
        tokens.append(JSONTape.Token(kind: kind, start: start, end: Int32(self.index), next: Int32(tokens.count + 1)))
    }

    mutating func container(object: Bool, into tokens: inout TokenBuffer, depth: Int) throws {
        guard depth < self.maxDepth else { throw self.fail("Too many nested arrays or objects") }
        let at = tokens.count
        tokens.append(JSONTape.Token(kind: object ? .object : .array, start: 0, end: 0, next: 0))
        self.index += 1
        self.skipWhitespace()
        let close = object ? UInt8(ascii: "}") : UInt8(ascii: "]")
        var count: Int32 = 0
        if self.index < self.bytes.count, self.bytes[self.index] == close {
            self.index += 1
        } else {
            while true {
                if object {
                    guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "\"") else {
                        throw self.fail("Expected a key")
                    }
                    try self.string(into: &tokens)
                    self.skipWhitespace()
                    guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: ":") else {
                        throw self.fail("Expected ':'")
                    }
                    self.index += 1
                    self.skipWhitespace()
                }
                try self.value(into: &tokens, depth: depth + 1)
                count += 1
                self.skipWhitespace()
                guard self.index < self.bytes.count else { throw self.fail("Unexpected end of JSON") }
                let byte = self.bytes[self.index]
                self.index += 1
                if byte == close { break }
                guard byte == UInt8(ascii: ",") else { throw self.fail("Expected ',' or a closing bracket") }
                self.skipWhitespace()
                // A comma before the closing bracket is tolerated, as JSONDecoder tolerates it.
                if self.index < self.bytes.count, self.bytes[self.index] == close {
                    self.index += 1
                    break
                }
            }
        }
        tokens[at].end = count
        tokens[at].next = Int32(tokens.count)
    }

    mutating func string(into tokens: inout TokenBuffer) throws {
        self.index += 1  // the opening quote
        let start = self.index
        var escaped = false
        var ascii = true
        while true {
            // Eight bytes at a time past the plain ones (no quote, backslash or control character).
            while self.index &+ 8 <= self.bytes.count {
                let word = JSONBytes.word(self.bytes.baseAddress!, at: self.index)
                if word & JSONBytes.high != 0 { ascii = false }
                if JSONBytes.needsAttention(word) { break }
                self.index &+= 8
            }
            guard self.index < self.bytes.count else { throw self.fail("Unterminated string") }
            let byte = self.bytes[self.index]
            if byte == UInt8(ascii: "\"") { break }
            if byte < 0x20 { throw self.fail("Control character in a string") }
            if byte >= 0x80 { ascii = false }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                guard self.index + 1 < self.bytes.count else { throw self.fail("Unterminated string") }
                switch self.bytes[self.index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    self.index += 2
                case UInt8(ascii: "u"):
                    guard self.index + 6 <= self.bytes.count,
                        self.bytes[(self.index + 2)..<(self.index + 6)].allSatisfy(\.isHexDigitASCII)
                    else { throw self.fail("Invalid \\u escape") }
                    let unit = JSONTape.hex4(self.bytes, at: self.index + 2)
                    self.index += 6
                    if (0xDC00...0xDFFF).contains(unit) { throw self.fail("Unpaired low surrogate") }
                    if (0xD800...0xDBFF).contains(unit) {
                        // Must be followed by its low surrogate (JSONDecoder refuses a lone one too).
                        guard self.index + 6 <= self.bytes.count, self.bytes[self.index] == UInt8(ascii: "\\"),
                            self.bytes[self.index + 1] == UInt8(ascii: "u"),
                            self.bytes[(self.index + 2)..<(self.index + 6)].allSatisfy(\.isHexDigitASCII),
                            (0xDC00...0xDFFF).contains(JSONTape.hex4(self.bytes, at: self.index + 2))
                        else { throw self.fail("Unpaired high surrogate") }
                        self.index += 6
                    }
                default:
                    throw self.fail("Invalid escape")
                }
                continue
            }
            self.index += 1
        }
        let end = self.index
        self.index += 1  // the closing quote
        if !ascii {
            let content = UnsafeRawBufferPointer(rebasing: self.bytes[start..<end])
            guard Self.isValidUTF8(content) else { throw JSONTape.corrupted("Invalid UTF-8 in a string at offset \(start)") }
        }
        tokens.append(
            JSONTape.Token(kind: escaped ? .escapedString : .string, start: Int32(start), end: Int32(end), next: Int32(tokens.count + 1))
        )
    }

    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    mutating func number(into tokens: inout TokenBuffer) throws {
        let start = self.index
        if self.bytes[self.index] == UInt8(ascii: "-") { self.index += 1 }
        guard self.index < self.bytes.count, self.bytes[self.index].isDigitASCII else { throw self.fail("Invalid number") }
        if self.bytes[self.index] == UInt8(ascii: "0") {
            self.index += 1
            if self.index < self.bytes.count, self.bytes[self.index].isDigitASCII { throw self.fail("Leading zero in a number") }
        } else {
            self.skipDigits()
        }
        if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: ".") {
            self.index += 1
            guard self.index < self.bytes.count, self.bytes[self.index].isDigitASCII else { throw self.fail("Invalid number") }
            self.skipDigits()
        }
        if self.index < self.bytes.count, self.bytes[self.index] | 0x20 == UInt8(ascii: "e") {
            self.index += 1
            if self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "+") || self.bytes[self.index] == UInt8(ascii: "-") {
                self.index += 1
            }
            guard self.index < self.bytes.count, self.bytes[self.index].isDigitASCII else { throw self.fail("Invalid number") }
            self.skipDigits()
        }
        tokens.append(JSONTape.Token(kind: .number, start: Int32(start), end: Int32(self.index), next: Int32(tokens.count + 1)))
    }

    mutating func skipDigits() {
        while self.index < self.bytes.count, self.bytes[self.index].isDigitASCII { self.index += 1 }
    }
}

extension UInt8 {
    fileprivate var isDigitASCII: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    fileprivate var isHexDigitASCII: Bool { self.isDigitASCII || (self | 0x20 >= UInt8(ascii: "a") && self | 0x20 <= UInt8(ascii: "f")) }
}

// MARK: - Decoding

/// A key of a rebuilt coding path: an object member's name or an array element's position (as JSONDecoder's
/// own keys spell them).
struct JSONKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(_ name: String) {
        self.stringValue = name
        self.intValue = nil
    }

    init(index: Int) {
        self.stringValue = "Index \(index)"
        self.intValue = index
    }

    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { self.init(index: intValue) }
}

/// A `Decoder` positioned at one token of the tape.
///
/// Two words, so that it fits an existential's inline buffer (`any Decoder` costs no allocation) and copies
/// cost no reference counting: retains and releases of the tape were a third of decoding time in a profile.
struct TapeDecoder: Decoder {
    /// Unowned and unchecked: whoever makes the root decoder keeps the tape alive for the whole decode
    /// (`withExtendedLifetime`), and the tape's bytes are only valid for that call anyway, so a decoder kept
    /// past `init(from:)` is invalid with or without a reference.
    unowned(unsafe) let tape: JSONTape
    let index: Int
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(tape: JSONTape, index: Int) {
        self.tape = tape
        self.index = index
    }

    var codingPath: [any CodingKey] { self.tape.codingPath(to: self.index) }

    var token: JSONTape.Token { self.tape.tokens[self.index] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard self.token.kind == .object else { throw self.mismatch([String: Any].self) }
        return KeyedDecodingContainer(JSONKeyedContainer<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard self.token.kind == .array else { throw self.mismatch([Any].self) }
        return TapeUnkeyedContainer(decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func mismatch(_ type: Any.Type) -> DecodingError {
        let found: String =
            switch self.token.kind {
            case .object: "a dictionary"
            case .array: "an array"
            case .string, .escapedString: "a string"
            case .number: "a number"
            case .true, .false: "a bool"
            case .null: "null"
            }
        if self.token.kind == .null {
            return .valueNotFound(
                type,
                DecodingError.Context(codingPath: self.codingPath, debugDescription: "Expected \(type) value but found null instead.")
            )
        }
        return .typeMismatch(
            type,
            DecodingError.Context(codingPath: self.codingPath, debugDescription: "Expected to decode \(type) but found \(found) instead.")
        )
    }

    /// `T`, with the types `JSONDecoder` decodes specially (URL, Data, Decimal) decoded as it does, and `Date` as an
    /// RFC 3339 string (what ``JSONWriter`` writes; a number is read as `JSONDecoder`'s default reads it).
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        // Metatype identity first (cheaper than a dynamic cast per value).
        if T.self == String.self { return try self.decode(String.self) as! T }
        if T.self == Int.self { return try self.decode(Int.self) as! T }
        if T.self == Double.self { return try self.decode(Double.self) as! T }
        if T.self == Bool.self { return try self.decode(Bool.self) as! T }
        switch type {
        case is URL.Type:
            let text = try self.decode(String.self)
            guard let url = URL(string: text) else { throw JSONTape.corrupted("Invalid URL string.", codingPath: self.codingPath) }
            return url as! T
        case is Date.Type:
            if let seconds = try? self.decode(Double.self) { return Date(timeIntervalSinceReferenceDate: seconds) as! T }
            let text = try self.decode(String.self)
            guard let date = RFC3339.date(from: text) else {
                throw JSONTape.corrupted("Expected an RFC 3339 date-time.", codingPath: self.codingPath)
            }
            return date as! T
        case is Data.Type:
            let text = try self.decode(String.self)
            guard let data = Data(base64Encoded: text) else {
                throw JSONTape.corrupted("Encountered Data is not valid Base64.", codingPath: self.codingPath)
            }
            return data as! T
        case is Decimal.Type:
            guard self.token.kind == .number else { throw self.mismatch(Decimal.self) }
            let text = String(decoding: self.tape.slice(self.token), as: UTF8.self)
            guard let decimal = Decimal(string: text) else { throw self.mismatch(Decimal.self) }
            return decimal as! T
        default:
            return try T(from: self)
        }
    }

    /// The decoder of a value inside this container.
    func child(_ index: Int) -> TapeDecoder {
        TapeDecoder(tape: self.tape, index: index)
    }
}

extension TapeDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool { self.token.kind == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        switch self.token.kind {
        case .true: return true
        case .false: return false
        default: throw self.mismatch(Bool.self)
        }
    }

    func decode(_ type: String.Type) throws -> String {
        guard self.token.kind == .string || self.token.kind == .escapedString else { throw self.mismatch(String.self) }
        return self.tape.string(self.token)
    }

    func decode(_ type: Double.Type) throws -> Double { try self.floatingPoint(Double.self) }
    func decode(_ type: Float.Type) throws -> Float { try self.floatingPoint(Float.self) }
    func decode(_ type: Int.Type) throws -> Int { try self.integer(Int.self) }
    func decode(_ type: Int8.Type) throws -> Int8 { try self.integer(Int8.self) }
    func decode(_ type: Int16.Type) throws -> Int16 { try self.integer(Int16.self) }
    func decode(_ type: Int32.Type) throws -> Int32 { try self.integer(Int32.self) }
    func decode(_ type: Int64.Type) throws -> Int64 { try self.integer(Int64.self) }
    func decode(_ type: UInt.Type) throws -> UInt { try self.integer(UInt.self) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try self.integer(UInt8.self) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try self.integer(UInt16.self) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try self.integer(UInt32.self) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try self.integer(UInt64.self) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try self.decodeValue(type) }

    private func floatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(_ type: T.Type) throws -> T {
        guard self.token.kind == .number else { throw self.mismatch(T.self) }
        let text = String(decoding: self.tape.slice(self.token), as: UTF8.self)
        guard let value = T(text), value.isFinite else {
            throw JSONTape.corrupted("Parsed JSON number <\(text)> does not fit in \(T.self).", codingPath: self.codingPath)
        }
        return value
    }

    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard self.token.kind == .number else { throw self.mismatch(T.self) }
        let raw = self.tape.slice(self.token)
        // Plain digits (the usual case): no String, no Double.
        var negative = false
        var index = 0
        if raw[0] == UInt8(ascii: "-") {
            negative = true
            index = 1
        }
        var value: T = 0
        var plain = true
        while index < raw.count {
            let byte = raw[index]
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else {
                plain = false
                break
            }
            let digit = T(byte - UInt8(ascii: "0"))
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !overflow1 && !overflow2 else { throw self.doesNotFit(raw, T.self) }
            value = next
            index += 1
        }
        if plain { return value }
        // A fraction or an exponent, as JSONDecoder takes it: the number's `Double` must be whole, and the result is
        // the decimal text truncated toward zero (`477777777777777770.1` is 477777777777777770, `2.5e1` is 25).
        let text = String(decoding: raw, as: UTF8.self)
        guard let double = Double(text), double.isFinite, double == double.rounded(.towardZero),
            let truncated = Self.truncatedDecimal(raw, as: T.self)
        else { throw self.doesNotFit(raw, T.self) }
        return truncated
    }

    /// The integer part of a JSON number's exact decimal value, or `nil` when it does not fit `T`.
    private static func truncatedDecimal<T: FixedWidthInteger>(_ raw: UnsafeRawBufferPointer, as type: T.Type) -> T? {
        var digits: [UInt8] = []
        var fractionDigits = 0
        var exponent = 0
        var negative = false
        var index = 0
        if raw[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var inFraction = false
        while index < raw.count {
            let byte = raw[index]
            if byte == UInt8(ascii: ".") {
                inFraction = true
            } else if byte | 0x20 == UInt8(ascii: "e") {
                guard let value = Int(String(decoding: UnsafeRawBufferPointer(rebasing: raw[(index + 1)...]), as: UTF8.self)) else {
                    return nil
                }
                exponent = value
                break
            } else {
                digits.append(byte - UInt8(ascii: "0"))
                if inFraction { fractionDigits += 1 }
            }
            index += 1
        }
        let shift = exponent - fractionDigits
        if shift < 0 { digits.removeLast(min(-shift, digits.count)) }
        var value: T = 0
        for digit in digits {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative ? times.subtractingReportingOverflow(T(digit)) : times.addingReportingOverflow(T(digit))
            guard !overflow1 && !overflow2 else { return nil }
            value = next
        }
        if shift > 0 {
            for _ in 0..<shift {
                let (times, overflow) = value.multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                value = times
            }
        }
        return value
    }

    private func doesNotFit(_ raw: UnsafeRawBufferPointer, _ type: Any.Type) -> DecodingError {
        JSONTape.corrupted("Number \(String(decoding: raw, as: UTF8.self)) is not representable in Swift.", codingPath: self.codingPath)
    }
}

/// An object's members: keys are found by a scan of the object's tokens (objects are small; no table to build).
struct JSONKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: TapeDecoder

    init(decoder: TapeDecoder) {
        self.decoder = decoder
    }

    var codingPath: [any CodingKey] { self.decoder.codingPath }

    var allKeys: [Key] {
        var keys: [Key] = []
        self.forEachMember { keyToken, _ in
            if let key = Key(stringValue: self.decoder.tape.string(keyToken)) { keys.append(key) }
            return false
        }
        return keys
    }

    /// Calls `body` with each member's key token and value index until it returns `true`.
    private func forEachMember(_ body: (JSONTape.Token, Int) -> Bool) {
        let tokens = UnsafeBufferPointer(self.decoder.tape.tokens)
        var index = self.decoder.index + 1
        let end = Int(tokens[self.decoder.index].next)
        while index < end {
            if body(tokens[index], index + 1) { return }
            index = Int(tokens[index + 1].next)
        }
    }

    /// The value token of `key`; the first one when a key is repeated (as in JSONDecoder).
    private func valueIndex(_ key: Key) -> Int? {
        var name = key.stringValue
        return name.withUTF8 { name in
            // A plain loop over raw pointers: a closure per member (and `String` copies into it) cost a retain
            // and a release per comparison in a profile.
            let tokens = self.decoder.tape.tokens
            let bytes = self.decoder.tape.bytes.baseAddress
            var member = self.decoder.index + 1
            let end = Int(tokens[self.decoder.index].next)
            while member < end {
                let token = tokens[member]
                let count = Int(token.end - token.start)
                if token.kind == .string {
                    if count == name.count && (count == 0 || memcmp(bytes! + Int(token.start), name.baseAddress!, count) == 0) {
                        return member + 1
                    }
                } else if self.decoder.tape.string(token).utf8.elementsEqual(name) {
                    return member + 1
                }
                member = Int(tokens[member + 1].next)
            }
            return nil
        }
    }

    private func value(_ key: Key) throws -> TapeDecoder {
        guard let index = self.valueIndex(key) else {
            throw DecodingError.keyNotFound(
                key,
                DecodingError.Context(codingPath: self.codingPath, debugDescription: "No value associated with key \(key.stringValue).")
            )
        }
        return self.decoder.child(index)
    }

    func contains(_ key: Key) -> Bool { self.valueIndex(key) != nil }
    func decodeNil(forKey key: Key) throws -> Bool { try self.value(key).decodeNil() }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try self.value(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try self.value(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try self.value(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try self.value(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try self.value(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try self.value(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try self.value(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try self.value(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try self.value(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try self.value(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try self.value(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try self.value(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try self.value(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try self.value(key).decode(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try self.value(key).decodeValue(type) }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try self.present(type, key) }
    // The protocol's own defaults for these look the key up three times (contains, decodeNil, decode).
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try self.present(type, key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try self.present(type, key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try self.present(type, key) }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try self.present(type, key) }

    /// `key`'s value, or `nil` when it is missing or null: one lookup.
    private func present<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
        guard let index = self.valueIndex(key) else { return nil }
        let value = self.decoder.child(index)
        return value.decodeNil() ? nil : try value.decodeValue(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try self.value(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try self.value(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { try self.value(Key(stringValue: "super")!) }
    func superDecoder(forKey key: Key) throws -> any Decoder { try self.value(key) }
}

/// An array's elements, in order.
///
/// Three words (the tape, the array's and the next element's token as two 32-bit indices, the element
/// number), so that `any UnkeyedDecodingContainer` fits an existential's inline buffer.
struct TapeUnkeyedContainer: UnkeyedDecodingContainer {
    unowned(unsafe) let tape: JSONTape  // as in TapeDecoder
    private let array: Int32
    private var position: Int32
    private(set) var currentIndex = 0

    init(decoder: TapeDecoder) {
        self.tape = decoder.tape
        self.array = Int32(decoder.index)
        self.position = Int32(decoder.index + 1)
    }

    private var decoder: TapeDecoder { TapeDecoder(tape: self.tape, index: Int(self.array)) }
    var codingPath: [any CodingKey] { self.decoder.codingPath }
    var count: Int? { Int(self.tape.tokens[Int(self.array)].end) }
    var isAtEnd: Bool { self.currentIndex >= self.count! }

    private mutating func next() throws -> TapeDecoder {
        guard !self.isAtEnd else {
            throw DecodingError.valueNotFound(
                Any.self,
                DecodingError.Context(
                    codingPath: self.codingPath + [JSONKey(index: self.currentIndex)],
                    debugDescription: "Unkeyed container is at end."
                )
            )
        }
        let element = TapeDecoder(tape: self.tape, index: Int(self.position))
        self.position = self.tape.tokens[Int(self.position)].next
        self.currentIndex += 1
        return element
    }

    mutating func decodeNil() throws -> Bool {
        guard !self.isAtEnd, self.tape.tokens[Int(self.position)].kind == .null else { return false }
        _ = try self.next()
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let element = try self.peek()
        let value = try element.decodeValue(type)
        _ = try self.next()
        return value
    }

    /// The next element without moving past it: a failed decode leaves the container where it was.
    private func peek() throws -> TapeDecoder {
        var copy = self
        return try copy.next()
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let container = try self.peek().container(keyedBy: type)
        _ = try self.next()
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try self.peek().unkeyedContainer()
        _ = try self.next()
        return container
    }

    mutating func superDecoder() throws -> any Decoder { try self.next() }
}
