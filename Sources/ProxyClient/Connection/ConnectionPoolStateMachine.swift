import NIOCore

/// A connection as the pool's decisions see it: who it is and which event loop it lives on.
protocol PoolableConnection {
    associatedtype ID: Hashable
    associatedtype LoopID: Hashable
    /// Tells connections apart (a closed one is taken off the idle stack by it).
    var id: ID { get }
    /// The event loop the connection lives on: a caller on that loop forwards without a thread hop.
    var loopID: LoopID { get }
}

/// Every decision of a ``ConnectionPool``, and nothing else: events in, actions out, the time passed in.
///
/// The pool runs it under its lock and carries the actions out (connects, closes, resumes waiters) after the lock is
/// released; it never reads a channel or a clock of its own, so tests drive it with plain values
/// (`ConnectionPoolStateMachineTests`).
///
/// - A LIFO idle stack: the most recently released connection is the warmest; ones idle past `idleTimeout` are closed
///   instead of reused.
/// - At most `maxConnections` open (connecting ones included); beyond that, requests wait in arrival order for a
///   released connection or a freed slot.
/// - A connection on the caller's event loop is preferred, then a new one there while the pool has room, then any
///   idle one.
///
/// ```swift
/// var pool = ConnectionPoolStateMachine<Connection, Waiter>(maxConnections: 8, idleTimeout: .seconds(60))
/// switch pool.lease(on: loop, now: .now(), waiter: nil) {
/// case .reuse(let connection, let expired): ...   // close `expired`, use `connection`
/// case .connect(let expired): ...                 // open a connection on `loop`
/// case .wouldWait: ...                            // lease again with a waiter
/// case .wait: ...                                 // (only with a waiter)
/// }
/// ```
struct ConnectionPoolStateMachine<Connection: PoolableConnection, Waiter> {
    /// What a lease does.
    enum LeaseAction {
        /// Use this idle connection (check that it is still open: one that closed just now goes back through
        /// ``discard(_:)``). Close `expired` first: they idled too long.
        case reuse(Connection, expired: [Connection])
        /// Open a new connection; the slot is taken. Close `expired`.
        case connect(expired: [Connection])
        /// The pool is full and there was no waiter to queue: lease again with one.
        case wouldWait(expired: [Connection])
        /// The waiter is queued under this id. A later event hands it a released connection
        /// (``ReleaseAction/handOver(_:_:)``) or a freed slot to connect in, or it times out.
        case wait(WaiterID, expired: [Connection])
    }

    /// What a release does.
    enum ReleaseAction {
        /// Hand the connection to this waiter.
        case handOver(Waiter, Connection)
        /// The connection is on the idle stack.
        case keep
        /// Close it (not reusable, or the pool is shut down); its close frees the slot.
        case close(Connection)
    }

    /// A queued waiter's number.
    struct WaiterID: Hashable {
        fileprivate let value: UInt64
    }

    /// The counts the pool's gauges publish.
    struct Counts: Equatable {
        var open: Int
        var idle: Int
        var waiting: Int
        var leased: Int
    }

    fileprivate struct Idle {
        let connection: Connection
        let since: NIODeadline
    }

    let maxConnections: Int
    let idleTimeout: TimeAmount
    private var idle: [Idle] = []
    /// Open and connecting connections.
    private var open = 0
    /// Connections lent out (and slots being connected for a caller).
    private var leased = 0
    private var waiters: [(id: WaiterID, waiter: Waiter)] = []
    private var nextWaiterID: UInt64 = 0
    private var isShutDown = false

    init(maxConnections: Int, idleTimeout: TimeAmount) {
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
    }

    var counts: Counts { Counts(open: self.open, idle: self.idle.count, waiting: self.waiters.count, leased: self.leased) }

    /// A connection for a caller on `loop` (`nil`: off every event loop, any loop will do). With a `waiter`, a full
    /// pool queues it; without, it answers ``LeaseAction/wouldWait(expired:)`` and changes nothing but expiry.
    mutating func lease(on loop: Connection.LoopID?, now: NIODeadline, waiter: Waiter?) -> LeaseAction {
        // The stack is in release order, so the connections idle past the timeout are at its bottom.
        let stale = self.idle.prefix { now - $0.since > self.idleTimeout }.count
        let expired = self.idle[..<stale].map(\.connection)
        self.idle.removeFirst(stale)
        // A connection on another loop costs two thread hops per exchange for as long as it lives, so a new one on
        // the caller's loop is better while there is room.
        if let connection = self.takeIdle(where: { loop == nil || $0.loopID == loop }) {
            return .reuse(connection, expired: expired)
        }
        if self.open < self.maxConnections {
            self.open += 1
            self.leased += 1
            return .connect(expired: expired)
        }
        if let connection = self.takeIdle(where: { _ in true }) {
            return .reuse(connection, expired: expired)
        }
        guard let waiter else { return .wouldWait(expired: expired) }
        self.nextWaiterID += 1
        let id = WaiterID(value: self.nextWaiterID)
        self.waiters.append((id, waiter))
        return .wait(id, expired: expired)
    }

    /// An idle connection on `loop` that has not expired, or `nil`: never connects, queues or closes (the event-loop
    /// fast path; an expired one is left for ``lease(on:now:waiter:)`` to close).
    mutating func leaseIdle(on loop: Connection.LoopID, now: NIODeadline) -> Connection? {
        guard let index = self.idle.lastIndex(where: { $0.connection.loopID == loop }),
            now - self.idle[index].since <= self.idleTimeout
        else { return nil }
        self.leased += 1
        return self.idle.remove(at: index).connection
    }

    /// A leased connection turned out closed before it was used: it is no longer lent out (its close, reported by
    /// ``connectionClosed(_:)``, frees the slot).
    mutating func discard(_ connection: Connection) {
        self.leased -= 1
    }

    /// A leased connection comes back. `reusable`: its exchange ended cleanly and it is still open.
    mutating func release(_ connection: Connection, reusable: Bool, now: NIODeadline) -> ReleaseAction {
        guard reusable else {
            self.leased -= 1
            return .close(connection)
        }
        if !self.waiters.isEmpty { return .handOver(self.waiters.removeFirst().waiter, connection) }
        self.leased -= 1
        if self.isShutDown { return .close(connection) }
        self.idle.append(Idle(connection: connection, since: now))
        return .keep
    }

    /// Opening a connection failed: its slot is free again. Returns the waiter that takes the slot (and connects).
    mutating func connectFailed() -> Waiter? {
        self.leased -= 1
        return self.slotFreed()
    }

    /// A connection closed, whatever it was doing: off the idle stack, and its slot is free. Returns the waiter that
    /// takes the slot (and connects).
    mutating func connectionClosed(_ connection: Connection) -> Waiter? {
        self.idle.removeAll { $0.connection.id == connection.id }
        return self.slotFreed()
    }

    /// A waiter's time is up: the waiter to fail, or `nil` when it was granted in time.
    mutating func waiterTimedOut(_ id: WaiterID) -> Waiter? {
        guard let index = self.waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return self.waiters.remove(at: index).waiter
    }

    /// The pool closes: the idle connections to close; connections released later are closed too.
    mutating func shutdown() -> [Connection] {
        self.isShutDown = true
        defer { self.idle.removeAll() }
        return self.idle.map(\.connection)
    }

    private mutating func takeIdle(where matches: (Connection) -> Bool) -> Connection? {
        guard let index = self.idle.lastIndex(where: { matches($0.connection) }) else { return nil }
        self.leased += 1
        return self.idle.remove(at: index).connection
    }

    private mutating func slotFreed() -> Waiter? {
        self.open -= 1
        guard !self.waiters.isEmpty, self.open < self.maxConnections else { return nil }
        self.open += 1
        self.leased += 1
        return self.waiters.removeFirst().waiter
    }
}

extension ConnectionPoolStateMachine: Sendable where Connection: Sendable, Waiter: Sendable {}
extension ConnectionPoolStateMachine.LeaseAction: Sendable where Connection: Sendable {}
extension ConnectionPoolStateMachine.WaiterID: Sendable {}
extension ConnectionPoolStateMachine.LeaseAction: Equatable where Connection: Equatable {}
extension ConnectionPoolStateMachine.ReleaseAction: Equatable where Connection: Equatable, Waiter: Equatable {}
extension ConnectionPoolStateMachine.Idle: Sendable where Connection: Sendable {}
