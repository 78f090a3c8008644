/// A named string format, checked when decoding and exported as JSON Schema's `format` (and a `@format` note in
/// TypeScript): the same names every JSON Schema tool knows.
///
/// ```swift
/// let email = s.field("email", .string(maxLength: 254, format: .email))
/// ```
public struct StringFormat: Sendable, Hashable, CustomStringConvertible {
    /// The JSON Schema name (`email`, `uuid`, `uri`, `date`).
    public let name: String
    let check: @Sendable (String) -> Bool

    /// `local@domain.tld`: one `@`, a local part of at most 64 bytes without spaces or control characters, a domain
    /// of at least two labels of letters, digits and hyphens; 254 bytes in all (RFC 5321's limits; no quoted local
    /// parts, no address literals).
    public static let email = StringFormat(name: "email", check: isEmail)
    /// `3f2b8c1e-…`: 8-4-4-4-12 hexadecimal digits, either case (RFC 9562).
    public static let uuid = StringFormat(name: "uuid", check: isUUID)
    /// An absolute URI: a scheme (`https:`, `mailto:`), then no spaces or control characters (RFC 3986).
    public static let uri = StringFormat(name: "uri", check: isAbsoluteURI)
    /// `2026-11-29`: an RFC 3339 full-date that exists (February 29th only in leap years).
    public static let date = StringFormat(name: "date", check: isFullDate)

    public var description: String { self.name }

    /// Whether `value` has this format.
    public func matches(_ value: String) -> Bool { self.check(value) }

    public static func == (lhs: StringFormat, rhs: StringFormat) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.name) }
}

private func isEmail(_ value: String) -> Bool {
    let bytes = Array(value.utf8)
    guard bytes.count <= 254, let at = bytes.firstIndex(of: UInt8(ascii: "@")), bytes.lastIndex(of: UInt8(ascii: "@")) == at else {
        return false
    }
    let local = bytes[..<at]
    let domain = bytes[(at + 1)...]
    guard (1...64).contains(local.count), local.allSatisfy({ $0 > 32 && $0 != 127 && $0 != UInt8(ascii: "\"") }) else { return false }
    guard local.first != UInt8(ascii: "."), local.last != UInt8(ascii: ".") else { return false }
    let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
    guard labels.count >= 2 else { return false }
    return labels.allSatisfy { label in
        (1...63).contains(label.count) && label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
            && label.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }
}

private func isUUID(_ value: String) -> Bool {
    let bytes = Array(value.utf8)
    guard bytes.count == 36 else { return false }
    for (index, byte) in bytes.enumerated() {
        if [8, 13, 18, 23].contains(index) {
            guard byte == UInt8(ascii: "-") else { return false }
        } else {
            guard isHexDigit(byte) else { return false }
        }
    }
    return true
}

private func isAbsoluteURI(_ value: String) -> Bool {
    let bytes = Array(value.utf8)
    guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0, isLetter(bytes[0]) else { return false }
    guard
        bytes[..<colon].allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
    else {
        return false
    }
    return bytes.count > colon + 1
        && bytes.allSatisfy { $0 > 32 && $0 != 127 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }
}

private func isFullDate(_ value: String) -> Bool {
    let bytes = Array(value.utf8)
    guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
    func number(_ range: Range<Int>) -> Int? {
        var result = 0
        for byte in bytes[range] {
            guard isDigit(byte) else { return nil }
            result = result * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return result
    }
    guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), (1...12).contains(month) else { return false }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return (1...days).contains(day)
}

private func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
private func isLetter(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
}
private func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }
private func isHexDigit(_ byte: UInt8) -> Bool {
    isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
}
