import HTTPCore

/// An `http://host:port/base` (or `https://`) address of an upstream server.
public struct UpstreamURL: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`.
    public var scheme: String
    /// Host name or address.
    public var host: String
    /// Port (80, or 443 for `https`, when the URL has none).
    public var port: Int
    /// A path prefix put before every request's path (`""` for none; never ends with `/`).
    public var basePath: String

    /// Parses `http://host[:port][/base]` or `https://host[:port][/base]`.
    /// - Throws: ``UpstreamURLError`` for other schemes or a malformed address.
    public init(_ string: String) throws(UpstreamURLError) {
        let rest: Substring
        let defaultPort: Int
        if string.hasPrefix("http://") {
            (self.scheme, defaultPort, rest) = ("http", 80, string.dropFirst("http://".count))
        } else if string.hasPrefix("https://") {
            (self.scheme, defaultPort, rest) = ("https", 443, string.dropFirst("https://".count))
        } else {
            throw UpstreamURLError(url: string, reason: "only http:// and https:// upstreams are supported")
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        while path.hasSuffix("/") { path.removeLast() }
        guard !authority.isEmpty else { throw UpstreamURLError(url: string, reason: "missing host") }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw UpstreamURLError(url: string, reason: "malformed IPv6 address") }
            self.host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            self.port = after.isEmpty ? defaultPort : (after.hasPrefix(":") ? Int(after.dropFirst()) ?? -1 : -1)
        } else if let colon = authority.lastIndex(of: ":") {
            self.host = String(authority[..<colon])
            self.port = Int(authority[authority.index(after: colon)...]) ?? -1
        } else {
            self.host = String(authority)
            self.port = defaultPort
        }
        guard (1...65535).contains(self.port) else { throw UpstreamURLError(url: string, reason: "invalid port") }
        guard HostSyntax.isValid(self.host, bracketed: authority.hasPrefix("[")) else {
            throw UpstreamURLError(url: string, reason: "invalid host")
        }
        self.basePath = path
    }

    /// Whether the upstream is reached over TLS.
    public var isSecure: Bool { self.scheme == "https" }

    /// `http://host:port` (what `Location` headers are compared with).
    public var origin: String { "\(self.scheme)://\(self.urlHost):\(self.port)" }

    /// `host:port`, or `host` alone on the scheme's default port: the request's `Host`.
    public var authority: String {
        self.port == (self.isSecure ? 443 : 80) ? self.urlHost : "\(self.urlHost):\(self.port)"
    }

    /// The host as it goes into a URL: an IPv6 address in brackets.
    private var urlHost: String { self.host.contains(":") ? "[\(self.host)]" : self.host }

    public var description: String { self.origin + self.basePath }
}

/// An upstream address that could not be used.
public struct UpstreamURLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The address as given.
    public let url: String
    /// What is wrong with it.
    public let reason: String
    public var description: String { "Invalid upstream URL \(self.url): \(self.reason)" }
}
