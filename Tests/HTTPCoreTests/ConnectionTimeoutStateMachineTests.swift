import NIOCore
import Testing

@testable import HTTPCore

@Suite("ConnectionTimeoutStateMachine")
struct ConnectionTimeoutStateMachineTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    func machine() -> ConnectionTimeoutStateMachine {
        ConnectionTimeoutStateMachine(idleTimeout: .seconds(60), requestHeadTimeout: .seconds(10), now: self.start)
    }

    @Test("a new connection that sends nothing is closed silently after the request-head timeout")
    func silentNewConnection() {
        var machine = self.machine()
        #expect(machine.initialAction == .arm(self.start + .seconds(10)))
        #expect(machine.timerFired(now: self.start + .seconds(10)) == .close)
        // Even with a short idle timeout, a new connection gets the head timeout (nginx's client_header_timeout).
        var short = ConnectionTimeoutStateMachine(idleTimeout: .milliseconds(100), requestHeadTimeout: .seconds(10), now: self.start)
        #expect(short.initialAction == .arm(self.start + .seconds(10)))
        #expect(short.timerFired(now: self.start + .seconds(1)) == .arm(self.start + .seconds(10)))
    }

    @Test("a client trickling a request head gets 408 when the head timeout runs out")
    func tricklingHead() {
        var machine = self.machine()
        let firstByte = self.start + .seconds(1)
        #expect(machine.bytesReceived(now: firstByte) == .arm(firstByte + .seconds(10)))
        // More bytes do not extend the deadline.
        #expect(machine.bytesReceived(now: firstByte + .seconds(5)) == .none)
        #expect(machine.timerFired(now: firstByte + .seconds(9)) == .arm(firstByte + .seconds(10)))
        #expect(machine.timerFired(now: firstByte + .seconds(10)) == .requestTimeout)
    }

    @Test("no timer applies while a request is being handled")
    func busyConnection() {
        var machine = self.machine()
        _ = machine.bytesReceived(now: self.start)
        #expect(machine.requestHeadReceived() == .none)
        #expect(machine.timerFired(now: self.start + .seconds(3600)) == .none)
    }

    @Test("a kept-alive connection idles for the idle timeout, then closes without a response")
    func keepAliveIdle() {
        var machine = self.machine()
        _ = machine.bytesReceived(now: self.start)
        _ = machine.requestHeadReceived()
        let done = self.start + .seconds(2)
        #expect(machine.responseCompleted(now: done) == .arm(done + .seconds(60)))
        #expect(machine.timerFired(now: done + .seconds(30)) == .arm(done + .seconds(60)))
        #expect(machine.timerFired(now: done + .seconds(60)) == .close)
    }

    @Test("the next request on a kept-alive connection gets a fresh head timeout")
    func secondRequest() {
        var machine = self.machine()
        _ = machine.bytesReceived(now: self.start)
        _ = machine.requestHeadReceived()
        _ = machine.responseCompleted(now: self.start + .seconds(1))
        let next = self.start + .seconds(20)
        #expect(machine.bytesReceived(now: next) == .arm(next + .seconds(10)))
        #expect(machine.requestHeadReceived() == .none)
        #expect(machine.timerFired(now: next + .seconds(100)) == .none)
    }

    @Test("nothing happens after the connection closed")
    func closed() {
        var machine = self.machine()
        machine.closed()
        #expect(machine.bytesReceived(now: self.start) == .none)
        #expect(machine.timerFired(now: self.start + .seconds(100)) == .none)
    }
}
