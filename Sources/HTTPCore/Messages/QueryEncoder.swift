import Foundation

extension QueryParameters {
    /// The name/value pairs of `value`'s properties, for a query string or a form body: strings, numbers,
    /// booleans, and `RawRepresentable` enums of those become one pair each, arrays of them one pair per
    /// element (`tag=a&tag=b`), `nil` optionals none. Keys are the coding keys (so `CodingKeys` rename them).
    ///
    /// ```swift
    /// struct Search: Encodable { var query: String; var maxResults: Int?; var tags: [String] }
    /// let pairs = try QueryParameters.pairs(of: Search(query: "swift", maxResults: nil, tags: ["a", "b"]))
    /// // [("query", "swift"), ("tags", "a"), ("tags", "b")]
    /// ```
    /// - Throws: `EncodingError.invalidValue` for a nested object, an array of arrays, or a non-finite number.
    public static func pairs(of value: some Encodable) throws -> [(String, String)] {
        let encoder = PairsEncoder(state: PairsEncoder.State(), key: nil, codingPath: [])
        try value.encode(to: encoder)
        return encoder.state.pairs
    }

    /// `pairs` as a percent-encoded query string (`a=1&b=x%20y`), `nil` values left out.
    public static func queryString(_ pairs: some Sequence<(String, String?)>) -> String {
        var parts: [String] = []
        for (name, value) in pairs {
            guard let value else { continue }
            parts.append(Self.percentEncoded(name) + "=" + Self.percentEncoded(value))
        }
        return parts.joined(separator: "&")
    }
}

/// Flattens one level of properties into pairs.
private struct PairsEncoder: Encoder, SingleValueEncodingContainer {
    final class State {
        var pairs: [(String, String)] = []
    }

    let state: State
    /// The property being written (nil at the top level, where only a keyed container is allowed).
    let key: String?
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Keyed(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer { Unkeyed(encoder: self) }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    func fail(_ value: Any, _ reason: String) -> EncodingError {
        EncodingError.invalidValue(value, EncodingError.Context(codingPath: self.codingPath, debugDescription: reason))
    }

    /// Adds one pair for the current property.
    func add(_ text: String) throws {
        guard let key = self.key else { throw self.fail(text, "A query is made of an object's properties, not of a lone value") }
        self.state.pairs.append((key, text))
    }

    mutating func encodeNil() throws {}
    mutating func encode(_ value: Bool) throws { try self.add(value ? "true" : "false") }
    mutating func encode(_ value: String) throws { try self.add(value) }
    mutating func encode(_ value: Double) throws {
        guard value.isFinite else { throw self.fail(value, "Non-finite number") }
        try self.add(value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value))
    }
    mutating func encode(_ value: Float) throws { try self.encode(Double(value)) }
    mutating func encode(_ value: Int) throws { try self.add(String(value)) }
    mutating func encode(_ value: Int8) throws { try self.add(String(value)) }
    mutating func encode(_ value: Int16) throws { try self.add(String(value)) }
    mutating func encode(_ value: Int32) throws { try self.add(String(value)) }
    mutating func encode(_ value: Int64) throws { try self.add(String(value)) }
    mutating func encode(_ value: UInt) throws { try self.add(String(value)) }
    mutating func encode(_ value: UInt8) throws { try self.add(String(value)) }
    mutating func encode(_ value: UInt16) throws { try self.add(String(value)) }
    mutating func encode(_ value: UInt32) throws { try self.add(String(value)) }
    mutating func encode(_ value: UInt64) throws { try self.add(String(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        switch value {
        case let date as Date: try self.add(ISO8601DateFormatter().string(from: date))
        case let url as URL: try self.add(url.absoluteString)
        case let uuid as UUID: try self.add(uuid.uuidString)
        default: try value.encode(to: self)
        }
    }

    /// The top-level object's properties.
    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: PairsEncoder
        var codingPath: [any CodingKey] { self.encoder.codingPath }

        func property(_ key: Key) throws -> PairsEncoder {
            guard self.encoder.key == nil else { throw self.encoder.fail(key.stringValue, "A query cannot hold a nested object") }
            return PairsEncoder(state: self.encoder.state, key: key.stringValue, codingPath: self.codingPath + [key])
        }

        mutating func encodeNil(forKey key: Key) throws {}
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            var property = try self.property(key)
            try property.encode(value)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type,
            forKey key: Key
        ) -> KeyedEncodingContainer<NestedKey> {
            // Reported when something is written into it (this protocol requirement cannot throw).
            KeyedEncodingContainer(
                Keyed<NestedKey>(
                    encoder: PairsEncoder(state: self.encoder.state, key: key.stringValue, codingPath: self.codingPath + [key])
                )
            )
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            Unkeyed(encoder: PairsEncoder(state: self.encoder.state, key: key.stringValue, codingPath: self.codingPath + [key]))
        }
        mutating func superEncoder() -> any Encoder { self.encoder }
        mutating func superEncoder(forKey key: Key) -> any Encoder { self.encoder }
    }

    /// An array property: one pair per element.
    struct Unkeyed: UnkeyedEncodingContainer {
        let encoder: PairsEncoder
        var codingPath: [any CodingKey] { self.encoder.codingPath }
        private(set) var count = 0

        init(encoder: PairsEncoder) { self.encoder = encoder }

        mutating func encodeNil() throws { self.count += 1 }
        mutating func encode<T: Encodable>(_ value: T) throws {
            self.count += 1
            var element = ElementEncoder(encoder: self.encoder)
            try element.encode(value)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Keyed<NestedKey>(encoder: PairsEncoder(state: self.encoder.state, key: "", codingPath: self.codingPath)))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { self }
        mutating func superEncoder() -> any Encoder { self.encoder }
    }

    /// One element of an array property: a scalar, never a container.
    struct ElementEncoder {
        let encoder: PairsEncoder
        mutating func encode<T: Encodable>(_ value: T) throws {
            var scalar = self.encoder
            let before = self.encoder.state.pairs.count
            try scalar.encode(value)
            guard self.encoder.state.pairs.count == before + 1 else {
                throw self.encoder.fail(value, "An array in a query holds scalar values only")
            }
        }
    }
}
