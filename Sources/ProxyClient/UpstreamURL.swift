/// An `http://host:port/base` address of an upstream server.
public struct UpstreamURL: Sendable, Hashable, CustomStringConvertible {
    /// Host name or address.
    public var host: String
    /// Port (80 when the URL has none).
    public var port: Int
    /// A path prefix put before every request's path (`""` for none; never ends with `/`).
    public var basePath: String

    /// Parses `http://host[:port][/base]`.
    /// - Throws: ``UpstreamURLError`` for other schemes or a malformed address.
    public init(_ string: String) throws(UpstreamURLError) {
        guard string.hasPrefix("http://") else { throw UpstreamURLError(url: string, reason: "only http:// upstreams are supported") }
        let rest = string.dropFirst("http://".count)
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        while path.hasSuffix("/") { path.removeLast() }
        guard !authority.isEmpty else { throw UpstreamURLError(url: string, reason: "missing host") }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw UpstreamURLError(url: string, reason: "malformed IPv6 address") }
            self.host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            self.port = after.isEmpty ? 80 : (after.hasPrefix(":") ? Int(after.dropFirst()) ?? -1 : -1)
        } else if let colon = authority.lastIndex(of: ":") {
            self.host = String(authority[..<colon])
            self.port = Int(authority[authority.index(after: colon)...]) ?? -1
        } else {
            self.host = String(authority)
            self.port = 80
        }
        guard (1...65535).contains(self.port) else { throw UpstreamURLError(url: string, reason: "invalid port") }
        self.basePath = path
    }

    /// `http://host:port` (what `Location` headers are compared with).
    public var origin: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "http://\(host):\(self.port)"
    }

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
