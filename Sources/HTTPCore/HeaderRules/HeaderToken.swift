/// HTTP's `token` (RFC 9110 §5.6.2): field names, methods, media types and parameter names.
package enum HeaderToken {
    /// `tchar` by byte: one load on the parsers' hot paths instead of a comparison chain.
    private static let table: [Bool] = (0..<256).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "!#$%&'*+-.^_`|~".utf8.contains(UInt8(byte))
        }
    }

    /// Whether `byte` is a `tchar`: ``!#$%&'*+-.^_`|~``, digits and letters.
    package static func isTokenCharacter(_ byte: UInt8) -> Bool { Self.table[Int(byte)] }
}
