import Foundation
public import NIOCore
import Validation

/// Writes `Encodable` values as JSON straight into a `ByteBuffer`: no intermediate `String` or `Data`,
/// no Foundation `JSONEncoder` on the hot path.
///
/// Output is compact, keys are written in the order the value encodes them (deterministic, so ETags of
/// rendered JSON are stable), `/` is not escaped, non-ASCII is written as UTF-8. For the same value it
/// produces the same bytes as `JSONEncoder` with `.withoutEscapingSlashes` and `.iso8601` dates (tests check
/// this): a `Date` is an RFC 3339 string in UTC (`2026-11-29T10:00:00Z`, fractional seconds when it has them), the
/// shape `FieldType.dateTime` declares and clients in every language read.
///
/// ```swift
/// var buffer = ByteBuffer()
/// try JSONWriter.write(SearchResults(...), into: &buffer)
/// ```
public enum JSONWriter {
    /// Appends `value` as JSON to `buffer`.
    /// - Throws: `EncodingError.invalidValue` for non-finite floating-point numbers.
    public static func write(_ value: some Encodable, into buffer: inout ByteBuffer) throws {
        let state = WriterState(buffer: buffer)
        buffer = ByteBuffer()  // hand the storage to the writer without a copy-on-write copy
        defer { buffer = state.buffer }
        try state.writeValue(value, depth: 0, codingPath: [])
        state.close(downTo: 0)
    }

    /// `value` as JSON in a new buffer.
    public static func encode(_ value: some Encodable, capacity: Int = 512) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(capacity)
        try self.write(value, into: &buffer)
        return buffer
    }
}

/// The output and the stack of open containers, shared by every encoder and container of one write.
final class WriterState {
    // Unchecked exclusivity: a profile showed the runtime's dynamic checks on these two properties taking
    // ~40% of encoding time. It is safe because a WriterState lives for one synchronous `JSONWriter.write`
    // call and no method keeps an access to either property open across a call out of this class.
    @exclusivity(unchecked) var buffer: ByteBuffer
    /// Open containers: `true` for objects, `false` for arrays, with whether they hold an element yet.
    @exclusivity(unchecked) var stack: [(isObject: Bool, hasElement: Bool)] = []

    init(buffer: ByteBuffer) {
        self.buffer = buffer
    }

    /// Closes containers nested deeper than `depth` (their encoders have finished with them).
    func close(downTo depth: Int) {
        while self.stack.count > depth {
            let container = self.stack.removeLast()
            self.buffer.writeInteger(container.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        }
    }

    /// Opens a container at `depth` unless one is already open there.
    func open(isObject: Bool, depth: Int) {
        self.close(downTo: depth + 1)
        if self.stack.count == depth + 1 { return }
        self.stack.append((isObject, false))
        self.buffer.writeInteger(isObject ? UInt8(ascii: "{") : UInt8(ascii: "["))
    }

    /// Starts an element of the container at `index`: closes deeper containers and writes the comma.
    func beginElement(inContainerAt index: Int) {
        self.close(downTo: index + 1)
        if self.stack[index].hasElement {
            self.buffer.writeInteger(UInt8(ascii: ","))
        } else {
            self.stack[index].hasElement = true
        }
    }

    func writeValue<T: Encodable>(_ value: T, depth: Int, codingPath: [any CodingKey]) throws {
        // Metatype comparisons instead of `as?` casts: dynamic casts showed up in profiles.
        if T.self == String.self {
            self.writeString(unsafeBitCast(value, to: String.self))
        } else if T.self == Int.self {
            self.writeInteger(unsafeBitCast(value, to: Int.self))
        } else if T.self == Bool.self {
            self.buffer.writeStaticString(unsafeBitCast(value, to: Bool.self) ? "true" : "false")
        } else if T.self == Double.self {
            try self.writeDouble(unsafeBitCast(value, to: Double.self), codingPath: codingPath)
        } else if T.self == URL.self {
            self.writeString((value as! URL).absoluteString)
        } else if T.self == Date.self {
            self.writeString(RFC3339.string(from: value as! Date))
        } else if T.self == Data.self {
            self.writeString((value as! Data).base64EncodedString())
        } else if T.self == Decimal.self {
            self.buffer.writeString((value as! Decimal).description)
        } else {
            let start = self.buffer.writerIndex
            try value.encode(to: WriterEncoder(state: self, depth: depth, codingPath: codingPath))
            self.close(downTo: depth)
            if self.buffer.writerIndex == start {
                // Nothing encoded at all: JSONEncoder writes an empty object.
                self.buffer.writeStaticString("{}")
            }
        }
    }

    func writeInteger<T: FixedWidthInteger>(_ value: T) {
        if value >= 0 && value < 10 {
            self.buffer.writeInteger(UInt8(ascii: "0") + UInt8(value))
            return
        }
        // Digits straight into the buffer (a `String` per number was an allocation each).
        let negative = value < 0
        var magnitude = value.magnitude
        var digits = 0
        var scan = magnitude
        repeat {
            digits += 1
            scan /= 10
        } while scan > 0
        let count = digits + (negative ? 1 : 0)
        self.buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { target in
            var position = count
            repeat {
                position -= 1
                target[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if negative { target[0] = UInt8(ascii: "-") }
            return count
        }
    }

    func writeDouble(_ value: Double, codingPath: [any CodingKey]) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "Non-finite number \(value)"))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        self.buffer.writeString(text)
    }

    /// Writes `"key":`, with the separating comma first when `comma`.
    func writeKey(_ key: String, comma: Bool) {
        Self.writeQuoted(key, prefix: comma ? UInt8(ascii: ",") : nil, suffix: UInt8(ascii: ":"), into: &self.buffer)
    }

    func writeString(_ string: String) {
        Self.writeQuoted(string, prefix: nil, suffix: nil, into: &self.buffer)
    }

    /// Whether `bytes` hold a quote, a backslash or a control character: eight bytes at a time (``JSONBytes``, as
    /// the reader scans strings), the tail one by one.
    static func needsEscaping(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        if let base = bytes.baseAddress {
            while index + 8 <= bytes.count {
                if JSONBytes.needsAttention(JSONBytes.word(base, at: index)) { return true }
                index += 8
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return true }
            index += 1
        }
        return false
    }

    /// Writes a quoted, escaped string with optional single bytes around it. The common case — nothing to
    /// escape — is one capacity check and one copy.
    static func writeQuoted(_ string: String, prefix: UInt8?, suffix: UInt8?, into buffer: inout ByteBuffer) {
        var string = string
        string.withUTF8 { bytes in
            let needsEscaping = Self.needsEscaping(bytes)
            guard needsEscaping else {
                let extra = (prefix == nil ? 0 : 1) + (suffix == nil ? 0 : 1) + 2
                buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bytes.count + extra) { target in
                    var offset = 0
                    if let prefix {
                        target[0] = prefix
                        offset = 1
                    }
                    target[offset] = UInt8(ascii: "\"")
                    offset += 1
                    if let base = bytes.baseAddress, bytes.count > 0 {
                        target.baseAddress!.advanced(by: offset).copyMemory(from: base, byteCount: bytes.count)
                    }
                    offset += bytes.count
                    target[offset] = UInt8(ascii: "\"")
                    offset += 1
                    if let suffix {
                        target[offset] = suffix
                        offset += 1
                    }
                    return offset
                }
                return
            }
            if let prefix { buffer.writeInteger(prefix) }
            buffer.writeInteger(UInt8(ascii: "\""))
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index {
                    buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[runStart..<index])))
                }
                switch byte {
                case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0D: buffer.writeStaticString("\\r")
                case 0x09: buffer.writeStaticString("\\t")
                case 0x08: buffer.writeStaticString("\\b")
                case 0x0C: buffer.writeStaticString("\\f")
                default:
                    let hex: StaticString = "0123456789abcdef"
                    buffer.writeStaticString("\\u00")
                    buffer.writeInteger(hex.utf8Start[Int(byte >> 4)])
                    buffer.writeInteger(hex.utf8Start[Int(byte & 0xF)])
                }
                runStart = index + 1
            }
            if runStart < bytes.count {
                buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[runStart...])))
            }
            buffer.writeInteger(UInt8(ascii: "\""))
            if let suffix { buffer.writeInteger(suffix) }
        }
    }
}

@available(*, unavailable)
extension WriterState: Sendable {}

struct WriterEncoder: Encoder {
    let state: WriterState
    /// The stack depth at which this encoder's container lives.
    let depth: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        self.state.open(isObject: true, depth: self.depth)
        return KeyedEncodingContainer(WriterKeyedContainer<Key>(state: self.state, index: self.depth, codingPath: self.codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        self.state.open(isObject: false, depth: self.depth)
        return WriterUnkeyedContainer(state: self.state, index: self.depth, codingPath: self.codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        WriterSingleValueContainer(state: self.state, depth: self.depth, codingPath: self.codingPath)
    }
}

struct WriterKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let state: WriterState
    /// Position of this container in the stack.
    let index: Int
    let codingPath: [any CodingKey]

    private func begin(_ key: Key) {
        self.state.close(downTo: self.index + 1)
        let comma = self.state.stack[self.index].hasElement
        self.state.stack[self.index].hasElement = true
        self.state.writeKey(key.stringValue, comma: comma)
    }

    mutating func encodeNil(forKey key: Key) throws {
        self.begin(key)
        self.state.buffer.writeStaticString("null")
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws {
        self.begin(key)
        self.state.buffer.writeStaticString(value ? "true" : "false")
    }

    mutating func encode(_ value: String, forKey key: Key) throws {
        self.begin(key)
        self.state.writeString(value)
    }

    mutating func encode(_ value: Double, forKey key: Key) throws {
        self.begin(key)
        try self.state.writeDouble(value, codingPath: self.codingPath + [key])
    }

    mutating func encode(_ value: Float, forKey key: Key) throws {
        self.begin(key)
        try self.state.writeDouble(Double(value), codingPath: self.codingPath + [key])
    }

    mutating func encode(_ value: Int, forKey key: Key) throws {
        self.begin(key)
        self.state.writeInteger(value)
    }

    mutating func encode(_ value: Int8, forKey key: Key) throws { self.begin(key); self.state.writeInteger(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { self.begin(key); self.state.writeInteger(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { self.begin(key); self.state.writeInteger(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { self.begin(key); self.state.writeInteger(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { self.begin(key); self.state.writeInteger(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { self.begin(key); self.state.writeInteger(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { self.begin(key); self.state.writeInteger(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { self.begin(key); self.state.writeInteger(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { self.begin(key); self.state.writeInteger(value) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        self.begin(key)
        try self.state.writeValue(value, depth: self.index + 1, codingPath: self.codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        self.begin(key)
        self.state.open(isObject: true, depth: self.index + 1)
        return KeyedEncodingContainer(
            WriterKeyedContainer<NestedKey>(state: self.state, index: self.index + 1, codingPath: self.codingPath + [key])
        )
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        self.begin(key)
        self.state.open(isObject: false, depth: self.index + 1)
        return WriterUnkeyedContainer(state: self.state, index: self.index + 1, codingPath: self.codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        self.superEncoder(forKey: Key(stringValue: "super")!)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        self.begin(key)
        return WriterEncoder(state: self.state, depth: self.index + 1, codingPath: self.codingPath + [key])
    }
}

struct WriterUnkeyedContainer: UnkeyedEncodingContainer {
    let state: WriterState
    let index: Int
    let codingPath: [any CodingKey]
    private(set) var count = 0

    init(state: WriterState, index: Int, codingPath: [any CodingKey]) {
        self.state = state
        self.index = index
        self.codingPath = codingPath
    }

    private mutating func begin() {
        self.state.beginElement(inContainerAt: self.index)
        self.count += 1
    }

    mutating func encodeNil() throws {
        self.begin()
        self.state.buffer.writeStaticString("null")
    }

    mutating func encode(_ value: Bool) throws {
        self.begin()
        self.state.buffer.writeStaticString(value ? "true" : "false")
    }

    mutating func encode(_ value: String) throws {
        self.begin()
        self.state.writeString(value)
    }

    mutating func encode(_ value: Double) throws {
        self.begin()
        try self.state.writeDouble(value, codingPath: self.codingPath)
    }

    mutating func encode(_ value: Int) throws {
        self.begin()
        self.state.writeInteger(value)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        self.begin()
        try self.state.writeValue(value, depth: self.index + 1, codingPath: self.codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        self.begin()
        self.state.open(isObject: true, depth: self.index + 1)
        return KeyedEncodingContainer(
            WriterKeyedContainer<NestedKey>(state: self.state, index: self.index + 1, codingPath: self.codingPath)
        )
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        self.begin()
        self.state.open(isObject: false, depth: self.index + 1)
        return WriterUnkeyedContainer(state: self.state, index: self.index + 1, codingPath: self.codingPath)
    }

    mutating func superEncoder() -> any Encoder {
        self.begin()
        return WriterEncoder(state: self.state, depth: self.index + 1, codingPath: self.codingPath)
    }
}

struct WriterSingleValueContainer: SingleValueEncodingContainer {
    let state: WriterState
    let depth: Int
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { self.state.buffer.writeStaticString("null") }
    mutating func encode(_ value: Bool) throws { self.state.buffer.writeStaticString(value ? "true" : "false") }
    mutating func encode(_ value: String) throws { self.state.writeString(value) }
    mutating func encode(_ value: Double) throws { try self.state.writeDouble(value, codingPath: self.codingPath) }
    mutating func encode(_ value: Float) throws { try self.state.writeDouble(Double(value), codingPath: self.codingPath) }
    mutating func encode(_ value: Int) throws { self.state.writeInteger(value) }
    mutating func encode(_ value: Int8) throws { self.state.writeInteger(value) }
    mutating func encode(_ value: Int16) throws { self.state.writeInteger(value) }
    mutating func encode(_ value: Int32) throws { self.state.writeInteger(value) }
    mutating func encode(_ value: Int64) throws { self.state.writeInteger(value) }
    mutating func encode(_ value: UInt) throws { self.state.writeInteger(value) }
    mutating func encode(_ value: UInt8) throws { self.state.writeInteger(value) }
    mutating func encode(_ value: UInt16) throws { self.state.writeInteger(value) }
    mutating func encode(_ value: UInt32) throws { self.state.writeInteger(value) }
    mutating func encode(_ value: UInt64) throws { self.state.writeInteger(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try self.state.writeValue(value, depth: self.depth, codingPath: self.codingPath)
    }
}
