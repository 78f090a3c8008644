public import CoreMetrics
package import NIOCore
public import Tracing

/// Limits that protect a server from clients, each with a safe default.
///
/// ```swift
/// var limits = HTTPServerLimits()
/// limits.maxBodyBytes = 50 << 20     // 50 MiB uploads
/// ```
public struct HTTPServerLimits: Sendable, Hashable {
    /// Most bytes in a request head (request line and header fields); beyond it: 431. Default 16 KiB.
    public var maxHeaderBytes: Int
    /// Most header fields in a request; beyond it: 431. Default 100.
    public var maxHeaderCount: Int
    /// Most bytes in a request body; beyond it: 413, also for chunked bodies. Default 1 MiB.
    public var maxBodyBytes: Int
    /// Most connections open at once; more wait in the accept backlog. Default 4096.
    public var maxConnections: Int
    /// Most pipelined requests waiting behind the one in flight on a connection (sent before their turn);
    /// beyond it the connection is closed. Default 64. (nginx reads pipelined requests from its bounded
    /// `client_header_buffer_size` buffer instead.)
    public var maxPipelinedRequests: Int
    /// Body chunks buffered before the server stops reading the socket (back-pressure). Default 8.
    public var bodyHighWatermark: Int
    /// Buffered chunks below which the server reads again. Default 2.
    public var bodyLowWatermark: Int

    /// The defaults, each overridable.
    public init(
        maxHeaderBytes: Int = 16 * 1024,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 1024 * 1024,
        maxConnections: Int = 4096,
        maxPipelinedRequests: Int = 64,
        bodyHighWatermark: Int = 8,
        bodyLowWatermark: Int = 2
    ) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxConnections = maxConnections
        self.maxPipelinedRequests = maxPipelinedRequests
        self.bodyHighWatermark = bodyHighWatermark
        self.bodyLowWatermark = bodyLowWatermark
    }
}

extension HTTPServer {
    /// Where and how the server listens (the same type for every handler).
    public typealias Configuration = HTTPServerConfiguration
}

/// Where and how an ``HTTPServer`` listens. One type for servers of every handler type, so that a launcher
/// can take it for servers it has not built yet.
///
/// ```swift
/// let configuration = HTTPServerConfiguration(host: "0.0.0.0", port: 8000, idleTimeout: .seconds(75))
/// ```
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind; `127.0.0.1` by default (use `0.0.0.0` to listen on every interface).
    public var host: String
    /// Port to bind; `0` picks a free one, reported by ``HTTPServer/listeningAddress()``.
    public var port: Int
    /// Request limits.
    public var limits: HTTPServerLimits
    /// How long a kept-alive connection may sit without a request. Default 60 s.
    public var idleTimeout: Duration
    /// How long a request head may take to arrive once it started; then 408. Default 30 s.
    public var requestHeadTimeout: Duration
    /// Longest wait for the next bytes of a request body while the server reads it (nginx
    /// `client_body_timeout`); then 408 (or, once a response started, a closed connection). Default 60 s.
    public var requestBodyTimeout: Duration
    /// How long a graceful shutdown waits for requests in flight before it closes their connections
    /// (nginx `worker_shutdown_timeout`). Default 30 s, inside Kubernetes' default grace period.
    public var shutdownTimeout: Duration
    /// The listen backlog. Default 256.
    public var backlog: Int
    /// Let handlers that only forward requests (`ReverseProxy`, alone or behind a `PrefixRouter`,
    /// `RequestIDMiddleware`, `AccessLogMiddleware` and `ErrorMiddleware`) serve plain `GET`s on the
    /// connection's event loop, without a task per request: same behaviour, less than half the CPU per
    /// request. Default true; other handlers are not affected.
    public var eventLoopFastPath: Bool
    /// A socket that is already bound and listening, to serve instead of binding ``host`` and ``port`` (a
    /// launcher that bound it first, systemd socket activation). The server owns it from then on and closes it
    /// when it stops. Default `nil`: the server binds.
    public var listeningSocket: CInt?
    /// Where the server's metrics go (``ServerMetrics``: request durations by route template, active requests,
    /// requests refused by limits). `nil` (default): swift-metrics' global `MetricsSystem.factory`, so a program that
    /// bootstraps a backend (Prometheus, OpenTelemetry) gets them; with none bootstrapped nothing is recorded.
    public var metricsFactory: (any MetricsFactory)?
    /// Dimensions added to every metric of this server, to tell servers of one process apart (`TandemApp` adds
    /// `server.name`). Default none.
    public var metricsDimensions: [(String, String)] = []
    /// Where the server's spans go: one `server` span per request, continuing the caller's `traceparent`, named after
    /// the route template. `nil` (default): swift-distributed-tracing's `InstrumentationSystem.tracer`; with none
    /// bootstrapped nothing is traced. While a tracer is set, requests skip the event-loop fast path (it has no task
    /// to carry the span's context).
    public var tracer: (any Tracer)?
    /// The request methods metrics and spans name as they are; the others are `_OTHER` (``KnownMethods``).
    /// Default ``KnownMethods/standard``.
    public var knownMethods: KnownMethods = .standard
    /// Peers whose `X-Forwarded-For` is believed for the client's address (``RequestContext/clientAddress``, logs,
    /// spans): the gateway or nginx in front (nginx `set_real_ip_from`). Default none: the peer is the client.
    public var trustedProxies: [CIDR] = []
    /// How accepted connections become HTTP. Default ``ServerTransport/plaintext`` (cleartext HTTP/1.1); the
    /// `TandemTLS` product adds `.tls(…)`: TLS termination with HTTP/2 and HTTP/1.1 by ALPN.
    public var transport: ServerTransport = .plaintext

    /// Creates a configuration; every value has a safe default.
    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        limits: HTTPServerLimits = HTTPServerLimits(),
        idleTimeout: Duration = .seconds(60),
        requestHeadTimeout: Duration = .seconds(30),
        requestBodyTimeout: Duration = .seconds(60),
        shutdownTimeout: Duration = .seconds(30),
        backlog: Int = 256,
        eventLoopFastPath: Bool = true
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.idleTimeout = idleTimeout
        self.requestHeadTimeout = requestHeadTimeout
        self.requestBodyTimeout = requestBodyTimeout
        self.shutdownTimeout = shutdownTimeout
        self.backlog = backlog
        self.eventLoopFastPath = eventLoopFastPath
    }
}

extension Duration {
    /// The duration as a NIO `TimeAmount`.
    package var timeAmount: TimeAmount {
        let (seconds, attoseconds) = self.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
