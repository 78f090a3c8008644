import NIOCore
import NIOPosix
import Synchronization

/// Keep-alive connections to one upstream server.
///
/// Its decisions (a LIFO idle stack with expiry, at most `maxConnections`, waiters in order, the caller's event loop
/// preferred) are ``ConnectionPoolStateMachine``'s, made under the lock; this type carries out the actions after it:
/// connects, closes, resumes waiters, publishes the gauges. A connection goes back only after a clean end of its
/// response; anything else closes it.
final class ConnectionPool: Sendable {
    struct Configuration: Sendable {
        var maxConnections: Int
        var idleTimeout: TimeAmount
        var connectTimeout: TimeAmount
        var bodyBuffer: (low: Int, high: Int)
        /// TLS for an `https://` server.
        var tls: UpstreamTLS?
        /// Makes the channels instead of a socket connect (tests); `nil`: TCP to `host:port`.
        var connector: Connector?
    }

    /// Opens a channel to the pool's server on the event loop given, active and with nothing in its pipeline yet;
    /// the pool then sets it up for HTTP/1.1 (``UpstreamConnection/configure(_:host:port:bodyBuffer:tls:)``). The
    /// seam a test uses to put channels without sockets (`NIOAsyncTestingChannel`) under a real pool, with their
    /// loop's clock as the pool's.
    typealias Connector = @Sendable (_ eventLoop: any EventLoop) async throws -> any Channel

    /// What a waiter is given: a released connection, or a freed slot to connect in.
    private enum Grant {
        case connection(UpstreamConnection)
        case connect
    }

    private typealias Waiter = CheckedContinuation<Grant, any Error>
    private typealias Machine = ConnectionPoolStateMachine<UpstreamConnection, Waiter>

    let host: String
    let port: Int
    let configuration: Configuration
    private let group: any EventLoopGroup
    private let state: Mutex<Machine>

    var server: String { "\(self.host):\(self.port)" }

    /// The pool's gauges; `nil` without a metrics backend.
    private let gauges: PoolGauges?

    init(host: String, port: Int, configuration: Configuration, group: any EventLoopGroup, gauges: PoolGauges? = nil) {
        self.host = host
        self.port = port
        self.configuration = configuration
        self.group = group
        self.gauges = gauges
        self.state = Mutex(Machine(maxConnections: configuration.maxConnections, idleTimeout: configuration.idleTimeout))
    }

    /// Runs one event of the machine under its lock, then publishes the counts to the gauges (when there are any).
    private func withMachine<Result>(_ body: (inout Machine) -> sending Result) -> sending Result {
        guard let gauges = self.gauges else { return self.state.withLock(body) }
        let (result, counts) = self.state.withLock { machine in
            let result = body(&machine)
            return (result, machine.counts)
        }
        gauges.publish(PoolGauges.Counts(open: counts.open, idle: counts.idle, waiting: counts.waiting))
        return result
    }

    /// Connections currently lent out (for least-connections balancing).
    var activeRequests: Int { self.state.withLock { $0.counts.leased } }

    /// Requests queued for a connection (for tests).
    var waitingRequests: Int { self.state.withLock { $0.counts.waiting } }

    /// A connection for one request; give it back with ``release(_:reusable:)``.
    func lease() async throws -> UpstreamConnection {
        let preferred = MultiThreadedEventLoopGroup.currentEventLoop
        let loop = preferred.map(ObjectIdentifier.init)
        while true {
            let now = self.now(on: preferred)
            let action = self.withMachine { $0.lease(on: loop, now: now, waiter: nil) }
            switch action {
            case .reuse(let connection, let expired):
                Self.close(expired)
                // One that closed just now (its close event not yet in) is passed over.
                guard connection.isActive else {
                    self.withMachine { $0.discard(connection) }
                    continue
                }
                return connection
            case .connect(let expired):
                Self.close(expired)
                return try await self.connect(on: preferred ?? self.group.next())
            case .wouldWait(let expired), .wait(_, let expired):
                Self.close(expired)
                switch try await self.waitForGrant(on: preferred) {
                case .connection(let connection):
                    guard connection.isActive else {
                        self.withMachine { $0.discard(connection) }
                        continue
                    }
                    return connection
                case .connect:
                    return try await self.connect(on: preferred ?? self.group.next())
                }
            }
        }
    }

    /// An idle connection on `eventLoop`, if one is warm; never waits or connects (the event-loop fast path).
    func leaseIdle(on eventLoop: any EventLoop) -> UpstreamConnection? {
        let loop = ObjectIdentifier(eventLoop)
        let now = eventLoop.now
        while let connection = self.withMachine({ $0.leaseIdle(on: loop, now: now) }) {
            if connection.isActive { return connection }
            self.withMachine { $0.discard(connection) }
        }
        return nil
    }

    /// Gives a connection back: to the next waiter or the idle stack when `reusable`, closed otherwise.
    func release(_ connection: UpstreamConnection, reusable: Bool) {
        let reusable = reusable && connection.isActive
        let now = connection.eventLoop.now
        switch self.withMachine({ $0.release(connection, reusable: reusable, now: now) }) {
        case .handOver(let waiter, let connection): waiter.resume(returning: .connection(connection))
        case .keep: break
        case .close(let connection): connection.close()  // its closeFuture frees the slot
        }
    }

    /// Closes idle connections and refuses new ones.
    func shutdown() {
        Self.close(self.withMachine { $0.shutdown() })
    }

    /// The time by the loop a lease runs on, else by one of the pool's loops: the wall clock on a real loop, the
    /// test's clock on a testing one (idle expiry then moves only when the test moves it).
    private func now(on preferred: (any EventLoop)?) -> NIODeadline {
        (preferred ?? self.group.any()).now
    }

    private static func close(_ connections: [UpstreamConnection]) {
        for connection in connections { connection.close() }
    }

    private func connect(on eventLoop: any EventLoop) async throws -> UpstreamConnection {
        do {
            let connection = try await self.open(on: eventLoop)
            connection.channel.closeFuture.whenComplete { _ in self.connectionClosed(connection) }
            return connection
        } catch {
            self.withMachine { $0.connectFailed() }?.resume(returning: .connect)
            throw error
        }
    }

    private func open(on eventLoop: any EventLoop) async throws -> UpstreamConnection {
        let configuration = self.configuration
        guard let connector = configuration.connector else {
            return try await UpstreamConnection.connect(
                host: self.host,
                port: self.port,
                on: eventLoop,
                connectTimeout: configuration.connectTimeout,
                bodyBuffer: configuration.bodyBuffer,
                tls: configuration.tls
            )
        }
        let channel = try await connector(eventLoop)
        let (host, port) = (self.host, self.port)
        return try await channel.eventLoop.submit {
            try UpstreamConnection.configure(channel, host: host, port: port, bodyBuffer: configuration.bodyBuffer, tls: nil).0
        }.get()
    }

    /// A connection closed (whether idle, leased or never used): free its slot, perhaps for a waiter.
    private func connectionClosed(_ connection: UpstreamConnection) {
        self.withMachine { $0.connectionClosed(connection) }?.resume(returning: .connect)
    }

    /// Queues for a connection until `connectTimeout`; the lease is tried again under the same lock as the queueing,
    /// so a release between the first try and this one is not missed.
    private func waitForGrant(on preferred: (any EventLoop)?) async throws -> Grant {
        let loop = preferred.map(ObjectIdentifier.init)
        let timer = TimerBox()
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { (continuation: Waiter) in
            let now = self.now(on: preferred)
            switch self.withMachine({ $0.lease(on: loop, now: now, waiter: continuation) }) {
            case .reuse(let connection, let expired):
                Self.close(expired)
                continuation.resume(returning: .connection(connection))
            case .connect(let expired):
                Self.close(expired)
                continuation.resume(returning: .connect)
            case .wouldWait(let expired):
                // Not answered to a lease with a waiter (ConnectionPoolStateMachineTests); should it ever be, the
                // caller gets the full pool's error rather than a wait nobody ends.
                Self.close(expired)
                continuation.resume(throwing: UpstreamError.poolTimeout(self.server))
            case .wait(let id, let expired):
                Self.close(expired)
                timer.set(
                    self.group.next().scheduleTask(in: self.configuration.connectTimeout) {
                        self.withMachine { $0.waiterTimedOut(id) }?
                            .resume(throwing: UpstreamError.poolTimeout(self.server))
                    }
                )
            }
        }
    }
}

extension UpstreamConnection: PoolableConnection {
    var id: ObjectIdentifier { ObjectIdentifier(self.channel) }
    var loopID: ObjectIdentifier { ObjectIdentifier(self.channel.eventLoop) }
}

/// Holds a scheduled timeout so it can be cancelled from another scope.
private final class TimerBox: Sendable {
    private let scheduled = Mutex<Scheduled<Void>?>(nil)
    func set(_ value: Scheduled<Void>) { self.scheduled.withLock { $0 = value } }
    func cancel() { self.scheduled.withLock { $0?.cancel() } }
}
