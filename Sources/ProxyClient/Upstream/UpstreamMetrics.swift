import CoreMetrics

/// A connection pool's gauges, named after the OpenTelemetry HTTP client conventions where they have one:
/// - `http.client.open_connections` by `http.connection.state` (`active`: lent out or connecting; `idle`),
/// - `http.client.waiting_requests`: requests waiting for a connection because the pool is full,
/// each with `server.address` and `server.port`.
final class PoolGauges: Sendable {
    struct Counts {
        var open: Int
        var idle: Int
        var waiting: Int
    }

    private let active: Gauge
    private let idle: Gauge
    private let waiting: Gauge

    /// The gauges through `factory`; `nil` when that is the no-op one.
    init?(host: String, port: Int, factory: any MetricsFactory) {
        guard !(factory is NOOPMetricsHandler) else { return nil }
        let server = [("server.address", host), ("server.port", String(port))]
        self.active = Gauge(
            label: "http.client.open_connections",
            dimensions: server + [("http.connection.state", "active")],
            factory: factory
        )
        self.idle = Gauge(label: "http.client.open_connections", dimensions: server + [("http.connection.state", "idle")], factory: factory)
        self.waiting = Gauge(label: "http.client.waiting_requests", dimensions: server, factory: factory)
    }

    func publish(_ counts: Counts) {
        self.active.record(counts.open - counts.idle)
        self.idle.record(counts.idle)
        self.waiting.record(counts.waiting)
    }
}

/// An upstream's gauges beyond its pools':
/// - `tandem.upstream.healthy` (1 or 0) per server: 0 from the moment passive health checks mark it down
///   (`maxFailures` in a row) until a request to it succeeds again;
/// - `tandem.upstream.open_tunnels`: WebSocket/Upgrade tunnels open through the upstream.
final class UpstreamGauges: Sendable {
    private let factory: any MetricsFactory
    private let tunnels: Meter

    init?(factory: any MetricsFactory) {
        guard !(factory is NOOPMetricsHandler) else { return nil }
        self.factory = factory
        self.tunnels = Meter(label: "tandem.upstream.open_tunnels", factory: factory)
    }

    func healthGauge(host: String, port: Int) -> Gauge {
        Gauge(
            label: "tandem.upstream.healthy",
            dimensions: [("server.address", host), ("server.port", String(port))],
            factory: self.factory
        )
    }

    func tunnelOpened() { self.tunnels.increment() }
    func tunnelClosed() { self.tunnels.decrement() }
}
