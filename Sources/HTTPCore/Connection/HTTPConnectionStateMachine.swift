package import NIOCore
package import NIOHTTP1

/// The lifecycle of one HTTP/1.1 server connection, as a pure state machine: events in, actions out, no I/O.
///
/// ``HTTPConnectionHandler`` owns the channel, the body stream and the connection task's continuation; every
/// decision about them is made here, where tests drive it without sockets. Three orthogonal parts:
/// - ``Inbound``: the request being received (its body, an upgrade that stops HTTP parsing);
/// - ``Outbound``: the response to the request in flight, up to the moment the client has taken its bytes;
/// - ``Lifecycle``: whether the connection serves another request after this one.
///
/// Pipelined requests (sent before the response in front of them ended) wait in ``queued`` with reads paused,
/// and a malformed pipelined request waits there too, so that its 400 comes after the responses before it
/// (what NIO's `HTTPServerPipelineHandler` does, without pausing reads for every response). The next queued
/// request starts only once the client has read the previous response (``Outbound/flushing``): a client that
/// pipelines and never reads cannot make the server buffer responses without bound.
package struct HTTPConnectionStateMachine {
    /// The request being received.
    package enum Inbound: Equatable, Sendable {
        /// No request partly received: the next part is a request head.
        case idle
        /// A request without a body: its end part is next.
        case awaitingEnd
        /// Reading a request body; `received` bytes so far.
        case body(received: Int)
        /// The body outgrew the limit: the handler was told (413); the rest is dropped and the connection closes.
        case bodyTooLarge
        /// An `Upgrade` or `CONNECT` request was received whole: the parser stops there, and what the client
        /// sends next belongs to another protocol. Reads stay paused until the answer: 101 hands the
        /// connection over, anything else closes it.
        case upgrading
    }

    /// The response to the request in flight.
    package enum Outbound: Equatable, Sendable {
        /// No response owed.
        case idle
        /// A request was handed to the handler (or a fast path); its response head is not out yet.
        case pending
        /// The response head was written; now only a cut connection can report a failure.
        case headWritten
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
        /// Wait for the client to take the response's bytes (``Outbound/flushing``).
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

    package private(set) var inbound = Inbound.idle
    package private(set) var outbound = Outbound.idle
    package private(set) var lifecycle = Lifecycle.keepAlive
    /// Facts of the request in flight.
    package private(set) var http10 = false
    package private(set) var upgradeRequested = false
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
        self.queued.isEmpty && self.inbound != .upgrading && self.outbound != .flushing && self.lifecycle != .closed
    }

    /// Whether what arrives now belongs to a later request than the one in flight.
    private var mustQueue: Bool { !self.queued.isEmpty || self.responseOwedAhead }

    /// A request was received whole (or switches protocols) and its response is owed or still flushing: the
    /// next request must wait its turn.
    private var responseOwedAhead: Bool {
        switch self.outbound {
        case .idle: false
        case .flushing: true
        case .pending, .headWritten: self.inbound == .idle || self.inbound == .upgrading
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

    /// No response owed, nothing queued, no body half read.
    private var isQuiet: Bool {
        self.outbound == .idle && self.queued.isEmpty && !self.isReadingBody
    }

    private var isReadingBody: Bool {
        if case .body = self.inbound { return true }
        return false
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
        self.http10 = version.major == 1 && version.minor == 0
        self.upgradeRequested = facts.upgrade || method == .CONNECT
        // RFC 9112 §9.3: 1.1 stays open unless `close`; 1.0 only with `keep-alive`.
        let keepAlive = version.major == 1 && version.minor >= 1 ? !facts.close : facts.keepAliveToken && !facts.close
        if !keepAlive { self.closeAfterResponse() }
        self.outbound = .pending

        // RFC 9112 §3.2: an HTTP/1.1 request needs exactly one Host; two could route differently in different
        // hops (host confusion), none is malformed.
        if facts.hosts > 1 || (facts.hosts == 0 && !self.http10) {
            self.closeAfterResponse()
            self.inbound = .awaitingEnd
            return .reject(.badRequest, message: "Missing or repeated Host header")
        }
        if let length = facts.contentLength, length > self.maxBodyBytes {
            // Answered before reading a byte of the body (and without `100 Continue`); the body is never read.
            self.closeAfterResponse()
            self.inbound = .bodyTooLarge
            return .reject(.payloadTooLarge, message: "Content Too Large")
        }
        let body = (facts.contentLength ?? 0) > 0 || facts.transferEncoding
        self.inbound = body ? .body(received: 0) : .awaitingEnd
        // The fast path forwards requests without a body on HTTP/1.1 only, with no upgrade or expectation to honour.
        if self.hasFastPath, method == .GET, version == .http1_1, !body, !facts.upgrade, !facts.hasContentLength, !facts.expect {
            return .offerFastPath
        }
        // RFC 9110 §10.1.1: a 100-continue expectation in an HTTP/1.0 request is ignored (found by the fuzzer).
        return .deliver(body: body, sendContinue: body && facts.expectContinue && !self.http10)
    }

    /// Body bytes arrived.
    package mutating func receivedBody(count: Int) -> BodyAction {
        guard case .body(let received) = self.inbound else { return .drop }
        let total = received + count
        guard total <= self.maxBodyBytes else {
            // A chunked body grew past the limit: the rest is never read, so the connection cannot go on.
            self.inbound = .bodyTooLarge
            self.closeAfterResponse()
            return .tooLarge
        }
        self.inbound = .body(received: total)
        return .forward
    }

    /// The request's end arrived. Returns whether reads may go on (not after an upgrade request).
    package mutating func receivedEnd() -> Bool {
        switch self.inbound {
        case .body, .bodyTooLarge, .awaitingEnd, .idle:
            self.inbound = self.upgradeRequested ? .upgrading : .idle
        case .upgrading:
            break
        }
        return self.inbound != .upgrading
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
        switch self.outbound {
        case .headWritten, .flushing:
            self.lifecycle = .closed
            return .close
        case .idle, .pending:
            // A handler may still hold the request; nothing more of its goes out after this answer.
            self.lifecycle = .closed
            self.outbound = .headWritten
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
        return self.outbound == .idle && self.lifecycle != .closed ? self.close() : .none
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
        self.outbound = .headWritten
        let bodyless = ResponseFraming.hasNoContent(status: status)
        if !hasLength && !bodyless && self.http10 {
            // HTTP/1.0 has no chunked encoding: the body ends when the connection does.
            self.closeAfterResponse()
        }
        if status != 101 {
            // An upgrade refused: the parser stopped at the request, so nothing after it can be read as HTTP.
            // A body not read to its end: what is left of it would be read as the next request.
            if self.upgradeRequested || self.isReadingBody || self.inbound == .bodyTooLarge { self.closeAfterResponse() }
        }
        let connection: String? =
            if status == 101 {
                nil  // the connection is handed over; its framing headers are the handler's
            } else if !self.keepAlive || self.lifecycle == .closed {
                "close"
            } else if self.http10 {
                "keep-alive"
            } else {
                nil
            }
        return HeadFraming(version: self.http10 ? .http1_0 : .http1_1, connection: connection)
    }

    /// A fast path wrote a response head itself (its framing decided by ``keepAlive``).
    package mutating func fastPathHeadWritten() {
        self.outbound = .headWritten
    }

    /// The response's last bytes were handed to the channel.
    /// - Parameter writable: whether the channel is writable (the client keeps up).
    package mutating func responseEnded(writable: Bool) -> ResponseEndAction {
        if self.lifecycle == .closeAfterResponse || self.lifecycle == .closed
            || (self.lifecycle == .inputClosed && self.queued.isEmpty)
        {
            self.outbound = .idle
            self.lifecycle = .closed
            self.dropQueued()
            return .close
        }
        self.outbound = writable ? .idle : .flushing
        if !writable { return .awaitWritable }
        return self.queued.isEmpty ? .read : .serveQueued
    }

    /// The channel's writability changed.
    package mutating func writabilityChanged(writable: Bool) -> ResponseEndAction? {
        guard writable, self.outbound == .flushing else { return nil }
        self.outbound = .idle
        return self.queued.isEmpty ? .read : .serveQueued
    }

    /// The response was cut off (a failed body, a fast path that could not finish).
    package mutating func responseAborted() {
        self.lifecycle = .closed
        self.dropQueued()
    }
}
