/// Entity-tag comparisons for conditional requests (RFC 9110 §13.1), shared by everything that sends an `ETag`: pages,
/// files, generated documents.
package enum EntityTag {
    /// Whether an `If-None-Match` value (`*`, or a list of tags) matches `etag`, compared weakly (`W/"x"` matches
    /// `"x"`): the client's copy is current and the answer is `304`.
    package static func ifNoneMatch(_ condition: some StringProtocol, matches etag: String) -> Bool {
        let opaque = etag.hasPrefix("W/") ? etag.dropFirst(2) : etag[...]
        for candidate in condition.split(separator: ",") {
            let tag = candidate.trimmingOWS
            if tag == "*" || (tag.hasPrefix("W/") ? tag.dropFirst(2) : tag[...]) == opaque { return true }
        }
        return false
    }
}
