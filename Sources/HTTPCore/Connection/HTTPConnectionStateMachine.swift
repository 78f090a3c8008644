package import NIOCore
package import NIOHTTP1

/// The lifecycle of one HTTP/1.1 server connection, as a pure state machine: events in, actions out, no I/O.
///
/// ``HTTPConnectionHandler`` owns the channel, the body stream and the connection task's continuation; every
/// decision about them is made here, where tests drive it without sockets. Two parts:
/// - ``State``: one enum naming every combination of the request being received and the response being sent
///   (the request's facts and its body's progress are values of the states that have a request);
/// - ``Lifecycle``: whether the connection serves another request after this one.
///
/// Pipelined requests (sent before the response in front of them ended) wait in ``queued`` with reads paused,
/// and a malformed pipelined request waits there too, so that its 400 comes after the responses before it
/// (what NIO's `HTTPServerPipelineHandler` does, without pausing reads for every response). The next queued
/// request starts only once the client has read the previous response (``State/flushing``): a client that
/// pipelines and never reads cannot make the server buffer responses without bound.
package struct HTTPConnectionStateMachine {
    /// What the request in flight said about itself.
    package struct RequestFacts: Equatable, Sendable {
        /// HTTP/1.0: no chunked responses, and keep-alive only when asked for.
        package var http10: Bool
        /// An `Upgrade` or `CONNECT` request: the parser stops after it.
        package var upgrade: Bool

        package init(http10: Bool = false, upgrade: Bool = false) {
            self.http10 = http10
            self.upgrade = upgrade
        }
    }

    /// How far a request's body came.
    package enum Body: Equatable, Sendable {
        /// None follows: the request's end part is next.
        case none
        /// Reading it; `received` bytes so far.
        case reading(received: Int)
        /// It outgrew the limit: the handler was told (413); the rest is dropped and the connection closes.
        case tooLarge
    }

    /// How far an owed response came.
    package enum Response: Equatable, Sendable {
        /// Handed to the handler (or a fast path); its head is not out yet.
        case pending
        /// Its head was written; now only a cut connection can report a failure.
        case headWritten
    }

    /// Every combination of the request being received and the response being sent.
    package enum State: Equatable, Sendable {
        /// Between requests: no response owed; the next part is a request head.
        case idle
        /// A request's head came and its end has not; its response is owed.
        case receiving(RequestFacts, Body, Response)
        /// The response ended before the request did (the handler did not wait for all of it); `flushing`: the
        /// client has not taken the response's bytes yet.
        case receivingAfterResponse(RequestFacts, Body, flushing: Bool)
        /// The request came whole; its response is owed.
        case responding(RequestFacts, Response)
        /// An `Upgrade` or `CONNECT` request came whole: the parser stops there, and what the client sends next
        /// belongs to another protocol. Reads stay paused until the answer: 101 hands the connection over,
        /// anything else closes it.
        case upgrading(RequestFacts, Response)
        /// The response ended but the client has not taken its bytes (the channel is not writable): the next
        /// request waits, and reads stay paused.
        case flushing
    }

    /// Whether the connection goes on after the response in flight.
    package enum Lifecycle: Equatable, Sendable {
        case keepAlive
        /// The client closed its sending side: what it sent is answered, then the connection closes.
        case inputClosed
        /// The response in flight is the last (`Connection: close`, HTTP/1.0, shutdown, an error).
        case closeAfterResponse
        case closed
    }

    /// What arrived while a response was owed, in order.
    package enum Queued {
        case part(HTTPServerRequestPart)
        /// A parse error of a pipelined request: answered after the responses before it.
        case parseError(HTTPParserError)
    }

    /// What the handler must do with an inbound event.
    package enum ReadAction: Equatable, Sendable {
        /// Process the part now.
        case process
        /// It was queued (reads are paused until the queue drains).
        case queued
        /// More pipelined requests wait than the limit allows: close the connection.
        case overflow
    }

    /// What a request head leads to.
    package enum HeadAction: Equatable, Sendable {
        /// Hand the request to the handler; `body` whether a body stream follows. `sendContinue`: answer
        /// `100 Continue` first (the client waits for it before sending the body).
        case deliver(body: Bool, sendContinue: Bool)
        /// Hand the request over already rejected with this status; the connection closes after the answer.
        case reject(HTTPResponseStatus, message: String)
        /// Offer the request to the server's event-loop fast path: a `GET` on HTTP/1.1 with no body, upgrade or
        /// expectation. When the fast path declines it, deliver it as ``deliver(body:sendContinue:)`` without a body.
        case offerFastPath
    }

    /// What a body chunk leads to.
    package enum BodyAction: Equatable, Sendable {
        case forward
        /// The body just outgrew the limit: fail the body stream with 413 (the connection closes after the answer).
        case tooLarge
        case drop
    }

    /// What the handler must do when a response ended.
    package enum ResponseEndAction: Equatable, Sendable {
        /// Close once the last bytes are written.
        case close
        /// Serve what is queued (from a fresh stack: the next response must not start inside this one), then read.
        case serveQueued
        /// Read the next request.
        case read
        /// Wait for the client to take the response's bytes (``State/flushing``).
        case awaitWritable
    }

    /// What the handler must do about a malformed request, an input close, quiescing or a timeout.
    package enum ConnectionAction: Equatable, Sendable {
        case none
        /// Queued behind the responses before it.
        case queued
        /// Answer with this status and close (nothing of a response was written yet).
        case answerAndClose(HTTPResponseStatus)
        /// Close now: the response head is out, so only a cut connection reports the failure.
        case close
    }

    /// How a response head is framed.
    package struct HeadFraming: Equatable, Sendable {
        package var version: HTTPVersion
        /// `Connection: close`, `Connection: keep-alive` (HTTP/1.0), or nothing.
        package var connection: String?

        package init(version: HTTPVersion, connection: String?) {
            self.version = version
            self.connection = connection
        }
    }

    package private(set) var state = State.idle
    package private(set) var lifecycle = Lifecycle.keepAlive
    /// Pipelined parts and parse errors waiting for the response in front of them.
    package private(set) var queued = CircularBuffer<Queued>()
    /// Request heads among ``queued``: pipelined requests waiting (never more than the limit).
    package private(set) var queuedRequests = 0
    /// The largest request body accepted.
    let maxBodyBytes: Int
    /// The most pipelined requests that may wait (one read can carry thousands of tiny ones).
    let maxPipelinedRequests: Int

    /// Whether the server has an event-loop fast path to offer requests to (``HeadAction/offerFastPath``).
    let hasFastPath: Bool

    package init(maxBodyBytes: Int, maxPipelinedRequests: Int = 64, hasFastPath: Bool = false) {
        self.maxBodyBytes = maxBodyBytes
        self.maxPipelinedRequests = maxPipelinedRequests
        self.hasFastPath = hasFastPath
    }

    /// Whether the connection stays open after the response in flight.
    package var keepAlive: Bool { self.lifecycle == .keepAlive || self.lifecycle == .inputClosed }
    package var isClosed: Bool { self.lifecycle == .closed }

    /// Whether the connection should read: not while parts wait in the queue, an upgrade is pending or a
    /// response is still flushing (back-pressure of a request body is the body stream's business).
    package var wantsReads: Bool {
        guard self.queued.isEmpty, self.lifecycle != .closed else { return false }
        switch self.state {
        case .upgrading, .flushing, .receivingAfterResponse(_, _, flushing: true): return false
        case .idle, .receiving, .receivingAfterResponse, .responding: return true
        }
    }

    /// Whether what arrives now belongs to a later request than the one in flight.
    private var mustQueue: Bool { !self.queued.isEmpty || self.responseOwedAhead }

    /// A request was received whole (or switches protocols) and its response is owed or still flushing: the
    /// next request must wait its turn.
    private var responseOwedAhead: Bool {
        switch self.state {
        case .idle, .receiving: false
        case .receivingAfterResponse(_, _, let flushing): flushing
        case .responding, .upgrading, .flushing: true
        }
    }

    /// Whether the connection task has nothing more to serve (its next-request wait ends with `nil`).
    package var isFinished: Bool {
        switch self.lifecycle {
        case .closed: true
        case .keepAlive: false
        case .inputClosed, .closeAfterResponse: self.isQuiet
        }
    }

    /// No response owed or flushing, nothing queued, no body half read.
    private var isQuiet: Bool {
        self.queued.isEmpty && self.responseDone && !self.isReadingBody
    }

    /// No response owed, and the last one's bytes were taken.
    private var responseDone: Bool {
        switch self.state {
        case .idle, .receivingAfterResponse(_, _, flushing: false): true
        case .receiving, .receivingAfterResponse, .responding, .upgrading, .flushing: false
        }
    }

    /// Whether a request body is being read.
    package var isReadingBody: Bool {
        switch self.state {
        case .receiving(_, .reading, _), .receivingAfterResponse(_, .reading, _): true
        default: false
        }
    }

    /// The facts of the request in flight, if there is one.
    private var request: RequestFacts? {
        switch self.state {
        case .receiving(let facts, _, _), .receivingAfterResponse(let facts, _, _), .responding(let facts, _),
            .upgrading(let facts, _):
            facts
        case .idle, .flushing:
            nil
        }
    }

    // MARK: inbound

    /// A part arrived from the decoder.
    package mutating func partArrived(_ part: HTTPServerRequestPart) -> ReadAction {
        guard self.mustQueue else { return .process }
        if case .head = part {
            guard self.queuedRequests < self.maxPipelinedRequests else {
                self.lifecycle = .closed
                self.dropQueued()
                return .overflow
            }
            self.queuedRequests += 1
        }
        self.queued.append(.part(part))
        return .queued
    }

    /// The next queued event, when its turn has come.
    package mutating func nextQueued() -> Queued? {
        guard !self.queued.isEmpty, self.lifecycle != .closed, !self.responseOwedAhead else { return nil }
        let next = self.queued.removeFirst()
        if case .part(.head) = next { self.queuedRequests -= 1 }
        return next
    }

    /// A request head was parsed.
    /// - Parameters:
    ///   - facts: what its fields say.
    ///   - version: its HTTP version.
    ///   - method: its method (after `CONNECT` the parser stops, as for an upgrade; a `GET` may take the fast path).
    package mutating func receivedHead(_ facts: RequestHeadFacts, version: HTTPVersion, method: HTTPMethod) -> HeadAction {
        let request = RequestFacts(http10: version.major == 1 && version.minor == 0, upgrade: facts.upgrade || method == .CONNECT)
        // RFC 9112 §9.3: 1.1 stays open unless `close`; 1.0 only with `keep-alive`.
        let keepAlive = version.major == 1 && version.minor >= 1 ? !facts.close : facts.keepAliveToken && !facts.close
        if !keepAlive { self.closeAfterResponse() }

        // RFC 9112 §3.2: an HTTP/1.1 request needs exactly one Host; two could route differently in different
        // hops (host confusion), none is malformed.
        if facts.hosts > 1 || (facts.hosts == 0 && !request.http10) {
            self.closeAfterResponse()
            self.state = .receiving(request, .none, .pending)
            return .reject(.badRequest, message: "Missing or repeated Host header")
        }
        if let length = facts.contentLength, length > self.maxBodyBytes {
            // Answered before reading a byte of the body (and without `100 Continue`); the body is never read.
            self.closeAfterResponse()
            self.state = .receiving(request, .tooLarge, .pending)
            return .reject(.payloadTooLarge, message: "Content Too Large")
        }
        let body = (facts.contentLength ?? 0) > 0 || facts.transferEncoding
        self.state = .receiving(request, body ? .reading(received: 0) : .none, .pending)
        // The fast path forwards requests without a body on HTTP/1.1 only, with no upgrade or expectation to honour.
        if self.hasFastPath, method == .GET, version == .http1_1, !body, !facts.upgrade, !facts.hasContentLength, !facts.expect {
            return .offerFastPath
        }
        // RFC 9110 §10.1.1: a 100-continue expectation in an HTTP/1.0 request is ignored (found by the fuzzer).
        return .deliver(body: body, sendContinue: body && facts.expectContinue && !request.http10)
    }

    /// Body bytes arrived.
    package mutating func receivedBody(count: Int) -> BodyAction {
        let total: Int
        switch self.state {
        case .receiving(_, .reading(let received), _), .receivingAfterResponse(_, .reading(let received), _):
            total = received + count
        default:
            return .drop
        }
        guard total <= self.maxBodyBytes else {
            // A chunked body grew past the limit: the rest is never read, so the connection cannot go on.
            self.setBody(.tooLarge)
            self.closeAfterResponse()
            return .tooLarge
        }
        self.setBody(.reading(received: total))
        return .forward
    }

    /// The request's end arrived. Returns whether reads may go on (not after an upgrade request).
    package mutating func receivedEnd() -> Bool {
        switch self.state {
        case .receiving(let request, _, let response):
            self.state = request.upgrade ? .upgrading(request, response) : .responding(request, response)
            return !request.upgrade
        case .receivingAfterResponse(let request, _, let flushing):
            // Answered already; after an upgrade request that was not a 101, the connection closes.
            self.state = flushing ? .flushing : .idle
            return !request.upgrade
        case .upgrading:
            return false
        case .idle, .responding, .flushing:
            return true
        }
    }

    private mutating func setBody(_ body: Body) {
        switch self.state {
        case .receiving(let request, _, let response): self.state = .receiving(request, body, response)
        case .receivingAfterResponse(let request, _, let flushing):
            self.state = .receivingAfterResponse(request, body, flushing: flushing)
        default: break
        }
    }

    /// The decoder found a malformed request.
    package mutating func parseError(_ error: HTTPParserError) -> ConnectionAction {
        if self.mustQueue, self.lifecycle != .closed {
            self.queued.append(.parseError(error))
            return .queued
        }
        return self.fail(with: Self.status(for: error))
    }

    /// A queued parse error's turn came.
    package mutating func answerParseError(_ error: HTTPParserError) -> ConnectionAction {
        self.fail(with: Self.status(for: error))
    }

    /// The request body stopped arriving for longer than the body timeout (reads were not paused by us).
    package mutating func bodyTimedOut() -> ConnectionAction {
        guard self.isReadingBody else { return .none }
        return self.fail(with: .requestTimeout)
    }

    private mutating func fail(with status: HTTPResponseStatus) -> ConnectionAction {
        self.dropQueued()
        self.lifecycle = .closed
        switch self.state {
        case .receiving(_, _, .headWritten), .responding(_, .headWritten), .upgrading(_, .headWritten), .flushing,
            .receivingAfterResponse(_, _, flushing: true):
            return .close
        case .receivingAfterResponse(let request, _, flushing: false):
            // The last response is out whole: the answer goes after it.
            self.state = .responding(request, .headWritten)
            return .answerAndClose(status)
        case .receiving, .responding, .upgrading, .idle:
            // A handler may still hold the request; nothing more of its goes out after this answer.
            self.headWritten()
            return .answerAndClose(status)
        }
    }

    private static func status(for error: HTTPParserError) -> HTTPResponseStatus {
        switch error {
        case .headerOverflow: .requestHeaderFieldsTooLarge
        default: .badRequest
        }
    }

    /// The client closed its sending side (half-close).
    package mutating func inputClosed() -> ConnectionAction {
        if self.lifecycle == .keepAlive { self.lifecycle = .inputClosed }
        if self.isReadingBody {
            // The body can never be completed.
            self.closeAfterResponse()
        }
        return self.isQuiet && self.lifecycle != .closed ? self.close() : .none
    }

    /// Graceful shutdown: finish the response in flight (with `Connection: close`), serve nothing more.
    package mutating func quiesce() -> ConnectionAction {
        self.dropQueued()
        self.closeAfterResponse()
        return self.responseDone && self.lifecycle != .closed ? self.close() : .none
    }

    /// The channel closed.
    package mutating func closed() {
        self.lifecycle = .closed
        self.dropQueued()
    }

    private mutating func close() -> ConnectionAction {
        self.lifecycle = .closed
        return .close
    }

    private mutating func dropQueued() {
        self.queued.removeAll()
        self.queuedRequests = 0
    }

    /// The response in flight is the last: its body ends when the connection does (a fast path's
    /// close-delimited answer), or the connection must not be reused.
    package mutating func closeAfterResponse() {
        if self.lifecycle != .closed { self.lifecycle = .closeAfterResponse }
    }

    // MARK: outbound

    /// The response head is about to be written: how to frame it (and whether the connection goes on).
    /// - Parameters:
    ///   - status: the response status code.
    ///   - hasLength: the body's length is known (else it is chunked, or close-delimited on HTTP/1.0).
    package mutating func responseHead(status: Int, hasLength: Bool) -> HeadFraming {
        let request = self.request ?? RequestFacts()
        let bodyTooLarge: Bool
        if case .receiving(_, .tooLarge, _) = self.state { bodyTooLarge = true } else { bodyTooLarge = false }
        let readingBody = self.isReadingBody
        self.headWritten()
        let bodyless = ResponseFraming.hasNoContent(status: status)
        if !hasLength && !bodyless && request.http10 {
            // HTTP/1.0 has no chunked encoding: the body ends when the connection does.
            self.closeAfterResponse()
        }
        if status != 101 {
            // An upgrade refused: the parser stopped at the request, so nothing after it can be read as HTTP.
            // A body not read to its end: what is left of it would be read as the next request.
            if request.upgrade || readingBody || bodyTooLarge { self.closeAfterResponse() }
        }
        let connection: String? =
            if status == 101 {
                nil  // the connection is handed over; its framing headers are the handler's
            } else if !self.keepAlive || self.lifecycle == .closed {
                "close"
            } else if request.http10 {
                "keep-alive"
            } else {
                nil
            }
        return HeadFraming(version: request.http10 ? .http1_0 : .http1_1, connection: connection)
    }

    /// A fast path wrote a response head itself (its framing decided by ``keepAlive``).
    package mutating func fastPathHeadWritten() {
        self.headWritten()
    }

    /// The owed response's head is out (one that was not owed — an error answer between requests — is owed now).
    private mutating func headWritten() {
        switch self.state {
        case .receiving(let request, let body, _): self.state = .receiving(request, body, .headWritten)
        case .responding(let request, _): self.state = .responding(request, .headWritten)
        case .upgrading(let request, _): self.state = .upgrading(request, .headWritten)
        case .idle: self.state = .responding(RequestFacts(), .headWritten)
        case .receivingAfterResponse, .flushing: break
        }
    }

    /// The response's last bytes were handed to the channel.
    /// - Parameter writable: whether the channel is writable (the client keeps up).
    package mutating func responseEnded(writable: Bool) -> ResponseEndAction {
        if self.lifecycle == .closeAfterResponse || self.lifecycle == .closed
            || (self.lifecycle == .inputClosed && self.queued.isEmpty)
        {
            if case .receiving(let request, let body, _) = self.state {
                self.state = .receivingAfterResponse(request, body, flushing: false)
            } else {
                self.state = .idle
            }
            self.lifecycle = .closed
            self.dropQueued()
            return .close
        }
        switch self.state {
        case .receiving(let request, let body, _):
            self.state = .receivingAfterResponse(request, body, flushing: !writable)
        case .upgrading:
            // A 101: the connection leaves HTTP, and reads stay held until the tunnel reads.
            break
        case .idle, .responding, .flushing, .receivingAfterResponse:
            self.state = writable ? .idle : .flushing
        }
        if !writable { return .awaitWritable }
        return self.queued.isEmpty ? .read : .serveQueued
    }

    /// The channel's writability changed.
    package mutating func writabilityChanged(writable: Bool) -> ResponseEndAction? {
        guard writable else { return nil }
        switch self.state {
        case .flushing: self.state = .idle
        case .receivingAfterResponse(let request, let body, flushing: true):
            self.state = .receivingAfterResponse(request, body, flushing: false)
        default: return nil
        }
        return self.queued.isEmpty ? .read : .serveQueued
    }

    /// The response was cut off (a failed body, a fast path that could not finish).
    package mutating func responseAborted() {
        self.lifecycle = .closed
        self.dropQueued()
    }
}
