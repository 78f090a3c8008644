import NIOCore
import NIOPosix
import Synchronization

/// Keep-alive connections to one upstream server.
///
/// - A LIFO idle stack (the most recently used connection is warm), connections idle past
///   `idleTimeout` are closed instead of reused.
/// - At most `maxConnections` open; further requests wait for a free one until `connectTimeout`.
/// - A connection goes back only after a clean end of its response; anything else closes it.
/// - Connections on the caller's own event loop are preferred, so a proxied request does not hop threads.
final class ConnectionPool: Sendable {
    struct Configuration: Sendable {
        var maxConnections: Int
        var idleTimeout: TimeAmount
        var connectTimeout: TimeAmount
        var bodyBuffer: (low: Int, high: Int)
        /// TLS for an `https://` server.
        var tls: UpstreamTLS?
    }

    private struct Idle {
        let connection: UpstreamConnection
        let since: NIODeadline
    }

    private enum Grant {
        case connection(UpstreamConnection)
        case connect
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Grant, any Error>
    }

    private struct State {
        var idle: [Idle] = []
        var open = 0
        var leased = 0
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var closed = false

        /// Takes the most recently released idle connection that `matches` off the stack, passing over any that
        /// closed just now (their close futures take them off anyway).
        mutating func takeIdle(where matches: (UpstreamConnection) -> Bool) -> UpstreamConnection? {
            while let index = self.idle.lastIndex(where: { matches($0.connection) }) {
                let connection = self.idle.remove(at: index).connection
                if connection.isActive { return connection }
            }
            return nil
        }
    }

    let host: String
    let port: Int
    let configuration: Configuration
    private let group: any EventLoopGroup
    private let state = Mutex(State())

    var server: String { "\(self.host):\(self.port)" }

    /// The pool's gauges; `nil` without a metrics backend.
    private let gauges: PoolGauges?

    init(host: String, port: Int, configuration: Configuration, group: any EventLoopGroup, gauges: PoolGauges? = nil) {
        self.host = host
        self.port = port
        self.configuration = configuration
        self.group = group
        self.gauges = gauges
    }

    /// Changes the state under its lock, then publishes the counts to the gauges (when there are any).
    private func withState<Result>(_ body: (inout State) -> sending Result) -> sending Result {
        guard let gauges = self.gauges else { return self.state.withLock(body) }
        let (result, counts) = self.state.withLock { state in
            let result = body(&state)
            return (result, PoolGauges.Counts(open: state.open, idle: state.idle.count, waiting: state.waiters.count))
        }
        gauges.publish(counts)
        return result
    }

    /// Connections currently lent out (for least-connections balancing).
    var activeRequests: Int { self.state.withLock { $0.leased } }

    /// A connection for one request; give it back with ``release(_:reusable:)``.
    func lease() async throws -> UpstreamConnection {
        let preferred = MultiThreadedEventLoopGroup.currentEventLoop
        let now = NIODeadline.now()
        enum Decision { case reuse(UpstreamConnection), connect, wait }
        var expired: [UpstreamConnection] = []
        let decision: Decision = self.withState { state in
            // The stack is in release order: connections idle past the timeout are at its bottom. (Scanning all of it
            // on every lease, for closed ones too, was 5% of the gateway's CPU with 256 pooled connections; a closed
            // one leaves the stack when its close future completes, and one closed just now is skipped when picked.)
            let stale = state.idle.prefix { now - $0.since > self.configuration.idleTimeout }.count
            if stale > 0 {
                expired.append(contentsOf: state.idle[..<stale].lazy.map(\.connection))
                state.idle.removeFirst(stale)
            }
            // LIFO on the caller's event loop; then a new connection there while the pool has room (a
            // connection on another loop costs two thread hops per exchange, for as long as it lives); then
            // any idle one.
            // (A caller off every event loop takes any.)
            if let connection = state.takeIdle(where: { preferred == nil || $0.eventLoop === preferred }) {
                state.leased += 1
                return .reuse(connection)
            }
            if state.open < self.configuration.maxConnections {
                state.open += 1
                state.leased += 1
                return .connect
            }
            if let connection = state.takeIdle(where: { _ in true }) {
                state.leased += 1
                return .reuse(connection)
            }
            return .wait
        }
        for connection in expired { connection.close() }
        switch decision {
        case .reuse(let connection):
            return connection
        case .connect:
            return try await self.connect(on: preferred ?? self.group.next())
        case .wait:
            switch try await self.waitForGrant() {
            case .connection(let connection): return connection
            case .connect: return try await self.connect(on: preferred ?? self.group.next())
            }
        }
    }

    /// An idle connection on `eventLoop`, if one is warm; never waits or connects (the event-loop fast path).
    func leaseIdle(on eventLoop: any EventLoop) -> UpstreamConnection? {
        let now = NIODeadline.now()
        return self.withState { state in
            guard let index = state.idle.lastIndex(where: { $0.connection.eventLoop === eventLoop }) else { return nil }
            let idle = state.idle[index]
            // Stale ones are left for `lease()` to close.
            guard idle.connection.isActive, now - idle.since <= self.configuration.idleTimeout else { return nil }
            state.idle.remove(at: index)
            state.leased += 1
            return idle.connection
        }
    }

    /// Gives a connection back: to the next waiter or the idle stack when `reusable`, closed otherwise.
    func release(_ connection: UpstreamConnection, reusable: Bool) {
        guard reusable, connection.isActive else {
            self.withState { $0.leased -= 1 }
            connection.close()  // its closeFuture frees the slot
            return
        }
        let now = NIODeadline.now()
        let (waiter, closed): (Waiter?, Bool) = self.withState { state in
            if !state.waiters.isEmpty { return (state.waiters.removeFirst(), state.closed) }
            state.leased -= 1
            if state.closed { return (nil, true) }
            state.idle.append(Idle(connection: connection, since: now))
            return (nil, false)
        }
        waiter?.continuation.resume(returning: .connection(connection))
        if closed { connection.close() }
    }

    /// Closes idle connections and refuses new ones.
    func shutdown() {
        let idle = self.withState { state in
            state.closed = true
            defer { state.idle.removeAll() }
            return state.idle.map(\.connection)
        }
        for connection in idle { connection.close() }
    }

    private func connect(on eventLoop: any EventLoop) async throws -> UpstreamConnection {
        do {
            let connection = try await UpstreamConnection.connect(
                host: self.host,
                port: self.port,
                on: eventLoop,
                connectTimeout: self.configuration.connectTimeout,
                bodyBuffer: self.configuration.bodyBuffer,
                tls: self.configuration.tls
            )
            connection.channel.closeFuture.whenComplete { _ in self.connectionClosed(connection) }
            return connection
        } catch {
            self.withState { state in
                state.leased -= 1
            }
            self.slotFreed()
            throw error
        }
    }

    /// A connection closed (whether idle, leased or never used): free its slot.
    private func connectionClosed(_ connection: UpstreamConnection) {
        self.withState { state in
            state.idle.removeAll { $0.connection.channel === connection.channel }
        }
        self.slotFreed()
    }

    /// One open connection fewer: let a waiter connect in its place.
    private func slotFreed() {
        let waiter: Waiter? = self.withState { state in
            state.open -= 1
            guard !state.waiters.isEmpty, state.open < self.configuration.maxConnections else { return nil }
            state.open += 1
            state.leased += 1
            return state.waiters.removeFirst()
        }
        waiter?.continuation.resume(returning: .connect)
    }

    private func waitForGrant() async throws -> Grant {
        let id = self.withState { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        let timer = TimerBox()
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            // Registered before the timer exists, so the timer always finds it (or finds it granted).
            self.withState { $0.waiters.append(Waiter(id: id, continuation: continuation)) }
            timer.set(
                self.group.next().scheduleTask(in: self.configuration.connectTimeout) {
                    let waiter: Waiter? = self.withState { state in
                        guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                        return state.waiters.remove(at: index)
                    }
                    waiter?.continuation.resume(throwing: UpstreamError.poolTimeout(self.server))
                }
            )
        }
    }
}

/// Holds a scheduled timeout so it can be cancelled from another scope.
private final class TimerBox: Sendable {
    private let scheduled = Mutex<Scheduled<Void>?>(nil)
    func set(_ value: Scheduled<Void>) { self.scheduled.withLock { $0 = value } }
    func cancel() { self.scheduled.withLock { $0?.cancel() } }
}
