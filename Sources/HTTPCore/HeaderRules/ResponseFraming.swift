/// The framing rules of a response that depend on its status alone, written once for the server, the upstream
/// connection, the fast path's scanner and its head writer.
///
/// ```swift
/// ResponseFraming.hasNoContent(status: 304)  // true: the response ends with its head
/// ```
package enum ResponseFraming {
    /// Whether a response with this status ends with its head (RFC 9110 §6.4.1, RFC 9112 §6.3): 1xx, 204 and 304
    /// never have content, whatever their fields say; their framing fields are not sent on.
    package static func hasNoContent(status: Int) -> Bool {
        status < 200 || status == 204 || status == 304
    }

    /// Whether a head with a status that has no content announces content anyway: `Transfer-Encoding`, or a non-zero
    /// `Content-Length` on a 1xx or 204 (a 304's `Content-Length` is the representation's, RFC 9110 §8.6). Should the
    /// sender send that content after all, its bytes would be read as the next response, so the connection is not
    /// reused.
    package static func announcesContentItMustNotHave(status: Int, transferEncoding: Bool, contentLength: Int?) -> Bool {
        Self.hasNoContent(status: status) && (transferEncoding || (status != 304 && (contentLength ?? 0) > 0))
    }
}
