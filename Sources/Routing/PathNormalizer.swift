public import HTTPCore
import HTTPTypes

/// Normalises a request path once, before any routing decision (RFC 3986 §5.2.4 plus what proxies need).
///
/// - `%2E`/`%2e` decode to `.` and `%2F`/`%2f` to `/` first, so encoded dot segments and separators are
///   seen for what they are; other escapes are left as they are (decoding twice would be a bug of its own).
/// - Repeated slashes collapse; `.` segments vanish; `..` removes the previous segment.
/// - A path that climbs above the root, does not start with `/`, or contains NUL or control bytes is
///   rejected, so `/search/../../etc` or `/search/%2e%2e/api` can never reach a handler or an upstream.
///
/// ```swift
/// try PathNormalizer.normalize("/search/%2e%2e/api//x/")   // "/api/x/"
/// ```
public enum PathNormalizer {
    /// Why a path was rejected.
    public struct Rejection: Error, Hashable, CustomStringConvertible {
        /// What is wrong with the path.
        public let reason: String
        public var description: String { "Invalid path: \(self.reason)" }
    }

    /// The normalised form of `path` (no query).
    /// - Throws: ``Rejection`` when the path cannot be normalised safely.
    public static func normalize(_ path: some StringProtocol) throws(Rejection) -> String {
        var bytes = Array(path.utf8)
        guard bytes.first == UInt8(ascii: "/") else { throw Rejection(reason: "must start with /") }
        bytes = try Self.decodeDotsAndSlashes(bytes)

        var segments: [ArraySlice<UInt8>] = []
        var trailingSlash = bytes.last == UInt8(ascii: "/")
        for segment in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if segment.elementsEqual([UInt8(ascii: ".")]) {
                trailingSlash = true
            } else if segment.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                guard segments.popLast() != nil else { throw Rejection(reason: "climbs above the root") }
                trailingSlash = true
            } else {
                segments.append(segment)
                trailingSlash = false
            }
        }
        if bytes.last == UInt8(ascii: "/") { trailingSlash = true }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        for segment in segments {
            output.append(UInt8(ascii: "/"))
            output.append(contentsOf: segment)
        }
        if trailingSlash || output.isEmpty { output.append(UInt8(ascii: "/")) }
        return String(decoding: output, as: UTF8.self)
    }

    /// The normalised path of `request` (the fast check first: most paths are already normal).
    /// - Throws: `HTTPError` 400 when the path cannot be normalised safely.
    public static func normalizedPath(of request: Request) throws(HTTPError) -> String {
        let raw = request.path
        if Self.isNormalized(raw) { return String(raw) }
        do {
            return try Self.normalize(raw)
        } catch {
            throw HTTPError(.badRequest, message: "Invalid request path")
        }
    }

    /// Whether `path` is already in normal form (the fast path: most paths are).
    ///
    /// Exactly the paths that ``normalize(_:)`` returns unchanged: a fixed point, so a caller may normalise
    /// once and then trust this check (the fuzz target and a property test hold the two together). Escapes
    /// other than `%2e`, `%2f` and `%00` are normal: they stay as sent, as nginx forwards them.
    public static func isNormalized(_ path: some StringProtocol) -> Bool {
        var utf8 = path.utf8.makeIterator()
        guard utf8.next() == UInt8(ascii: "/") else { return false }
        var length = 0
        var dots = 0
        // Bytes still to see of a `%` escape (2, 1, or 0 outside one), to spot those `normalize` decodes or refuses.
        var escape = 0
        var escapeFirst: UInt8 = 0
        while let byte = utf8.next() {
            if escape == 2 {
                escapeFirst = byte | 0x20
                escape = 1
            } else if escape == 1 {
                escape = 0
                switch (escapeFirst, byte | 0x20) {
                case (UInt8(ascii: "2"), UInt8(ascii: "e")), (UInt8(ascii: "2"), UInt8(ascii: "f")), (UInt8(ascii: "0"), 0x30):
                    return false
                default: break
                }
            }
            switch byte {
            case UInt8(ascii: "/"):
                if length == 0 || (dots == length && length <= 2) { return false }
                length = 0
                dots = 0
            case 0..<0x20, 0x7F:
                return false
            case UInt8(ascii: "%"):
                escape = 2
                length += 1
            case UInt8(ascii: "."):
                length += 1
                dots += 1
            default:
                length += 1
            }
        }
        return !(length > 0 && dots == length && length <= 2)
    }

    private static func decodeDotsAndSlashes(_ bytes: [UInt8]) throws(Rejection) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x20 || byte == 0x7F { throw Rejection(reason: "control character") }
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count {
                let escape = (bytes[index + 1] | 0x20, bytes[index + 2] | 0x20)
                if escape == (UInt8(ascii: "2"), UInt8(ascii: "e")) {
                    output.append(UInt8(ascii: "."))
                    index += 3
                    continue
                }
                if escape == (UInt8(ascii: "2"), UInt8(ascii: "f")) {
                    output.append(UInt8(ascii: "/"))
                    index += 3
                    continue
                }
                if bytes[index + 1] == UInt8(ascii: "0") && bytes[index + 2] == UInt8(ascii: "0") {
                    throw Rejection(reason: "encoded NUL")
                }
            }
            output.append(byte)
            index += 1
        }
        return output
    }
}
