public import HTTPCore
public import HTTPTypes
import Logging
import NIOCore

/// An `HTTPHandler` that forwards requests to an upstream and streams the answers back: the gateway of
/// the split-services topology and the page proxy of the dev-proxy topology.
///
/// It does what nginx's `proxy_pass` does, with the safe choices made:
/// - hop-by-hop headers (RFC 9110 §7.6.1: `Connection` and every header it names, `Keep-Alive`,
///   `Proxy-Connection`, `TE`, `Trailer`, `Transfer-Encoding`, `Upgrade`, `Proxy-Authorization`,
///   `Proxy-Authenticate`) are removed in both directions; repeated headers such as `Set-Cookie` stay
///   separate fields, in order;
/// - `Host` is preserved (nginx `proxy_set_header Host $host`); `X-Real-IP`, `X-Forwarded-For` (appended),
///   `X-Forwarded-Proto`, `X-Forwarded-Host` and optionally RFC 7239 `Forwarded` are set — incoming values
///   are kept only from ``Configuration/trustedProxies``, and replaced for everyone else;
/// - the request id goes upstream as `X-Request-ID`;
/// - redirects pass through; a `Location` on the upstream's own origin is rewritten to the client-facing one;
/// - bodies stream both ways with back-pressure; a body over ``Configuration/maxBodyBytes`` is refused
///   with 413 before anything is sent;
/// - an unreachable upstream is 502 (or what ``Configuration/whenUnavailable`` says), a slow one 504, and an
///   upstream that dies mid-response cuts the client connection rather than passing a truncated body off
///   as complete. Errors are thrown as `HTTPError`, so the mount's `ErrorRenderer` chooses the format.
///
/// ```swift
/// var gateway = PrefixRouter()
/// gateway.location("/search/", try ReverseProxy(to: "http://127.0.0.1:3000"))
/// gateway.location("/", try ReverseProxy(to: "http://127.0.0.1:8000"))
/// ```
public struct ReverseProxy: HTTPHandler {
    /// How the `Host` header reaching the upstream is chosen.
    public struct HostHeader: Sendable, Hashable {
        enum Kind: Hashable { case preserve, upstream, fixed(String) }
        let kind: Kind
        /// The client's `Host` (default).
        public static var preserve: Self { Self(kind: .preserve) }
        /// The upstream server's `host:port`.
        public static var upstream: Self { Self(kind: .upstream) }
        /// A fixed value.
        public static func fixed(_ host: String) -> Self { Self(kind: .fixed(host)) }
    }

    /// What the client gets when the upstream cannot be reached at all.
    public struct Unavailable: Sendable {
        enum Kind { case error(HTTPResponse.Status, String), plainText(HTTPResponse.Status, String) }
        let kind: Kind
        /// 502 through the mount's error renderer (default).
        public static var badGateway: Self { Self(kind: .error(.badGateway, "The upstream server is unavailable")) }
        /// An error with `status` and `message`, through the mount's error renderer.
        public static func error(_ status: HTTPResponse.Status, _ message: String) -> Self { Self(kind: .error(status, message)) }
        /// A fixed `text/plain` response, bypassing the renderer (the dev proxy's "SSR server not running").
        public static func plainText(_ status: HTTPResponse.Status, _ text: String) -> Self { Self(kind: .plainText(status, text)) }
    }

    /// Proxy behaviour; every value has a safe default.
    public struct Configuration: Sendable {
        /// The `Host` sent upstream. Default: the client's.
        public var host: HostHeader
        /// Peers whose `X-Forwarded-*`/`Forwarded`/`X-Real-IP` headers are trusted and extended. Default: none.
        public var trustedProxies: [CIDR]
        /// Also send an RFC 7239 `Forwarded` header. Default false.
        public var addForwardedHeader: Bool
        /// Largest request body forwarded; larger ones get 413 before anything is sent. Default 10 MiB.
        public var maxBodyBytes: Int?
        /// The answer when the upstream is unreachable. Default 502.
        public var whenUnavailable: Unavailable
        /// Rewrite `Location` headers on the upstream's origin (nginx `proxy_redirect default`). Default true.
        public var rewriteRedirects: Bool
        /// Pooling, timeouts, balancing, health and retries.
        public var upstream: Upstream.Configuration

        /// Creates a configuration.
        public init(
            host: HostHeader = .preserve,
            trustedProxies: [CIDR] = [],
            addForwardedHeader: Bool = false,
            maxBodyBytes: Int? = 10 << 20,
            whenUnavailable: Unavailable = .badGateway,
            rewriteRedirects: Bool = true,
            upstream: Upstream.Configuration = Upstream.Configuration()
        ) {
            self.host = host
            self.trustedProxies = trustedProxies
            self.addForwardedHeader = addForwardedHeader
            self.maxBodyBytes = maxBodyBytes
            self.whenUnavailable = whenUnavailable
            self.rewriteRedirects = rewriteRedirects
            self.upstream = upstream
        }
    }

    /// Where requests go.
    public let transport: any UpstreamTransport
    /// The upstream's address (for `Host: upstream` and `Location` rewriting), when it is an HTTP upstream.
    public let upstreamURL: UpstreamURL?
    /// The behaviour.
    public let configuration: Configuration

    /// A proxy to the servers at `urls` (several form one balanced upstream).
    /// - Throws: `UpstreamURLError` for an address that is not `http://host:port[/base]`.
    public init(to urls: [String], configuration: Configuration = Configuration()) throws {
        let upstream = try Upstream(urls, configuration: configuration.upstream)
        self.transport = upstream
        self.upstreamURL = upstream.urls.first
        self.configuration = configuration
    }

    /// A proxy to the server at `url`.
    public init(to url: String, configuration: Configuration = Configuration()) throws {
        try self.init(to: [url], configuration: configuration)
    }

    /// A proxy to the server at `url` that answers `whenUnavailable` when it cannot be reached.
    public init(to url: String, whenUnavailable: Unavailable) throws {
        try self.init(to: [url], configuration: Configuration(whenUnavailable: whenUnavailable))
    }

    /// A proxy over any transport (in-process, or an `Upstream` shared with other proxies).
    public init(transport: some UpstreamTransport, upstreamURL: UpstreamURL? = nil, configuration: Configuration = Configuration()) {
        self.transport = transport
        self.upstreamURL = upstreamURL ?? (transport as? Upstream)?.urls.first
        self.configuration = configuration
    }

    public func handle(_ request: Request, context: RequestContext) async throws -> Response {
        if let limit = self.configuration.maxBodyBytes, let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw HTTPError.contentTooLarge(limit: limit)
        }
        var upstreamRequest = request
        upstreamRequest.head.headerFields = self.upstreamHeaders(for: request, context: context)
        switch self.configuration.host.kind {
        case .preserve: break
        case .upstream: upstreamRequest.head.authority = self.upstreamURL.map(\.authority) ?? request.head.authority
        case .fixed(let host): upstreamRequest.head.authority = host
        }
        if let limit = self.configuration.maxBodyBytes, !request.body.isKnownEmpty, request.headers[.contentLength] == nil {
            upstreamRequest.body = RequestBody(LimitedBody(base: request.body, limit: limit))
        }

        var response: Response
        do {
            response = try await self.transport.send(upstreamRequest, context: context)
        } catch let error as UpstreamError {
            context.logger.error("Upstream request failed", metadata: ["error": "\(error)", "path": "\(request.path)"])
            if error.isUnreachable {
                switch self.configuration.whenUnavailable.kind {
                case .plainText(let status, let text):
                    return .text(text, status: status)
                case .error(let status, let message):
                    throw HTTPError(status, message: message)
                }
            }
            if error.isTimeout { throw HTTPError(.gatewayTimeout, message: "The upstream server did not answer in time") }
            throw HTTPError(.badGateway, message: "The upstream server failed to answer")
        }
        if response.status == .switchingProtocols { return response }  // Upgrade/Connection belong to the tunnel
        response.headers = ForwardingRules.clientResponse(
            response.headers,
            redirects: self,
            authority: request.head.authority,
            requestID: nil,
            secure: request.head.scheme == "https"
        )
        return response
    }

    /// The header fields sent upstream.
    func upstreamHeaders(for request: Request, context: RequestContext) -> HTTPFields {
        ForwardingRules.upstreamRequest(
            request.headers,
            peer: context.remoteAddress?.ipAddress,
            authority: request.head.authority,
            requestID: context.requestID,
            secure: request.head.scheme == "https",
            configuration: self.configuration
        )
    }

    /// Removes hop-by-hop fields (RFC 9110 §7.6.1), including every field `Connection` names.
    public static func removeHopByHop(_ fields: inout HTTPFields) {
        fields = ForwardingRules.clientResponse(fields, redirects: nil, authority: nil, requestID: nil)
    }

    /// `Location` on the upstream's own origin becomes the client-facing origin (or stays relative).
    func rewrite(location: String, authority: String?, secure: Bool = false) -> String {
        guard let url = self.upstreamURL else { return location }
        let prefixes = [url.origin + url.basePath, url.host == "127.0.0.1" ? "http://localhost:\(url.port)" + url.basePath : nil]
            .compactMap { $0 }
        for prefix in prefixes where location == prefix || location.hasPrefix(prefix + "/") || location.hasPrefix(prefix + "?") {
            let rest = String(location.dropFirst(prefix.count))
            let path = rest.isEmpty ? "/" : rest
            guard let host = authority else { return path }
            return "\(secure ? "https" : "http")://\(host)\(path)"
        }
        return location
    }
}

/// A request body that fails with 413 once it grows past `limit` (for chunked uploads through the proxy).
struct LimitedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: RequestBody
    let limit: Int

    func makeAsyncIterator() -> Iterator { Iterator(base: self.base.makeAsyncIterator(), limit: self.limit) }

    struct Iterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let limit: Int
        var seen = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await self.base.next() else { return nil }
            self.seen += chunk.readableBytes
            if self.seen > self.limit { throw HTTPError.contentTooLarge(limit: self.limit) }
            return chunk
        }
    }
}
