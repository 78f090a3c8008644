package import CoreMetrics
import NIOCore
import Synchronization

/// Metrics made once per key and kept: a backend's `make…` per request (a registry lookup under a lock, name
/// sanitising) doubled the CPU of a small request with swift-prometheus.
package final class MetricCache<Key: Hashable & Sendable, Metric: AnyObject & Sendable>: Sendable {
    private let metrics = Mutex<[Key: Metric]>([:])

    package init() {}

    /// The metric for `key`, made by `make` the first time.
    package func metric(_ key: Key, make: () -> Metric) -> Metric {
        if let metric = self.metrics.withLock({ $0[key] }) { return metric }
        let made = make()
        return self.metrics.withLock { metrics in
            if let existing = metrics[key] { return existing }
            metrics[key] = made
            return made
        }
    }
}

extension CoreMetrics.Timer {
    /// Records the time since `start`.
    package func record(since start: ContinuousClock.Instant) {
        self.recordNanoseconds((ContinuousClock.now - start).timeAmount.nanoseconds)
    }
}
