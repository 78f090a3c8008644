public import HTTPCore
public import HTTPTypes
import Logging
public import NIOCore
import Synchronization
import Tracing

/// A small HTTP/1.1 client for service-to-service calls, on the same pooled connections as the proxy.
///
/// `http://` URLs, and `https://` ones when the configuration has ``Upstream/Configuration/tls`` (TandemTLS makes
/// it: system trust roots or a CA file, SNI, hostname verification); redirects are not followed and nothing is retried except
/// idempotent requests that failed before any response byte (see ``Upstream``).
///
/// ```swift
/// let client = HTTPClient()
/// let response = try await client.get("http://127.0.0.1:8000/api/search/?query=swift")
/// let body = try await response.body.collect(upTo: 1 << 20)
/// ```
public final class HTTPClient: Sendable {
    /// Pooling and timeouts for every origin this client talks to.
    public let configuration: Upstream.Configuration
    private let upstreams = Mutex<[String: Upstream]>([:])

    /// Creates a client (its tracer, when the configuration names none, is the one current now).
    public init(configuration: Upstream.Configuration = Upstream.Configuration()) {
        var configuration = configuration
        if configuration.tracer == nil { configuration.tracer = InstrumentationSystem.tracer }
        self.configuration = configuration
    }

    /// Sends `request` to `origin` (`http://host:port`); the request's own path and headers are used.
    public func send(_ request: Request, to origin: String, context: RequestContext? = nil) async throws -> Response {
        let upstream = try self.upstream(for: origin)
        var request = request
        if request.head.authority == nil, let url = upstream.urls.first { request.head.authority = url.authority }
        return try await upstream.send(request, context: context ?? RequestContext(logger: .init(label: "tandem.http-client")))
    }

    /// Sends a request to a full URL.
    public func execute(
        _ method: HTTPRequest.Method,
        _ url: String,
        headers: HTTPFields = [:],
        body: ByteBuffer? = nil,
        context: RequestContext? = nil
    ) async throws -> Response {
        let target = try UpstreamURL(url)
        let path = target.basePath.isEmpty ? "/" : target.basePath
        var fields = headers
        if let body { fields[.contentLength] = String(body.readableBytes) }
        let head = HTTPRequest(method: method, scheme: nil, authority: target.authority, path: path, headerFields: fields)
        return try await self.send(
            Request(head: head, body: body.map { RequestBody(bytes: $0) } ?? .empty),
            to: target.origin,
            context: context
        )
    }

    /// `GET url`.
    public func get(_ url: String, headers: HTTPFields = [:], context: RequestContext? = nil) async throws -> Response {
        try await self.execute(.get, url, headers: headers, context: context)
    }

    /// `POST url` with `body`.
    public func post(_ url: String, headers: HTTPFields = [:], body: ByteBuffer, context: RequestContext? = nil) async throws -> Response {
        try await self.execute(.post, url, headers: headers, body: body, context: context)
    }

    /// Closes idle connections.
    public func shutdown() {
        for upstream in self.upstreams.withLock({ Array($0.values) }) { upstream.shutdown() }
    }

    private func upstream(for origin: String) throws -> Upstream {
        let key = try UpstreamURL(origin).origin
        if let existing = self.upstreams.withLock({ $0[key] }) { return existing }
        let created = try Upstream(key, configuration: self.configuration)
        return self.upstreams.withLock { upstreams in
            if let existing = upstreams[key] { return existing }
            upstreams[key] = created
            return created
        }
    }
}
