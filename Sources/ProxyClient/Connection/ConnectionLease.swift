import NIOCore
import Synchronization

/// Owns a leased connection until its response ends: returned to the pool after a clean end, closed if the
/// body was abandoned or the response is dropped unread.
final class ConnectionLease: Sendable {
    private let pool: ConnectionPool
    private let connection: UpstreamConnection
    private let ended: EventLoopFuture<Bool>
    private let done = Atomic<Bool>(false)

    init(pool: ConnectionPool, connection: UpstreamConnection, ended: EventLoopFuture<Bool>) {
        self.pool = pool
        self.connection = connection
        self.ended = ended
    }

    /// The body was read to its end: reuse the connection once the response has ended cleanly.
    func finish() {
        guard !self.done.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let pool = self.pool
        let connection = self.connection
        self.ended.whenComplete { result in
            pool.release(connection, reusable: (try? result.get()) ?? false)
        }
    }

    /// The body was not read to its end: the connection cannot be reused.
    func abandon() {
        guard !self.done.exchange(true, ordering: .acquiringAndReleasing) else { return }
        self.pool.release(self.connection, reusable: false)
    }

    deinit {
        if !self.done.load(ordering: .acquiring) {
            self.pool.release(self.connection, reusable: false)
        }
    }
}
