/// Decoded `application/x-www-form-urlencoded` pairs: a query string or a form body.
///
/// `+` decodes to a space and `%XX` to its byte; invalid escapes are kept as they are and invalid
/// UTF-8 is repaired, so parsing never fails.
///
/// ```swift
/// let query = QueryParameters(parsing: "q=swift+nio&tag=a&tag=b")
/// query["q"]          // "swift nio"
/// query.all("tag")    // ["a", "b"]
/// ```
public struct QueryParameters: Sendable, Equatable, Sequence {
    /// The pairs in the order they appeared.
    public private(set) var pairs: [(name: String, value: String)]

    /// Parses `string` (without a leading `?`).
    public init(parsing string: some StringProtocol) {
        var pairs: [(name: String, value: String)] = []
        let bytes = Array(string.utf8)
        for part in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if let equals = part.firstIndex(of: UInt8(ascii: "=")) {
                pairs.append(
                    (
                        name: PercentDecoding.decode(part[..<equals], plusAsSpace: true),
                        value: PercentDecoding.decode(part[(equals + 1)...], plusAsSpace: true)
                    )
                )
            } else {
                pairs.append((name: PercentDecoding.decode(part, plusAsSpace: true), value: ""))
            }
        }
        self.pairs = pairs
    }

    /// The first value for `name`, or `nil`.
    public subscript(_ name: String) -> String? {
        self.pairs.first { $0.name == name }?.value
    }

    /// Every value for `name`, in order.
    public func all(_ name: String) -> [String] {
        self.pairs.filter { $0.name == name }.map(\.value)
    }

    public func makeIterator() -> some IteratorProtocol<(name: String, value: String)> {
        self.pairs.makeIterator()
    }

    /// `component` percent-encoded for a query string or form body: every byte but RFC 3986's unreserved
    /// characters (`A–Z a–z 0–9 - . _ ~`) becomes `%XX`.
    ///
    /// ```swift
    /// "/search/?query=" + QueryParameters.percentEncoded("swift & nio")   // "/search/?query=swift%20%26%20nio"
    /// ```
    public static func percentEncoded(_ component: String) -> String {
        let hex: StaticString = "0123456789ABCDEF"
        var output: [UInt8] = []
        output.reserveCapacity(component.utf8.count)
        for byte in component.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.append(byte)
            default:
                output.append(UInt8(ascii: "%"))
                output.append(hex.utf8Start[Int(byte >> 4)])
                output.append(hex.utf8Start[Int(byte & 0xF)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    public static func == (lhs: QueryParameters, rhs: QueryParameters) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// Percent-decoding (RFC 3986 §2.1) shared by query parsing and path normalisation.
package enum PercentDecoding {
    /// The value of an ASCII hex digit, or `nil`.
    @inlinable
    package static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Decodes `%XX` (and `+` when asked); malformed escapes stay literal, invalid UTF-8 is repaired.
    package static func decode(_ bytes: some Collection<UInt8>, plusAsSpace: Bool) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                let first = bytes.index(after: index)
                if first != bytes.endIndex {
                    let second = bytes.index(after: first)
                    if second != bytes.endIndex, let high = hexValue(bytes[first]), let low = hexValue(bytes[second]) {
                        output.append(high << 4 | low)
                        index = bytes.index(after: second)
                        continue
                    }
                }
                output.append(byte)
            } else if plusAsSpace && byte == UInt8(ascii: "+") {
                output.append(UInt8(ascii: " "))
            } else {
                output.append(byte)
            }
            index = bytes.index(after: index)
        }
        return String(decoding: output, as: UTF8.self)
    }
}
