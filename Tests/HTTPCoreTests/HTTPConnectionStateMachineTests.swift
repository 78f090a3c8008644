import HTTPCore
import NIOCore
import NIOHTTP1
import Testing

/// The connection lifecycle without sockets: each test feeds events and checks the actions and states.
@Suite("HTTPConnectionStateMachine")
struct HTTPConnectionStateMachineTests {
    typealias Machine = HTTPConnectionStateMachine

    static func facts(_ fields: [(String, String)]) -> RequestHeadFacts {
        RequestHeadFacts(HTTPHeaders(fields))
    }

    static let host = facts([("host", "h")])
    static let head = HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/"))

    /// A bodiless GET received whole: head, then end.
    static func get(_ machine: inout Machine, facts: RequestHeadFacts = host, version: HTTPVersion = .http1_1) -> Machine.HeadAction {
        let action = machine.receivedHead(facts, version: version, method: .POST)
        _ = machine.receivedEnd()
        return action
    }

    @Test("a keep-alive exchange goes back to reading")
    func keepAlive() {
        var machine = Machine(maxBodyBytes: 100)
        #expect(Self.get(&machine) == .deliver(body: false, sendContinue: false))
        #expect(machine.state == .responding(.init(), .pending))
        #expect(machine.responseHead(status: 200, hasLength: true) == .init(version: .http1_1, connection: nil))
        #expect(machine.responseEnded(writable: true) == .read)
        #expect(machine.state == .idle && machine.keepAlive && machine.wantsReads && !machine.isFinished)
    }

    @Test("the end of a bodiless request is part of it, not the next request")
    func endBelongsToRequest() {
        var machine = Machine(maxBodyBytes: 100)
        _ = machine.receivedHead(Self.host, version: .http1_1, method: .POST)
        #expect(machine.state == .receiving(.init(), .none, .pending))
        #expect(machine.partArrived(.end(nil)) == .process)
        let reads = machine.receivedEnd()
        #expect(reads)
        #expect(machine.partArrived(Self.head) == .queued, "now a head is the next request")
    }

    @Test("pipelined requests wait their turn, and the next one starts only once the client took the response")
    func pipelining() {
        var machine = Machine(maxBodyBytes: 100)
        _ = Self.get(&machine)
        #expect(machine.partArrived(Self.head) == .queued)
        #expect(machine.partArrived(.end(nil)) == .queued)
        #expect(!machine.wantsReads)
        #expect(machine.nextQueued() == nil, "the response in flight comes first")
        _ = machine.responseHead(status: 200, hasLength: true)
        #expect(machine.responseEnded(writable: false) == .awaitWritable)
        #expect(machine.state == .flushing && machine.nextQueued() == nil && !machine.wantsReads)
        #expect(machine.writabilityChanged(writable: false) == nil)
        #expect(machine.writabilityChanged(writable: true) == .serveQueued)
        guard case .part(.head) = machine.nextQueued() else {
            Issue.record("the queued head is next")
            return
        }
    }

    @Test("more pipelined requests than the limit close the connection")
    func pipelineLimit() {
        var machine = Machine(maxBodyBytes: 100, maxPipelinedRequests: 2)
        _ = Self.get(&machine)
        #expect(machine.partArrived(Self.head) == .queued)
        #expect(machine.partArrived(.end(nil)) == .queued)
        #expect(machine.partArrived(Self.head) == .queued)
        #expect(machine.partArrived(.end(nil)) == .queued)
        #expect(machine.partArrived(Self.head) == .overflow)
        #expect(machine.isClosed && machine.queued.isEmpty)
    }

    @Test("a malformed pipelined request is answered after the responses before it")
    func parseErrorOrder() {
        var machine = Machine(maxBodyBytes: 100)
        _ = Self.get(&machine)
        #expect(machine.parseError(.invalidVersion) == .queued)
        _ = machine.responseHead(status: 200, hasLength: true)
        #expect(machine.responseEnded(writable: true) == .serveQueued)
        guard case .parseError(let error) = machine.nextQueued() else {
            Issue.record("the parse error is next")
            return
        }
        #expect(machine.answerParseError(error) == .answerAndClose(.badRequest))
        #expect(machine.isClosed)
    }

    @Test("a parse error after a response head went out can only cut the connection")
    func parseErrorAfterHead() {
        var machine = Machine(maxBodyBytes: 100)
        _ = machine.receivedHead(Self.facts([("host", "h"), ("content-length", "10")]), version: .http1_1, method: .POST)
        _ = machine.responseHead(status: 200, hasLength: false)
        #expect(machine.parseError(.invalidChunkSize) == .close)
    }

    @Test("oversized heads get 431, other parse errors 400")
    func parseErrorStatus() {
        var machine = Machine(maxBodyBytes: 100)
        #expect(machine.parseError(.headerOverflow) == .answerAndClose(.requestHeaderFieldsTooLarge))
        var other = Machine(maxBodyBytes: 100)
        #expect(other.parseError(.invalidURL) == .answerAndClose(.badRequest))
    }

    @Test("an Upgrade or CONNECT request stops reads until its answer; anything but 101 closes")
    func upgrade() {
        for isConnect in [false, true] {
            var machine = Machine(maxBodyBytes: 100)
            let facts = isConnect ? Self.host : Self.facts([("host", "h"), ("connection", "upgrade"), ("upgrade", "websocket")])
            #expect(
                machine.receivedHead(facts, version: .http1_1, method: isConnect ? .CONNECT : .GET)
                    == .deliver(body: false, sendContinue: false)
            )
            let reads = machine.receivedEnd()
            #expect(!reads, "no more reading")
            #expect(machine.state == .upgrading(.init(upgrade: true), .pending) && !machine.wantsReads)
            #expect(machine.responseHead(status: 400, hasLength: true).connection == "close")
            #expect(machine.responseEnded(writable: true) == .close)
        }
        var accepted = Machine(maxBodyBytes: 100)
        _ = accepted.receivedHead(Self.facts([("host", "h"), ("upgrade", "echo")]), version: .http1_1, method: .POST)
        _ = accepted.receivedEnd()
        #expect(accepted.responseHead(status: 101, hasLength: false).connection == nil, "the handler's own headers")
    }

    @Test("Host rules: none or two is 400 and the connection closes")
    func host() {
        for fields in [[("x", "y")], [("host", "a"), ("host", "b")], [("host", "a, b")]] {
            var machine = Machine(maxBodyBytes: 100)
            guard case .reject(.badRequest, _) = Self.get(&machine, facts: Self.facts(fields)) else {
                Issue.record("\(fields) is rejected")
                continue
            }
            #expect(!machine.keepAlive)
        }
        var http10 = Machine(maxBodyBytes: 100)
        #expect(Self.get(&http10, facts: Self.facts([]), version: .http1_0) == .deliver(body: false, sendContinue: false))
    }

    @Test("bodies: a declared length over the limit is refused unread; a chunked one is cut when it crosses it")
    func bodyLimits() {
        var declared = Machine(maxBodyBytes: 10)
        let action = declared.receivedHead(Self.facts([("host", "h"), ("content-length", "11")]), version: .http1_1, method: .POST)
        #expect(action == .reject(.payloadTooLarge, message: "Content Too Large"))
        #expect(declared.receivedBody(count: 11) == .drop)

        var chunked = Machine(maxBodyBytes: 10)
        let head = chunked.receivedHead(Self.facts([("host", "h"), ("transfer-encoding", "chunked")]), version: .http1_1, method: .POST)
        #expect(head == .deliver(body: true, sendContinue: false))
        #expect(chunked.receivedBody(count: 6) == .forward)
        #expect(chunked.receivedBody(count: 6) == .tooLarge)
        #expect(chunked.receivedBody(count: 1) == .drop)
        #expect(!chunked.keepAlive)

        var expecting = Machine(maxBodyBytes: 10)
        let expect = expecting.receivedHead(
            Self.facts([("host", "h"), ("content-length", "3"), ("expect", "100-Continue")]),
            version: .http1_1,
            method: .POST
        )
        #expect(expect == .deliver(body: true, sendContinue: true))

        // Found by the `request` fuzz target: the server answered `HTTP/1.0 100 Continue`.
        var old = Machine(maxBodyBytes: 10)
        let ignored = old.receivedHead(
            Self.facts([("content-length", "3"), ("expect", "100-continue")]),
            version: .http1_0,
            method: .POST
        )
        #expect(ignored == .deliver(body: true, sendContinue: false), "HTTP/1.0 ignores 100-continue (RFC 9110 §10.1.1)")
    }

    @Test("a response that ends before its request body was read closes the connection")
    func unreadBody() {
        var machine = Machine(maxBodyBytes: 100)
        _ = machine.receivedHead(Self.facts([("host", "h"), ("content-length", "50")]), version: .http1_1, method: .POST)
        #expect(machine.receivedBody(count: 10) == .forward)
        #expect(machine.responseHead(status: 502, hasLength: true).connection == "close")
        #expect(machine.responseEnded(writable: true) == .close)
    }

    @Test("a stalled body: 408 before a response started, a cut connection after")
    func bodyTimeout() {
        var early = Machine(maxBodyBytes: 100)
        _ = early.receivedHead(Self.facts([("host", "h"), ("content-length", "50")]), version: .http1_1, method: .POST)
        #expect(early.bodyTimedOut() == .answerAndClose(.requestTimeout))
        #expect(early.isClosed)

        var late = Machine(maxBodyBytes: 100)
        _ = late.receivedHead(Self.facts([("host", "h"), ("content-length", "50")]), version: .http1_1, method: .POST)
        _ = late.responseHead(status: 200, hasLength: false)
        #expect(late.bodyTimedOut() == .close)

        var done = Machine(maxBodyBytes: 100)
        _ = Self.get(&done)
        #expect(done.bodyTimedOut() == .none, "no body is being read")
    }

    @Test("keep-alive follows the version and Connection")
    func versions() {
        var closing = Machine(maxBodyBytes: 100)
        _ = Self.get(&closing, facts: Self.facts([("host", "h"), ("connection", "close")]))
        #expect(closing.responseHead(status: 200, hasLength: true).connection == "close")
        #expect(closing.isFinished == false, "the response is still owed")
        #expect(closing.responseEnded(writable: true) == .close)
        #expect(closing.isFinished)

        var http10 = Machine(maxBodyBytes: 100)
        _ = Self.get(&http10, facts: Self.facts([("connection", "keep-alive")]), version: .http1_0)
        #expect(http10.responseHead(status: 200, hasLength: true) == .init(version: .http1_0, connection: "keep-alive"))
        #expect(http10.responseEnded(writable: true) == .read)

        var streamed10 = Machine(maxBodyBytes: 100)
        _ = Self.get(&streamed10, facts: Self.facts([("connection", "keep-alive")]), version: .http1_0)
        #expect(streamed10.responseHead(status: 200, hasLength: false).connection == "close", "no chunked in 1.0")
    }

    @Test("quiescing closes an idle connection at once and a busy one after its response, dropping what is queued")
    func quiesce() {
        var idle = Machine(maxBodyBytes: 100)
        #expect(idle.quiesce() == .close)

        var busy = Machine(maxBodyBytes: 100)
        _ = Self.get(&busy)
        _ = busy.partArrived(Self.head)
        #expect(busy.quiesce() == .none)
        #expect(busy.queued.isEmpty)
        #expect(busy.responseHead(status: 200, hasLength: true).connection == "close")
        #expect(busy.responseEnded(writable: true) == .close)
    }

    @Test("a half-closed client gets what it sent answered, then the connection closes")
    func halfClose() {
        var machine = Machine(maxBodyBytes: 100)
        _ = Self.get(&machine)
        _ = machine.partArrived(Self.head)
        _ = machine.partArrived(.end(nil))
        #expect(machine.inputClosed() == .none)
        _ = machine.responseHead(status: 200, hasLength: true)
        #expect(machine.responseEnded(writable: true) == .serveQueued, "the pipelined request is still answered")
        while case .part(let part) = machine.nextQueued() {
            if case .head = part {
                _ = machine.receivedHead(Self.host, version: .http1_1, method: .POST)
            } else {
                _ = machine.receivedEnd()
            }
        }
        _ = machine.responseHead(status: 200, hasLength: true)
        #expect(machine.responseEnded(writable: true) == .close)

        var idle = Machine(maxBodyBytes: 100)
        #expect(idle.inputClosed() == .close)

        var midBody = Machine(maxBodyBytes: 100)
        _ = midBody.receivedHead(Self.facts([("host", "h"), ("content-length", "50")]), version: .http1_1, method: .POST)
        #expect(midBody.inputClosed() == .none)
        #expect(!midBody.keepAlive, "the body can never complete")
    }
}

/// The timing rules of a connection, with hand-made deadlines.
@Suite("ConnectionTimeoutStateMachine: request body")
struct RequestBodyTimeoutTests {
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test("a body that stops arriving times out; bytes push the deadline; a paused read stops the clock")
    func body() {
        var machine = ConnectionTimeoutStateMachine(
            idleTimeout: .seconds(60),
            requestHeadTimeout: .seconds(30),
            requestBodyTimeout: .seconds(10),
            now: Self.start
        )
        _ = machine.bytesReceived(now: Self.start)
        _ = machine.requestHeadReceived()
        #expect(machine.requestBodyStarted(now: Self.start) == .arm(Self.start + .seconds(10)))
        #expect(machine.watchesBytes)
        #expect(machine.bytesReceived(now: Self.start + .seconds(5)) == .none)
        #expect(machine.timerFired(now: Self.start + .seconds(10)) == .arm(Self.start + .seconds(15)), "fired early: re-arm")
        machine.requestBodyPaused()
        #expect(machine.timerFired(now: Self.start + .seconds(100)) == .none, "the server held reads: not the client's fault")
        #expect(machine.requestBodyResumed(now: Self.start + .seconds(100)) == .arm(Self.start + .seconds(110)))
        #expect(machine.timerFired(now: Self.start + .seconds(110)) == .requestBodyTimeout)
    }

    @Test("a body read to its end stops the body clock")
    func ended() {
        var machine = ConnectionTimeoutStateMachine(idleTimeout: .seconds(60), requestHeadTimeout: .seconds(30), now: Self.start)
        _ = machine.requestHeadReceived()
        _ = machine.requestBodyStarted(now: Self.start)
        machine.requestBodyEnded()
        #expect(machine.timerFired(now: Self.start + .seconds(1000)) == .none)
        #expect(!machine.watchesBytes)
    }
}

@Suite("HTTPConnectionStateMachine and the fast path")
struct HTTPConnectionStateMachineFastPathTests {
    static func facts(_ fields: [(String, String)]) -> RequestHeadFacts {
        RequestHeadFacts(HTTPHeaders(fields))
    }

    @Test("only a GET on HTTP/1.1 without body, upgrade or expectation is offered to the fast path, and only when there is one")
    func offers() {
        let host = [("host", "h")]
        let cases: [(method: HTTPMethod, version: HTTPVersion, fields: [(String, String)], offered: Bool)] = [
            (.GET, .http1_1, host, true),
            (.HEAD, .http1_1, host, false),
            (.POST, .http1_1, host, false),
            (.GET, .http1_0, host, false),
            (.GET, .http1_1, host + [("content-length", "0")], false),
            (.GET, .http1_1, host + [("content-length", "3")], false),
            (.GET, .http1_1, host + [("transfer-encoding", "chunked")], false),
            (.GET, .http1_1, host + [("expect", "100-continue")], false),
            (.GET, .http1_1, host + [("connection", "upgrade"), ("upgrade", "websocket")], false),
            (.GET, .http1_1, [], false),  // no Host: rejected
        ]
        for (method, version, fields, offered) in cases {
            var machine = HTTPConnectionStateMachine(maxBodyBytes: 1024, hasFastPath: true)
            let action = machine.receivedHead(Self.facts(fields), version: version, method: method)
            #expect((action == .offerFastPath) == offered, "\(method) \(version) \(fields): \(action)")
            var without = HTTPConnectionStateMachine(maxBodyBytes: 1024)
            #expect(without.receivedHead(Self.facts(fields), version: version, method: method) != .offerFastPath)
        }
    }
}

@Suite("HTTPConnectionStateMachine's states")
struct HTTPConnectionStateMachineStateTests {
    static let host = RequestHeadFacts(HTTPHeaders([("host", "h"), ("content-length", "5")]))

    @Test("a response that ends before its request's body did closes the connection, and a late end is not a request")
    func responseBeforeRequestEnd() {
        var machine = HTTPConnectionStateMachine(maxBodyBytes: 100)
        #expect(machine.receivedHead(Self.host, version: .http1_1, method: .POST) == .deliver(body: true, sendContinue: false))
        #expect(machine.state == .receiving(.init(), .reading(received: 0), .pending))
        #expect(machine.receivedBody(count: 2) == .forward)
        #expect(machine.responseHead(status: 200, hasLength: true).connection == "close")
        #expect(machine.responseEnded(writable: true) == .close)
        #expect(machine.state == .receivingAfterResponse(.init(), .reading(received: 2), flushing: false))
        #expect(machine.isClosed && machine.isFinished)
    }

    @Test("a bodiless request answered before its end part came goes on once the end comes")
    func answeredBeforeEnd() {
        var machine = HTTPConnectionStateMachine(maxBodyBytes: 100)
        let facts = RequestHeadFacts(HTTPHeaders([("host", "h")]))
        _ = machine.receivedHead(facts, version: .http1_1, method: .GET)
        _ = machine.responseHead(status: 200, hasLength: true)
        #expect(machine.responseEnded(writable: false) == .awaitWritable)
        #expect(machine.state == .receivingAfterResponse(.init(), .none, flushing: true) && !machine.wantsReads)
        #expect(machine.writabilityChanged(writable: true) == .read)
        let reads = machine.receivedEnd()
        #expect(reads)
        #expect(machine.state == .idle && machine.wantsReads)
    }

    @Test("a parse error answers once: a second failure only closes")
    func answersOnce() {
        var machine = HTTPConnectionStateMachine(maxBodyBytes: 100)
        #expect(machine.parseError(.invalidVersion) == .answerAndClose(.badRequest))
        #expect(machine.state == .responding(.init(), .headWritten))
        #expect(machine.answerParseError(.invalidVersion) == .close)
    }
}
