public import HTTPTypes

extension HTTPField.Name {
    /// `X-Request-ID`.
    public static let xRequestID = HTTPField.Name("X-Request-ID")!
    /// `X-Robots-Tag`: indexing rules for a response, whatever its body.
    public static let xRobotsTag = HTTPField.Name("X-Robots-Tag")!
    /// `X-Forwarded-For`.
    public static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    /// `X-Forwarded-Proto`.
    public static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    /// `X-Forwarded-Host`.
    public static let xForwardedHost = HTTPField.Name("X-Forwarded-Host")!
    /// `X-Real-IP`.
    public static let xRealIP = HTTPField.Name("X-Real-IP")!
    /// `Forwarded` (RFC 7239).
    public static let forwarded = HTTPField.Name("Forwarded")!
    /// `Sec-Fetch-Site` (Fetch Metadata).
    public static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
    /// `X-Frame-Options`.
    public static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    /// `Referrer-Policy`.
    public static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (HTTP's optional white space, RFC 9110 §5.6.3).
    /// Byte by byte (the white space is ASCII): by `Character`, twice reversed, it was 5% of the gateway's CPU per
    /// request, in the compression middleware's content-type check alone.
    package var trimmingOWS: String {
        // One forward pass (a generic UTF-8 view is not bidirectional): the text starts at the first byte that is
        // not OWS and ends after the last one.
        let utf8 = self.utf8
        var start: Self.UTF8View.Index?
        var end = utf8.startIndex
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let here = index
            utf8.formIndex(after: &index)
            guard utf8[here] != UInt8(ascii: " "), utf8[here] != UInt8(ascii: "\t") else { continue }
            if start == nil { start = here }
            end = index
        }
        guard let start else { return "" }
        return String(decoding: utf8[start..<end], as: UTF8.self)
    }
}

/// Whether `bytes` spell `lower` (lower-case ASCII) in any case: the header-name comparison of the hot paths,
/// which classify a field with one length switch and one such comparison instead of a lookup per rule.
package func equalsIgnoringASCIICase(_ bytes: UnsafeBufferPointer<UInt8>, _ lower: StaticString) -> Bool {
    guard bytes.count == lower.utf8CodeUnitCount else { return false }
    let expected = lower.utf8Start
    for index in 0..<bytes.count {
        var byte = bytes[index]
        if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte += 32 }
        if byte != expected[index] { return false }
    }
    return true
}
