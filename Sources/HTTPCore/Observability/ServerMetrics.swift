package import CoreMetrics

/// The server's metrics through swift-metrics, named after the OpenTelemetry HTTP semantic conventions:
/// - `http.server.request.duration` (timer; `http.request.method`, `http.response.status_code`, `http.route`; a
///   method outside ``KnownMethods`` is `_OTHER`, so clients cannot add labels),
/// - `http.server.active_requests` (meter),
/// - `http.server.rejected_requests` (counter; `http.response.status_code`): requests the server's own limits
///   refused (400, 408, 413, 431, 503) before any handler saw them.
/// With swift-metrics' default no-op backend nothing is created or recorded.
package final class ServerMetrics: Sendable {
    let factory: any MetricsFactory
    /// Added to every metric (the server's name in a program that runs several).
    let dimensions: [(String, String)]
    let knownMethods: KnownMethods
    let active: Meter
    private let timers = MetricCache<TimerKey, Timer>()
    private let counters = MetricCache<Int, Counter>()

    struct TimerKey: Hashable {
        let method: String
        let status: Int
        let route: String
    }

    /// The metrics recorded through `factory` (`MetricsSystem.factory` when `nil`); `nil` when that is the no-op one.
    package init?(factory: (any MetricsFactory)?, dimensions: [(String, String)] = [], knownMethods: KnownMethods = .standard) {
        let factory = factory ?? MetricsSystem.factory
        guard !(factory is NOOPMetricsHandler) else { return nil }
        self.factory = factory
        self.dimensions = dimensions
        self.knownMethods = knownMethods
        self.active = Meter(label: "http.server.active_requests", dimensions: dimensions, factory: factory)
    }

    package func requestStarted() {
        self.active.increment()
    }

    package func requestEnded(method: String, status: Int, route: String?, since start: ContinuousClock.Instant) {
        self.active.decrement()
        let key = TimerKey(method: self.knownMethods.label(for: method), status: status, route: route ?? "")
        let timer = self.timers.metric(key) {
            Timer(
                label: "http.server.request.duration",
                dimensions: self.dimensions + [
                    ("http.request.method", key.method), ("http.response.status_code", String(status)), ("http.route", key.route),
                ],
                preferredDisplayUnit: .seconds,
                factory: self.factory
            )
        }
        timer.record(since: start)
    }

    /// A request the event-loop fast path started and handed to the async path (which records it itself).
    package func requestHandedBack() {
        self.active.decrement()
    }

    package func rejected(status: Int) {
        let counter = self.counters.metric(status) {
            Counter(
                label: "http.server.rejected_requests",
                dimensions: self.dimensions + [("http.response.status_code", String(status))],
                factory: self.factory
            )
        }
        counter.increment()
    }
}
