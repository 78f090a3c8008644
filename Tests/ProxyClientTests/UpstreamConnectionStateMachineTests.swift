import NIOCore
import NIOHTTP1
import Testing

@testable import ProxyClient

/// The machine with names for its I/O objects: the promises and sources are the strings the test gave it.
private typealias Machine = UpstreamConnectionStateMachine<String, String, String, String>

@Suite("UpstreamConnectionStateMachine")
struct UpstreamConnectionStateMachineTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    let timeouts = ExchangeTimeouts(perRead: .seconds(10), total: nil)

    func head(_ status: Int, _ fields: [(String, String)] = [], version: HTTPVersion = .http1_1) -> HTTPResponseHead {
        HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: status), headers: HTTPHeaders(fields))
    }

    /// A machine whose codec exchange is waiting for its head.
    fileprivate func waiting(
        keepAlive: Bool = true,
        isHead: Bool = false,
        requestEnded: Bool = true,
        timeouts: ExchangeTimeouts? = nil
    )
        -> Machine
    {
        var machine = Machine()
        let deadline = machine.start(
            keepAlive: keepAlive,
            isHead: isHead,
            requestEnded: requestEnded,
            timeouts: timeouts ?? self.timeouts,
            response: "response",
            ended: "ended",
            now: self.start
        )
        #expect(deadline == self.start + .seconds(10))
        return machine
    }

    @Test("a small body with a length is collected and answered whole; the connection is reusable after it")
    func collected() {
        var machine = self.waiting()
        #expect(machine.isIdle == false)
        guard case .collect = machine.responseHead(self.head(200, [("content-length", "5")]), now: self.start) else {
            Issue.record("not collected")
            return
        }
        var part = ByteBuffer(string: "hello")
        guard case .collected = machine.responseBody(&part, now: self.start) else {
            Issue.record("the body part was not collected")
            return
        }
        guard case .finish(let collected, let source, let ended, let reusable) = machine.responseEnd() else {
            Issue.record("the end did not finish the exchange")
            return
        }
        #expect(collected?.0 == "response" && collected?.2 == ByteBuffer(string: "hello") && collected?.3 == "ended")
        #expect(source == nil && ended == "ended" && reusable)
        #expect(machine.isIdle)
    }

    @Test("a large or unframed body is streamed through the source the handler opened")
    func streamed() {
        for fields in [[("content-length", "100000")], [("transfer-encoding", "chunked")]] {
            var machine = self.waiting()
            guard
                case .answerWithStream(let response, let ended, let number) = machine.responseHead(self.head(200, fields), now: self.start)
            else {
                Issue.record("not streamed: \(fields)")
                continue
            }
            #expect(response == "response" && ended == "ended" && number == machine.exchangeNumber)
            machine.bodyStreamOpened("source")
            var part = ByteBuffer(string: "x")
            guard case .yield("source") = machine.responseBody(&part, now: self.start) else {
                Issue.record("the part was not yielded")
                continue
            }
            #expect(machine.consumerLeft(exchange: number))
            #expect(!machine.consumerLeft(exchange: number + 1))
            guard case .finish(nil, "source", "ended", true) = machine.responseEnd() else {
                Issue.record("the end did not finish the stream")
                continue
            }
            // The stream is over: a late "consumer left" of that exchange does not touch the next one.
            #expect(!machine.consumerLeft(exchange: number))
        }
    }

    @Test("HEAD requests, 1xx/204/304 and zero lengths are answered without a body")
    func withoutBody() {
        let cases: [(isHead: Bool, status: Int, fields: [(String, String)])] = [
            (true, 200, [("content-length", "100")]), (false, 204, []), (false, 304, [("content-length", "1234")]),
            (false, 200, [("content-length", "0")]),
        ]
        for (isHead, status, fields) in cases {
            var machine = self.waiting(isHead: isHead)
            guard case .answerWithoutBody = machine.responseHead(self.head(status, fields), now: self.start) else {
                Issue.record("\(status) (HEAD: \(isHead)) was given a body")
                continue
            }
            guard case .finish(nil, nil, "ended", true) = machine.responseEnd() else {
                Issue.record("\(status) did not end reusable")
                continue
            }
        }
    }

    @Test("the connection is not reused after Connection: close, an unsent body end, a 204 that announces a body, or HTTP/1.0")
    func notReusable() {
        let cases: [(Machine, HTTPResponseHead)] = [
            (self.waiting(), self.head(204, [("content-length", "3")])),
            (self.waiting(), self.head(200, [("content-length", "2"), ("connection", "close")])),
            (self.waiting(), self.head(200, [("content-length", "2")], version: .http1_0)),
            (self.waiting(keepAlive: false), self.head(200, [("content-length", "2")])),
            (self.waiting(requestEnded: false), self.head(200, [("content-length", "2")])),
        ]
        for (var machine, head) in cases {
            _ = machine.responseHead(head, now: self.start)
            guard case .finish(_, _, _, let reusable) = machine.responseEnd() else {
                Issue.record("no finish for \(head)")
                continue
            }
            #expect(!reusable, "\(head)")
        }
        // The request's end written later (after its body) makes it reusable again.
        var machine = self.waiting(requestEnded: false)
        machine.requestEndWritten()
        _ = machine.responseHead(self.head(200, [("content-length", "0")]), now: self.start)
        guard case .finish(_, _, _, true) = machine.responseEnd() else {
            Issue.record("the sent body did not make it reusable")
            return
        }
    }

    @Test("a 101 leaves HTTP: answered, never reusable, no timer; a status out of range closes the connection")
    func upgradeAndMalformed() {
        var machine = self.waiting()
        guard case .upgrade("response", "ended") = machine.responseHead(self.head(101), now: self.start) else {
            Issue.record("no upgrade")
            return
        }
        #expect(machine.timerFired(now: self.start + .seconds(100), readsPaused: false) == .none)
        #expect(machine.closed(bodyEndsWithConnection: false) == nil)
        var malformed = self.waiting()
        guard case .close = malformed.responseHead(self.head(99), now: self.start) else {
            Issue.record("status 99 was accepted")
            return
        }
        guard case .response("response", "ended") = malformed.closed(bodyEndsWithConnection: false) else {
            Issue.record("the close did not fail the response")
            return
        }
    }

    @Test("the per-read deadline runs from the last progress; a consumer's pause defers it; the total deadline does not")
    func deadlines() {
        var machine = self.waiting(timeouts: ExchangeTimeouts(perRead: .seconds(10), total: .seconds(100)))
        // Progress at 5 s: at 10 s the timer looks again for 15 s.
        _ = machine.responseHead(self.head(200, [("transfer-encoding", "chunked")]), now: self.start + .seconds(5))
        machine.bodyStreamOpened("source")
        #expect(machine.timerFired(now: self.start + .seconds(10), readsPaused: false) == .rearm(self.start + .seconds(15)))
        // Nothing more by 15 s: the exchange times out.
        var stalled = machine
        guard
            case .timeOut(.body("source", "ended"), overall: false) = stalled.timerFired(now: self.start + .seconds(15), readsPaused: false)
        else {
            Issue.record("a stalled body did not time out")
            return
        }
        // Paused by the consumer at 15 s: not the upstream's fault; look again a read later.
        #expect(machine.timerFired(now: self.start + .seconds(15), readsPaused: true) == .rearm(self.start + .seconds(25)))
        machine.consumerResumed(now: self.start + .seconds(20))
        #expect(machine.timerFired(now: self.start + .seconds(25), readsPaused: false) == .rearm(self.start + .seconds(30)))
        // Near the total deadline, the next look is at it; past it, even a paused one ends.
        #expect(machine.timerFired(now: self.start + .seconds(95), readsPaused: true) == .rearm(self.start + .seconds(100)))
        guard case .timeOut(_, overall: true) = machine.timerFired(now: self.start + .seconds(100), readsPaused: true) else {
            Issue.record("the total deadline did not end the exchange")
            return
        }
        #expect(machine.timerFired(now: self.start + .seconds(200), readsPaused: false) == .none)
    }

    @Test("a response head that never comes times out, whether or not reads are held")
    func headTimeout() {
        var machine = self.waiting()
        guard
            case .timeOut(.response("response", "ended"), overall: false) = machine.timerFired(
                now: self.start + .seconds(10),
                readsPaused: true
            )
        else {
            Issue.record("no head timeout")
            return
        }
        #expect(machine.closed(bodyEndsWithConnection: false) == nil)
    }

    @Test("forwarding: head, body and end go to the sink; bytes after the end or no keep-alive make it unusable")
    func forwarding() {
        for (keepAlive, bytesFollow) in [(true, false), (false, false), (true, true)] {
            var machine = Machine()
            #expect(machine.startForwarding(to: "sink", timeouts: self.timeouts, now: self.start) == self.start + .seconds(10))
            #expect(machine.isForwarding)
            #expect(machine.forwardedHead(keepAlive: keepAlive, now: self.start) == "sink")
            #expect(machine.forwardedBody(now: self.start) == "sink")
            let end = machine.forwardedEnd(bytesFollow: bytesFollow)
            #expect(end?.0 == "sink" && end?.reusable == (keepAlive && !bytesFollow))
            #expect(machine.isIdle)
        }
    }

    @Test("forwarding fails before or after the head as the connection closes, ends with a close-delimited body, or times out")
    func forwardingFailures() {
        var before = Machine()
        _ = before.startForwarding(to: "sink", timeouts: self.timeouts, now: self.start)
        guard case .forwarding("sink", beforeHead: true) = before.closed(bodyEndsWithConnection: false) else {
            Issue.record("not failed before the head")
            return
        }
        var during = Machine()
        _ = during.startForwarding(to: "sink", timeouts: self.timeouts, now: self.start)
        _ = during.forwardedHead(keepAlive: true, now: self.start)
        var delimited = during
        guard case .forwarding("sink", beforeHead: false) = during.closed(bodyEndsWithConnection: false) else {
            Issue.record("not failed during the body")
            return
        }
        guard case .forwardingEnded("sink") = delimited.closed(bodyEndsWithConnection: true) else {
            Issue.record("a close-delimited body did not end")
            return
        }
        var refused = Machine()
        _ = refused.startForwarding(to: "sink", timeouts: self.timeouts, now: self.start)
        #expect(refused.forwardingFailed().map { $0.beforeHead } == true)
        #expect(refused.forwardingFailed() == nil)
        var slow = Machine()
        _ = slow.startForwarding(to: "sink", timeouts: self.timeouts, now: self.start)
        _ = slow.forwardedHead(keepAlive: true, now: self.start)
        // A client that reads slowly holds the upstream's reads: no timeout for that.
        #expect(slow.timerFired(now: self.start + .seconds(10), readsPaused: true) == .rearm(self.start + .seconds(20)))
        guard
            case .timeOut(.forwarding("sink", beforeHead: false), overall: false) = slow.timerFired(
                now: self.start + .seconds(20),
                readsPaused: false
            )
        else {
            Issue.record("a stalled forwarded body did not time out")
            return
        }
    }
}
