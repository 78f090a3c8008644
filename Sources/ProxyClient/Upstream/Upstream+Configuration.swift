public import CoreMetrics
import HTTPCore
import NIOCore
public import Tracing

// An upstream's pool sizes, timeouts, balancing and health rules.
extension Upstream {
    /// Pool sizes, timeouts, balancing and health rules; every value has a safe default.
    public struct Configuration: Sendable {
        /// Most open connections per server. Default 128.
        public var maxConnectionsPerServer: Int
        /// Idle connections older than this are closed instead of reused. Default 60 s.
        public var idleTimeout: Duration
        /// Longest wait for a connection (new or from the pool). Default 5 s.
        public var connectTimeout: Duration
        /// Longest wait for the response head, and between body chunks (nginx `proxy_read_timeout`). Default 60 s.
        public var responseTimeout: Duration
        /// Longest time for a whole exchange, from sending the request to the response's last byte, however
        /// steadily bytes trickle in; then the upstream call fails with a timeout (504). Default `nil`: none, as in
        /// nginx, since a proxied download may take long. ``APIClient``-style callers that collect a response set it.
        public var totalTimeout: Duration?
        /// How servers are chosen. Default round-robin.
        public var balancing: Balancing
        /// Consecutive failures after which a server is skipped. Default 3.
        public var maxFailures: Int
        /// How long a failed server is skipped. Default 10 s.
        public var failTimeout: Duration
        /// Whether idempotent, bodiless requests are retried once. Default true.
        public var retryIdempotentRequests: Bool
        /// Response body chunks buffered before the upstream read pauses (back-pressure). Default 8.
        public var bodyHighWatermark: Int
        /// Where `http.client.request.duration` and the pool and health gauges go (by `server.address`, `server.port`,
        /// and the status code or `error.type`). `nil` (default): swift-metrics' `MetricsSystem.factory` when the
        /// upstream is created; nothing is recorded without a backend.
        public var metricsFactory: (any MetricsFactory)?
        /// Where the client spans go: one `client` span per try, a child of the calling task's span
        /// (`ServiceContext.current`), its context sent on in `traceparent`. `nil` (default): swift-distributed-tracing's
        /// `InstrumentationSystem.tracer` at creation; with none bootstrapped nothing is traced. While a tracer is set,
        /// a ``ReverseProxy`` over this upstream leaves the event-loop fast path.
        public var tracer: (any Tracer)?
        /// TLS for `https://` servers (an `https://` URL without it is refused when the upstream is made). ProxyClient
        /// has no TLS of its own: the `TandemTLS` product makes one, `.tls()` (system trust roots) or
        /// `.tls(caFile:)`. Default `nil`.
        public var tls: UpstreamTLS?

        /// Creates a configuration.
        public init(
            maxConnectionsPerServer: Int = 128,
            idleTimeout: Duration = .seconds(60),
            connectTimeout: Duration = .seconds(5),
            responseTimeout: Duration = .seconds(60),
            totalTimeout: Duration? = nil,
            balancing: Balancing = .roundRobin,
            maxFailures: Int = 3,
            failTimeout: Duration = .seconds(10),
            retryIdempotentRequests: Bool = true,
            bodyHighWatermark: Int = 8
        ) {
            self.maxConnectionsPerServer = maxConnectionsPerServer
            self.idleTimeout = idleTimeout
            self.connectTimeout = connectTimeout
            self.responseTimeout = responseTimeout
            self.totalTimeout = totalTimeout
            self.balancing = balancing
            self.maxFailures = maxFailures
            self.failTimeout = failTimeout
            self.retryIdempotentRequests = retryIdempotentRequests
            self.bodyHighWatermark = bodyHighWatermark
        }

        var exchangeTimeouts: ExchangeTimeouts {
            ExchangeTimeouts(perRead: self.responseTimeout.timeAmount, total: self.totalTimeout?.timeAmount)
        }
    }
}
