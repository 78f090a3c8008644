import HTTPCore
import NIOCore
import NIOHTTP1

/// Every decision of one upstream connection's exchanges, and nothing else: events in, actions out, the time passed
/// in. ``UpstreamConnectionHandler`` runs it on the connection's event loop and carries the actions out (completes
/// promises, yields body parts, writes, closes, arms the timer), so tests drive it with plain values
/// (`UpstreamConnectionStateMachineTests`).
///
/// An exchange runs in one of two modes, each a set of states of one enum:
/// - **codec** (the general path): the request goes through NIO's HTTP encoder and the response through its decoder;
///   the answer is a response head with a body collected whole (small, with a length) or streamed.
/// - **forwarding** (the event-loop fast path): the request is written as bytes past the encoder and the response is
///   scanned (``ResponseScanner``) and handed on as the bytes that came.
///
/// Whether the connection is reusable (keep-alive on both sides, the request sent whole, nothing announced that
/// must not come) and the exchange's deadlines are values of the exchange, not loose flags.
///
/// The I/O objects the actions carry are type parameters: the promise of the response, the promise that says
/// whether the connection is reusable, a streamed body's source and a forwarding sink.
struct UpstreamConnectionStateMachine<ResponsePromise, EndPromise, BodySource, Sink> {
    /// What one exchange knows about itself.
    struct Exchange {
        /// Counts exchanges, so late callbacks of an earlier one are recognised.
        let number: UInt64
        /// Whether the connection may serve another request after this one (so far).
        var keepAlive: Bool
        /// A HEAD request: its response has no body, whatever it says.
        let requestIsHead: Bool
        /// The request's end went out (a body is written by the caller, while the response is awaited).
        var requestSent: Bool
        /// The longest wait for the next byte of the response (nginx `proxy_read_timeout`).
        let perRead: TimeAmount
        /// When the whole exchange must have ended, whatever its progress.
        let totalDeadline: NIODeadline
        /// The last byte of progress: the per-read deadline runs from it.
        var lastProgress: NIODeadline

        /// When the timer must next look.
        var nextDeadline: NIODeadline { min(self.lastProgress + self.perRead, self.totalDeadline) }
        /// Reusable once the response ended.
        var reusable: Bool { self.keepAlive && self.requestSent }
    }

    enum State {
        case idle
        /// Codec mode: the request is out, its response head not yet in.
        case awaitingHead(Exchange, ResponsePromise, EndPromise)
        /// Codec mode: a small body with a known length, collected before the response is answered.
        case buffering(Exchange, ResponsePromise, EndPromise, HTTPResponseHead, ByteBuffer)
        /// Codec mode: the response was answered; its body (when it has one) streams through `source`.
        case streaming(Exchange, BodySource?, EndPromise)
        /// Forwarding mode: the response goes to `sink` as scanned bytes; `headSeen` once its head came.
        case forwarding(Exchange, Sink, headSeen: Bool)
        /// After a 101: the connection left HTTP.
        case upgraded
        case closed
        /// Transiently, while a state's payload is changed in place (no copy of a growing buffer).
        case modifying
    }

    /// What to do with a response head (codec mode).
    enum HeadAction {
        /// Not awaited (a late or stray head): nothing.
        case ignore
        /// Not a status the proxy accepts (RFC 9110 §15, as the scanner): close; the close fails the exchange.
        case close
        /// Switching protocols: answer the response without a body and say the connection is not reusable; the
        /// caller replaces the HTTP handlers.
        case upgrade(ResponsePromise, EndPromise)
        /// Answer the response, without a body.
        case answerWithoutBody(ResponsePromise, EndPromise)
        /// Collect the body (it is small), then answer.
        case collect
        /// Answer the response with a body stream for exchange `number` (give its source to
        /// ``bodyStreamOpened(_:)``).
        case answerWithStream(ResponsePromise, EndPromise, number: UInt64)
    }

    /// What to do with a part of a response body (codec mode).
    enum BodyAction {
        case ignore
        /// Collected.
        case collected
        /// Hand it to the consumer; pause reading when it answers `stopProducing`.
        case yield(BodySource)
    }

    /// What to do at the end of a response (codec mode).
    enum EndAction {
        case ignore
        /// The response ended. Answer a collected one first (`collected`); finish the body stream (`source`); tell
        /// `ended` whether the connection is `reusable` and close it when not; resume reading.
        case finish(
            collected: (ResponsePromise, HTTPResponseHead, ByteBuffer, EndPromise)?,
            source: BodySource?,
            ended: EndPromise,
            reusable: Bool
        )
    }

    /// How an exchange fails (the connection closed, or a deadline passed).
    enum Failure {
        /// No response yet: fail it; tell `ended` the connection is not reusable.
        case response(ResponsePromise, EndPromise)
        /// Mid-body: fail the stream (when there is one); tell `ended` the connection is not reusable.
        case body(BodySource?, EndPromise)
        /// A forwarded exchange failed, before or after its head.
        case forwarding(Sink, beforeHead: Bool)
        /// A forwarded body delimited by the connection's end has ended with it.
        case forwardingEnded(Sink)
    }

    /// What the exchange timer does when it fires.
    enum TimerAction {
        /// No exchange to watch.
        case none
        /// Not yet: look again at this time.
        case rearm(NIODeadline)
        /// Time is up: fail the exchange this way, then close the connection.
        case timeOut(Failure, overall: Bool)
    }

    private(set) var state = State.idle
    private var exchanges: UInt64 = 0

    init() {}

    /// Whether a new exchange may start (the connection is open and between exchanges).
    var isIdle: Bool {
        if case .idle = self.state { return true }
        return false
    }

    /// Whether a forwarded exchange is reading its response.
    var isForwarding: Bool {
        if case .forwarding = self.state { return true }
        return false
    }

    /// The current exchange's number (for callbacks that must recognise theirs).
    var exchangeNumber: UInt64 { self.exchanges }

    // MARK: Starting

    /// A codec exchange starts (only when ``isIdle``): the request head goes out, with its end when `requestEnded`.
    /// - Returns: when the timer must first look.
    mutating func start(
        keepAlive: Bool,
        isHead: Bool,
        requestEnded: Bool,
        timeouts: ExchangeTimeouts,
        response: ResponsePromise,
        ended: EndPromise,
        now: NIODeadline
    ) -> NIODeadline {
        precondition(self.isIdle, "an exchange started on a busy upstream connection")
        let exchange = self.newExchange(keepAlive: keepAlive, isHead: isHead, requestSent: requestEnded, timeouts, now)
        self.state = .awaitingHead(exchange, response, ended)
        return exchange.nextDeadline
    }

    /// A forwarded exchange starts (only when ``isIdle``): its request, bytes without a body, goes out whole.
    /// - Returns: when the timer must first look.
    mutating func startForwarding(to sink: Sink, timeouts: ExchangeTimeouts, now: NIODeadline) -> NIODeadline {
        precondition(self.isIdle, "an exchange started on a busy upstream connection")
        let exchange = self.newExchange(keepAlive: true, isHead: false, requestSent: true, timeouts, now)
        self.state = .forwarding(exchange, sink, headSeen: false)
        return exchange.nextDeadline
    }

    /// The request's end was written (after its body).
    mutating func requestEndWritten() {
        self.modifyExchange { $0.requestSent = true }
    }

    // MARK: Codec mode

    /// The response head came.
    mutating func responseHead(_ head: HTTPResponseHead, now: NIODeadline) -> HeadAction {
        guard case .awaitingHead(var exchange, let response, let ended) = self.state else { return .ignore }
        let status = Int(head.status.code)
        // NIO reads `099` as status 99: a malformed answer, as for the fast path's scanner.
        guard ResponseScanner.validStatuses.contains(status) else { return .close }
        exchange.lastProgress = now
        let length = head.headers.first(name: "content-length").flatMap { Int($0) }
        let transferEncoding = head.headers.contains(name: "transfer-encoding")
        exchange.keepAlive =
            exchange.keepAlive && head.isKeepAlive
            && !ResponseFraming.announcesContentItMustNotHave(status: status, transferEncoding: transferEncoding, contentLength: length)
        if status == 101 {
            self.state = .upgraded
            return .upgrade(response, ended)
        }
        if exchange.requestIsHead || ResponseFraming.hasNoContent(status: status) || length == 0 {
            self.state = .streaming(exchange, nil, ended)
            return .answerWithoutBody(response, ended)
        }
        if let length, length <= Self.collectLimit {
            // Small bodies are collected and answered in one piece (nginx's proxy_buffering): no stream machinery,
            // and the server writes head and body with one flush.
            var buffer = ByteBufferAllocator().buffer(capacity: length)
            buffer.clear()
            self.state = .buffering(exchange, response, ended, head, buffer)
            return .collect
        }
        self.state = .streaming(exchange, nil, ended)
        return .answerWithStream(response, ended, number: exchange.number)
    }

    /// Response bodies up to this many bytes (with a `Content-Length`) are collected, not streamed.
    static var collectLimit: Int { 64 * 1024 }

    /// The body stream of ``HeadAction/answerWithStream(_:_:number:)`` was made.
    mutating func bodyStreamOpened(_ source: BodySource) {
        guard case .streaming(let exchange, nil, let ended) = self.state else { return }
        self.state = .streaming(exchange, source, ended)
    }

    /// A part of the response body came.
    mutating func responseBody(_ buffer: inout ByteBuffer, now: NIODeadline) -> BodyAction {
        switch self.state {
        case .buffering(var exchange, let response, let ended, let head, var collected):
            self.state = .modifying  // no copy of `collected` while it grows
            exchange.lastProgress = now
            collected.writeBuffer(&buffer)
            self.state = .buffering(exchange, response, ended, head, collected)
            return .collected
        case .streaming(var exchange, let source, let ended):
            exchange.lastProgress = now
            self.state = .streaming(exchange, source, ended)
            return source.map { .yield($0) } ?? .ignore
        default:
            return .ignore
        }
    }

    /// The response ended.
    mutating func responseEnd() -> EndAction {
        switch self.state {
        case .buffering(let exchange, let response, let ended, let head, let collected):
            self.state = .idle
            return .finish(collected: (response, head, collected, ended), source: nil, ended: ended, reusable: exchange.reusable)
        case .streaming(let exchange, let source, let ended):
            self.state = .idle
            return .finish(collected: nil, source: source, ended: ended, reusable: exchange.reusable)
        default:
            return .ignore
        }
    }

    /// The consumer of exchange `number`'s body went away: close the connection if that body is still streaming
    /// (by then the connection may serve the next exchange, which must not be touched).
    func consumerLeft(exchange number: UInt64) -> Bool {
        guard case .streaming(let exchange, _, _) = self.state else { return false }
        return exchange.number == number
    }

    // MARK: Forwarding mode

    /// The forwarded response's head was scanned.
    mutating func forwardedHead(keepAlive: Bool, now: NIODeadline) -> Sink? {
        guard case .forwarding(var exchange, let sink, _) = self.state else { return nil }
        exchange.keepAlive = keepAlive
        exchange.lastProgress = now
        self.state = .forwarding(exchange, sink, headSeen: true)
        return sink
    }

    /// Bytes of the forwarded response's body came.
    mutating func forwardedBody(now: NIODeadline) -> Sink? {
        guard case .forwarding(var exchange, let sink, let headSeen) = self.state else { return nil }
        exchange.lastProgress = now
        self.state = .forwarding(exchange, sink, headSeen: headSeen)
        return sink
    }

    /// The forwarded response ended. `bytesFollow`: the upstream sent more after it (it cannot be trusted again).
    /// - Returns: the sink to tell, and whether the connection is reusable (close it when not; resume reading).
    mutating func forwardedEnd(bytesFollow: Bool) -> (Sink, reusable: Bool)? {
        guard case .forwarding(let exchange, let sink, _) = self.state else { return nil }
        self.state = .idle
        return (sink, exchange.keepAlive && !bytesFollow)
    }

    /// The forwarded response could not be read (the scanner refused it): the exchange fails; close the connection.
    mutating func forwardingFailed() -> (Sink, beforeHead: Bool)? {
        guard case .forwarding(_, let sink, let headSeen) = self.state else { return nil }
        self.state = .closed
        return (sink, !headSeen)
    }

    // MARK: Progress, time and the end

    /// The consumer asked for more: reading resumes, and the per-read deadline runs from now.
    mutating func consumerResumed(now: NIODeadline) {
        self.modifyExchange { $0.lastProgress = now }
    }

    /// The exchange timer fired. `readsPaused`: reading is held because the consumer is slower than the upstream —
    /// the consumer's delay, not the upstream's, so only the total deadline applies.
    mutating func timerFired(now: NIODeadline, readsPaused: Bool) -> TimerAction {
        guard let exchange = self.exchange else { return .none }
        if exchange.totalDeadline <= now {
            // A trickling upstream makes progress with every byte; only the total deadline ends it.
            return self.timeOut().map { .timeOut($0, overall: true) } ?? .none
        }
        if exchange.nextDeadline > now { return .rearm(exchange.nextDeadline) }
        switch self.state {
        case .streaming where readsPaused, .forwarding(_, _, headSeen: true) where readsPaused:
            // Paused by the consumer: its delay, not the upstream's. Look again a read's time later (the consumer may
            // have resumed by then, and the upstream stalled), or at the total deadline.
            return .rearm(min(now + exchange.perRead, exchange.totalDeadline))
        default:
            return self.timeOut().map { .timeOut($0, overall: false) } ?? .none
        }
    }

    /// The connection closed (or its handler left the pipeline). `bodyEndsWithConnection`: a forwarded body
    /// delimited by the connection's end, which has now ended (the scanner says).
    mutating func closed(bodyEndsWithConnection: Bool) -> Failure? {
        let failure = self.failure(bodyEndsWithConnection: bodyEndsWithConnection)
        self.state = .closed
        return failure
    }

    // MARK: Private

    private var exchange: Exchange? {
        switch self.state {
        case .awaitingHead(let exchange, _, _), .buffering(let exchange, _, _, _, _), .streaming(let exchange, _, _),
            .forwarding(let exchange, _, _):
            exchange
        case .idle, .upgraded, .closed, .modifying:
            nil
        }
    }

    private mutating func timeOut() -> Failure? {
        let failure = self.failure(bodyEndsWithConnection: false)
        if failure != nil { self.state = .closed }
        return failure
    }

    /// How the exchange in progress fails when it ends now (`bodyEndsWithConnection`: a forwarded body delimited by
    /// the connection's end has ended with it).
    private func failure(bodyEndsWithConnection: Bool) -> Failure? {
        switch self.state {
        case .awaitingHead(_, let response, let ended), .buffering(_, let response, let ended, _, _):
            .response(response, ended)
        case .streaming(_, let source, let ended):
            .body(source, ended)
        case .forwarding(_, let sink, let headSeen):
            bodyEndsWithConnection ? .forwardingEnded(sink) : .forwarding(sink, beforeHead: !headSeen)
        case .idle, .upgraded, .closed, .modifying:
            nil
        }
    }

    private mutating func newExchange(
        keepAlive: Bool,
        isHead: Bool,
        requestSent: Bool,
        _ timeouts: ExchangeTimeouts,
        _ now: NIODeadline
    ) -> Exchange {
        self.exchanges &+= 1
        return Exchange(
            number: self.exchanges,
            keepAlive: keepAlive,
            requestIsHead: isHead,
            requestSent: requestSent,
            perRead: timeouts.perRead,
            totalDeadline: timeouts.total.map { now + $0 } ?? .distantFuture,
            lastProgress: now
        )
    }

    private mutating func modifyExchange(_ change: (inout Exchange) -> Void) {
        switch self.state {
        case .awaitingHead(var exchange, let response, let ended):
            change(&exchange)
            self.state = .awaitingHead(exchange, response, ended)
        case .buffering(var exchange, let response, let ended, let head, let collected):
            self.state = .modifying
            change(&exchange)
            self.state = .buffering(exchange, response, ended, head, collected)
        case .streaming(var exchange, let source, let ended):
            change(&exchange)
            self.state = .streaming(exchange, source, ended)
        case .forwarding(var exchange, let sink, let headSeen):
            change(&exchange)
            self.state = .forwarding(exchange, sink, headSeen: headSeen)
        case .idle, .upgraded, .closed, .modifying:
            break
        }
    }
}

extension UpstreamConnectionStateMachine.Failure: Equatable
where ResponsePromise: Equatable, EndPromise: Equatable, BodySource: Equatable, Sink: Equatable {}
extension UpstreamConnectionStateMachine.TimerAction: Equatable
where ResponsePromise: Equatable, EndPromise: Equatable, BodySource: Equatable, Sink: Equatable {}
