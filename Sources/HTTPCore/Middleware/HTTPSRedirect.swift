import HTTPTypes

/// Answers every request with a permanent redirect (`308`) to the same host and target over `https`: the plain
/// HTTP listener beside a TLS one (nginx `return 308 https://$host$request_uri`).
///
/// The host is the request's `Host` without its port; a request without a valid host gets `400`.
///
/// ```swift
/// let redirect = HTTPServer(handler: HTTPSRedirect(httpsPort: 8443), configuration: .init(host: "0.0.0.0", port: 8080))
/// ```
public struct HTTPSRedirect: HTTPHandler {
    /// The port of the TLS listener; left out of the location when it is 443.
    public let httpsPort: Int

    /// A redirect to `https` on `httpsPort` (443 by default).
    public init(httpsPort: Int = 443) {
        self.httpsPort = httpsPort
    }

    public func handle(_ request: Request, context: RequestContext) async throws -> Response {
        guard let authority = request.head.authority, let host = Self.host(of: authority) else {
            throw HTTPError(.badRequest, message: "A request to the HTTP listener needs a valid Host")
        }
        let port = self.httpsPort == 443 ? "" : ":\(self.httpsPort)"
        let target = request.head.path ?? "/"
        var headers = HTTPFields()
        headers[.location] = "https://\(host)\(port)\(target)"
        headers[.cacheControl] = "no-store"
        return Response(status: .permanentRedirect, headers: headers)
    }

    /// The host of an authority, without its port; `nil` when it is not a host name or address.
    package static func host(of authority: String) -> String? {
        var host = Substring(authority)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let literal = host[host.index(after: host.startIndex)..<close]
            return HostSyntax.isValid(literal, bracketed: true) ? "[\(literal)]" : nil
        }
        if let colon = host.lastIndex(of: ":") { host = host[..<colon] }
        return HostSyntax.isValid(host, bracketed: false) ? String(host) : nil
    }
}
