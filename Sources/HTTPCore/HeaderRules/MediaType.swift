/// A media type with its parameters, as a `Content-Type` field carries it (RFC 9110 §8.3.1):
/// `type "/" subtype *( OWS ";" OWS [ name "=" ( token / quoted-string ) ] )`.
///
/// Names (the type's and the parameters') are compared without regard to case; a parameter's value keeps its case,
/// quoted strings are unquoted. A parameter named twice is an error (RFC 6838 §4.3), since two readers that pick
/// different ones (the first here, the last in Django) would read one body two ways.
///
/// ```swift
/// let type = try MediaType(parsing: "multipart/form-data; boundary=\"abc\"")
/// type.essence            // "multipart/form-data"
/// type["boundary"]        // "abc"
/// ```
package struct MediaType: Sendable, Hashable {
    /// Why a field is not a media type.
    package enum ParseError: Error, Hashable {
        /// No `type/subtype` of token characters.
        case malformedType
        /// A parameter that is not `name=value` with a token name and a token or quoted-string value.
        case malformedParameter(String)
        /// The same parameter twice (names compared without regard to case).
        case repeatedParameter(String)
    }

    /// `type/subtype`, lower-cased.
    package let essence: String
    /// The parameters in the order given, names lower-cased, values unquoted.
    package let parameters: [(name: String, value: String)]

    /// Parses a `Content-Type` value.
    /// - Throws: ``ParseError``.
    package init(parsing text: some StringProtocol) throws(ParseError) {
        var scanner = Scanner(Array(text.utf8))
        scanner.skipOWS()
        let type = scanner.token()
        guard !type.isEmpty, scanner.take(UInt8(ascii: "/")) else { throw .malformedType }
        let subtype = scanner.token()
        guard !subtype.isEmpty else { throw .malformedType }
        self.essence = (type + "/" + subtype).lowercased()
        var parameters: [(name: String, value: String)] = []
        while true {
            scanner.skipOWS()
            guard !scanner.atEnd else { break }
            guard scanner.take(UInt8(ascii: ";")) else { throw .malformedParameter(scanner.rest) }
            scanner.skipOWS()
            // `;` with nothing after it (or before the next `;`) is allowed.
            if scanner.atEnd || scanner.peek == UInt8(ascii: ";") { continue }
            let name = scanner.token().lowercased()
            guard !name.isEmpty, scanner.take(UInt8(ascii: "=")) else { throw .malformedParameter(scanner.rest) }
            guard let value = scanner.value() else { throw .malformedParameter(name) }
            guard !parameters.contains(where: { $0.name == name }) else { throw .repeatedParameter(name) }
            parameters.append((name, value))
        }
        self.parameters = parameters
    }

    /// The value of the parameter `name` (any case).
    package subscript(_ name: String) -> String? {
        let name = name.lowercased()
        return self.parameters.first { $0.name == name }?.value
    }

    package static func == (lhs: MediaType, rhs: MediaType) -> Bool {
        lhs.essence == rhs.essence && lhs.parameters.elementsEqual(rhs.parameters) { $0 == $1 }
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(self.essence)
        for parameter in self.parameters {
            hasher.combine(parameter.name)
            hasher.combine(parameter.value)
        }
    }

    /// Reads the grammar's pieces off the field's bytes.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { self.index == self.bytes.count }
        var peek: UInt8? { self.atEnd ? nil : self.bytes[self.index] }
        var rest: String { String(decoding: self.bytes[self.index...], as: UTF8.self) }

        mutating func skipOWS() {
            while let byte = self.peek, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { self.index += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard self.peek == byte else { return false }
            self.index += 1
            return true
        }

        /// The longest run of token characters (RFC 9110 §5.6.2), possibly empty.
        mutating func token() -> String {
            let start = self.index
            while let byte = self.peek, HeaderToken.isTokenCharacter(byte) { self.index += 1 }
            return String(decoding: self.bytes[start..<self.index], as: UTF8.self)
        }

        /// A token or a quoted string (RFC 9110 §5.6.4), unquoted; `nil` when neither is there.
        mutating func value() -> String? {
            guard self.take(UInt8(ascii: "\"")) else {
                let token = self.token()
                return token.isEmpty ? nil : token
            }
            var value: [UInt8] = []
            while let byte = self.peek {
                self.index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: value, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
                    guard let escaped = self.peek, escaped == 0x09 || escaped >= 0x20, escaped != 0x7F else { return nil }
                    self.index += 1
                    value.append(escaped)
                case 0x09, 0x20...0x7E, 0x80...0xFF:
                    value.append(byte)
                default:
                    return nil
                }
            }
            return nil  // no closing quote
        }
    }
}
