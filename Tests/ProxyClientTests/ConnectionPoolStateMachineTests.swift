import NIOCore
import TandemTesting
import Testing

@testable import ProxyClient

/// A connection as the machine sees it: a number and the number of its event loop.
private struct Connection: PoolableConnection, Equatable, CustomStringConvertible {
    let id: Int
    let loopID: Int
    var description: String { "c\(self.id)@\(self.loopID)" }
}

private typealias Machine = ConnectionPoolStateMachine<Connection, String>

@Suite("ConnectionPoolStateMachine")
struct ConnectionPoolStateMachineTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    fileprivate let a = Connection(id: 1, loopID: 0)
    fileprivate let b = Connection(id: 2, loopID: 0)
    fileprivate let c = Connection(id: 3, loopID: 1)

    fileprivate func machine(max: Int = 4) -> Machine { Machine(maxConnections: max, idleTimeout: .seconds(60)) }

    /// A machine with `connections` open, connected for leases and released in order (the last is the warmest).
    fileprivate func withIdle(_ connections: [Connection], max: Int = 4) -> Machine {
        var machine = self.machine(max: max)
        for connection in connections {
            #expect(machine.lease(on: connection.loopID, now: self.start, waiter: nil) == .connect(expired: []))
        }
        for connection in connections { #expect(machine.release(connection, reusable: true, now: self.start) == .keep) }
        return machine
    }

    @Test("an empty pool connects; a clean release keeps the connection, and the next lease reuses it")
    func connectReleaseReuse() {
        var machine = self.machine()
        #expect(machine.lease(on: 0, now: self.start, waiter: nil) == .connect(expired: []))
        #expect(machine.counts == .init(open: 1, idle: 0, waiting: 0, leased: 1))
        #expect(machine.release(self.a, reusable: true, now: self.start) == .keep)
        #expect(machine.counts == .init(open: 1, idle: 1, waiting: 0, leased: 0))
        #expect(machine.lease(on: 0, now: self.start + .seconds(1), waiter: nil) == .reuse(self.a, expired: []))
        #expect(machine.counts == .init(open: 1, idle: 0, waiting: 0, leased: 1))
    }

    @Test("idle connections are reused last in, first out: the warmest first")
    func lifo() {
        var machine = self.withIdle([self.a, self.b])
        #expect(machine.lease(on: 0, now: self.start, waiter: nil) == .reuse(self.b, expired: []))
        #expect(machine.lease(on: 0, now: self.start, waiter: nil) == .reuse(self.a, expired: []))
    }

    @Test("a connection on the caller's loop comes first, then a new one there, then any idle one; off every loop, any")
    func loopPreference() {
        var machine = self.withIdle([self.a, self.c], max: 3)
        // c is warmer, but a is on the caller's loop.
        #expect(machine.lease(on: 0, now: self.start, waiter: nil) == .reuse(self.a, expired: []))
        #expect(machine.release(self.a, reusable: true, now: self.start) == .keep)
        // Nothing idle on loop 2 and room for one more: a new connection there rather than a hop to another loop.
        #expect(machine.lease(on: 2, now: self.start, waiter: nil) == .connect(expired: []))
        // Full now: the warmest idle one, whatever its loop.
        #expect(machine.lease(on: 2, now: self.start, waiter: nil) == .reuse(self.a, expired: []))
        #expect(machine.lease(on: nil, now: self.start, waiter: nil) == .reuse(self.c, expired: []))
    }

    @Test("connections idle past the timeout are handed back to close, and never reused")
    func expiry() {
        // Idle for exactly the timeout is still reusable (nginx's keepalive_timeout closes after it).
        var exact = self.withIdle([self.a])
        #expect(exact.lease(on: 0, now: self.start + .seconds(60), waiter: nil) == .reuse(self.a, expired: []))
        // a idled 61 s and expires; b (released at 30 s) is reused.
        var machine = self.withIdle([self.a, self.b])
        _ = machine.lease(on: 0, now: self.start, waiter: nil)  // b out
        #expect(machine.release(self.b, reusable: true, now: self.start + .seconds(30)) == .keep)
        #expect(machine.lease(on: 0, now: self.start + .seconds(61), waiter: nil) == .reuse(self.b, expired: [self.a]))
        #expect(machine.counts == .init(open: 2, idle: 0, waiting: 0, leased: 1))
        // The expired connection's slot is freed when its close is reported.
        #expect(machine.connectionClosed(self.a) == nil)
        #expect(machine.counts.open == 1)
    }

    @Test("leaseIdle takes only a warm connection on that loop, and never connects, queues or expires one")
    func leaseIdle() {
        var machine = self.withIdle([self.a, self.c])
        #expect(machine.leaseIdle(on: 1, now: self.start) == self.c)
        #expect(machine.leaseIdle(on: 1, now: self.start) == nil)
        #expect(machine.leaseIdle(on: 5, now: self.start) == nil)
        #expect(machine.counts == .init(open: 2, idle: 1, waiting: 0, leased: 1))
        // An expired one is left for lease to close.
        #expect(machine.leaseIdle(on: 0, now: self.start + .seconds(61)) == nil)
        #expect(machine.counts.idle == 1)
        #expect(machine.lease(on: 0, now: self.start + .seconds(61), waiter: nil) == .connect(expired: [self.a]))
    }

    @Test("a full pool queues waiters in arrival order and hands them released connections")
    func waiters() {
        var machine = self.machine(max: 1)
        #expect(machine.lease(on: 0, now: self.start, waiter: nil) == .connect(expired: []))
        // Without a waiter the machine only says it would wait, and changes nothing.
        #expect(machine.lease(on: 0, now: self.start, waiter: nil) == .wouldWait(expired: []))
        #expect(machine.counts == .init(open: 1, idle: 0, waiting: 0, leased: 1))
        guard case .wait(let first, _) = machine.lease(on: 0, now: self.start, waiter: "first"),
            case .wait(let second, _) = machine.lease(on: 1, now: self.start, waiter: "second")
        else {
            Issue.record("a full pool did not queue")
            return
        }
        #expect(first != second)
        #expect(machine.counts == .init(open: 1, idle: 0, waiting: 2, leased: 1))
        #expect(machine.release(self.a, reusable: true, now: self.start) == .handOver("first", self.a))
        #expect(machine.counts == .init(open: 1, idle: 0, waiting: 1, leased: 1))
        // A waiter granted in time does not time out.
        #expect(machine.waiterTimedOut(first) == nil)
        #expect(machine.waiterTimedOut(second) == "second")
        #expect(machine.release(self.a, reusable: true, now: self.start) == .keep)
        #expect(machine.counts == .init(open: 1, idle: 1, waiting: 0, leased: 0))
    }

    @Test("a connection that cannot be reused is closed, and its closing lets the next waiter connect")
    func closeFreesSlotForWaiter() {
        var machine = self.machine(max: 1)
        _ = machine.lease(on: 0, now: self.start, waiter: nil)
        _ = machine.lease(on: 0, now: self.start, waiter: "w")
        #expect(machine.release(self.a, reusable: false, now: self.start) == .close(self.a))
        #expect(machine.counts == .init(open: 1, idle: 0, waiting: 1, leased: 0))
        #expect(machine.connectionClosed(self.a) == "w")
        // The slot went to the waiter, which connects.
        #expect(machine.counts == .init(open: 1, idle: 0, waiting: 0, leased: 1))
    }

    @Test("a failed connect frees its slot for the next waiter; without one, the pool is empty again")
    func connectFailure() {
        var machine = self.machine(max: 1)
        _ = machine.lease(on: 0, now: self.start, waiter: nil)
        _ = machine.lease(on: 0, now: self.start, waiter: "w")
        #expect(machine.connectFailed() == "w")
        #expect(machine.counts == .init(open: 1, idle: 0, waiting: 0, leased: 1))
        #expect(machine.connectFailed() == nil)
        #expect(machine.counts == .init(open: 0, idle: 0, waiting: 0, leased: 0))
    }

    @Test("an idle connection that closes leaves the stack; one found closed at lease is discarded and its slot freed")
    func closedConnections() {
        var machine = self.withIdle([self.a, self.b])
        #expect(machine.connectionClosed(self.b) == nil)
        #expect(machine.counts == .init(open: 1, idle: 1, waiting: 0, leased: 0))
        #expect(machine.lease(on: 0, now: self.start, waiter: nil) == .reuse(self.a, expired: []))
        machine.discard(self.a)  // it had closed just now
        #expect(machine.counts == .init(open: 1, idle: 0, waiting: 0, leased: 0))
        #expect(machine.connectionClosed(self.a) == nil)
        #expect(machine.counts == .init(open: 0, idle: 0, waiting: 0, leased: 0))
    }

    @Test("shutdown hands back the idle connections to close; connections released afterwards are closed")
    func shutdown() {
        var machine = self.withIdle([self.a, self.b])
        _ = machine.lease(on: 0, now: self.start, waiter: nil)  // b out
        #expect(machine.shutdown() == [self.a])
        #expect(machine.release(self.b, reusable: true, now: self.start) == .close(self.b))
        #expect(machine.counts.idle == 0)
    }

    @Test("random events keep the counts consistent, never exceed the limit, and never strand a waiter", arguments: 1...20)
    func invariants(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let max = Int.random(in: 1...4, using: &random)
        var machine = self.machine(max: max)
        var now = self.start
        var nextID = 100
        // The model: what the pool's executor would know.
        var leased: [Connection] = [], idle: [Connection] = [], connecting = 0
        var waiting: [(name: String, id: Machine.WaiterID)] = []
        func granted(_ waiter: String?) {
            guard let waiter else { return }
            waiting.removeAll { $0.name == waiter }
            connecting += 1
        }
        func closed(_ connections: [Connection]) {
            idle.removeAll { connections.contains($0) }
            for connection in connections { granted(machine.connectionClosed(connection)) }
        }
        for step in 0..<400 {
            now = now + .seconds(Int64.random(in: 0...20, using: &random))
            switch Int.random(in: 0..<6, using: &random) {
            case 0, 1:  // a lease, queued when the pool is full
                let name = "w\(step)"
                switch machine.lease(on: Int.random(in: 0..<3, using: &random), now: now, waiter: name) {
                case .reuse(let connection, let expired):
                    idle.removeAll { $0 == connection }
                    leased.append(connection)
                    closed(expired)
                case .connect(let expired):
                    connecting += 1
                    closed(expired)
                case .wait(let id, let expired):
                    waiting.append((name, id))
                    closed(expired)
                case .wouldWait:
                    Issue.record("a lease with a waiter answered wouldWait")
                }
            case 2:  // a connect completes or fails
                guard connecting > 0 else { continue }
                connecting -= 1
                if Bool.random(using: &random) {
                    nextID += 1
                    leased.append(Connection(id: nextID, loopID: Int.random(in: 0..<3, using: &random)))
                } else {
                    granted(machine.connectFailed())
                }
            case 3, 4:  // a release, clean or not
                guard !leased.isEmpty else { continue }
                let connection = leased.remove(at: Int.random(in: 0..<leased.count, using: &random))
                switch machine.release(connection, reusable: Bool.random(using: &random), now: now) {
                case .handOver(let waiter, let handed):
                    #expect(handed == connection && waiting.first?.name == waiter, "hand-over out of order at \(step)")
                    waiting.removeAll { $0.name == waiter }
                    leased.append(handed)
                case .keep:
                    idle.append(connection)
                case .close(let gone):
                    granted(machine.connectionClosed(gone))
                }
            default:  // a waiter's time runs out
                guard !waiting.isEmpty else { continue }
                let waiter = waiting.remove(at: Int.random(in: 0..<waiting.count, using: &random))
                #expect(machine.waiterTimedOut(waiter.id) == waiter.name)
            }
            let counts = machine.counts
            #expect(counts.open <= max, "open \(counts.open) > \(max) at step \(step)")
            #expect(counts.leased == leased.count + connecting, "leased at step \(step)")
            #expect(counts.idle == idle.count, "idle at step \(step)")
            #expect(counts.open == counts.leased + counts.idle, "open = leased + idle at step \(step)")
            #expect(counts.waiting == waiting.count, "waiting at step \(step)")
            // A request waits only while nothing is idle and there is no room: no waiter is stranded.
            if counts.waiting > 0 { #expect(counts.idle == 0 && counts.open == max, "stranded waiter at step \(step)") }
        }
    }
}
