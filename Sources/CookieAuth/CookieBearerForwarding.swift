import Foundation
public import HTTPCore
public import HTTPTypes

/// The SSR server's half of the article's auth story: the browser holds an `access_token` cookie; calls
/// from the SSR server to its API carry it as `Authorization: Bearer <token>` — and only to the API.
///
/// ```swift
/// let forwarding = CookieBearerForwarding(internalOrigins: ["http://127.0.0.1:8000"])
/// let headers = forwarding.headers(from: incomingRequest, to: "http://127.0.0.1:8000")
/// let response = try await client.get("http://127.0.0.1:8000/api/user/", headers: headers)
/// ```
public struct CookieBearerForwarding: Sendable {
    /// The cookie holding the token.
    public let cookieName: String
    /// Origins (`scheme://host:port`) the token may be sent to; any other gets nothing.
    public let internalOrigins: Set<String>

    /// Creates the forwarding rule.
    public init(cookieName: String = "access_token", internalOrigins: [String]) {
        self.cookieName = cookieName
        self.internalOrigins = Set(internalOrigins.map(Self.normalize))
    }

    /// Headers for a call to `origin` on behalf of `incoming`: `Authorization: Bearer` when the request has the
    /// cookie and `origin` is internal; nothing otherwise. An incoming `Authorization` header is not forwarded.
    public func headers(from incoming: Request, to origin: String) -> HTTPFields {
        var fields = HTTPFields()
        // The cookie first: most requests carry none, and normalising the origin is the dearer test.
        guard let token = incoming.cookies[self.cookieName], !token.isEmpty, token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
            self.internalOrigins.contains(Self.normalize(origin))
        else { return fields }
        fields[.authorization] = "Bearer \(token)"
        return fields
    }

    /// `scheme://host:port` with the default port made explicit and no path.
    static func normalize(_ origin: String) -> String {
        var text = origin.lowercased()
        if let pathStart = text.range(of: "://").flatMap({ text[$0.upperBound...].firstIndex(of: "/") }) {
            text = String(text[..<pathStart])
        }
        let hasPort = text.split(separator: ":").count == 3 || (text.contains("]:"))
        if !hasPort {
            if text.hasPrefix("http://") { text += ":80" } else if text.hasPrefix("https://") { text += ":443" }
        }
        return text
    }
}
