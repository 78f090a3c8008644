import CoreMetrics
import HTTPCore
import NIOCore
import Synchronization

// One server of an upstream: its address, its pool and its passive health.
extension Upstream {
    final class Server: Sendable {
        let url: UpstreamURL
        let pool: ConnectionPool
        let health = Mutex((failures: 0, downUntil: NIODeadline.uptimeNanoseconds(0)))
        /// Whether `health` counts failures: successes then reset it (no lock per success otherwise).
        private let failing = Atomic<Bool>(false)
        /// `tandem.upstream.healthy`, when metrics are recorded.
        let healthy: Gauge?

        /// A request succeeded: the failure count starts again.
        func recordSuccess() {
            guard self.failing.load(ordering: .relaxed) else { return }
            self.health.withLock { health in
                health.failures = 0
                self.failing.store(false, ordering: .relaxed)  // under the lock, so a failure cannot slip between
            }
            self.healthy?.record(1)
        }

        /// A request failed: after `maxFailures` in a row the server is skipped for `failTimeout`.
        func recordFailure(maxFailures: Int, failTimeout: TimeAmount) {
            self.health.withLock { health in
                self.failing.store(true, ordering: .relaxed)
                health.failures += 1
                if health.failures >= maxFailures {
                    health.downUntil = .now() + failTimeout
                    health.failures = 0
                    self.healthy?.record(0)
                }
            }
        }

        /// `host:port`, as access logs write it.
        let address: String

        init(url: UpstreamURL, pool: ConnectionPool, healthy: Gauge?) {
            self.url = url
            self.address = "\(url.host):\(url.port)"
            self.pool = pool
            self.healthy = healthy
            healthy?.record(1)
        }
    }
}
