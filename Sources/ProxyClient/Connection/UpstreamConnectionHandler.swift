import HTTPCore
import NIOCore
import NIOHTTP1

/// Runs one request at a time on an upstream connection and streams the response body with back-pressure.
///
/// Every decision is ``UpstreamConnectionStateMachine``'s; this handler carries its actions out: it completes the
/// promises, yields body parts, writes, closes, holds reads (``ReadGate``) and runs the one exchange timer. In
/// forwarding mode it also runs the ``ResponseScanner`` over the bytes the ``RawExchangeTap`` hands it.
final class UpstreamConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    typealias Machine = UpstreamConnectionStateMachine<
        EventLoopPromise<UpstreamExchange>, EventLoopPromise<Bool>, RequestBody.Producer.Source, any UpstreamSink
    >

    let server: String
    private let bodyBuffer: (low: Int, high: Int)
    private var machine = Machine()
    private var context: ChannelHandlerContext?
    /// One timer per connection, re-armed lazily: progress only moves the exchange's `lastProgress`, and an early
    /// fire schedules the rest (a schedule/cancel pair per chunk showed up in profiles).
    private var timer: Scheduled<Void>?
    private let reads = ReadGate()
    /// The raw path past the HTTP codec (see ``RawExchangeTap``).
    var tap: RawExchangeTap?
    /// Reads the response of a forwarded exchange; out of it while it runs, so it is not copied as it changes.
    private var scanner: ResponseScanner?

    init(server: String, bodyBuffer: (low: Int, high: Int)) {
        self.server = server
        self.bodyBuffer = bodyBuffer
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    /// The time by the connection's event loop (a test's loop moves it only when told).
    private var now: NIODeadline { self.context?.eventLoop.now ?? .now() }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = self.unwrapOutboundIn(data) { self.machine.requestEndWritten() }
        context.write(data, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.connectionEnded()  // settles any promise still pending
        self.context = nil
    }

    /// Writes the request head (and its end, for a request without body) and returns the future of the response.
    func start(_ head: HTTPRequestHead, timeouts: ExchangeTimeouts, endRequest: Bool) throws -> EventLoopFuture<UpstreamExchange> {
        guard let context, self.machine.isIdle else { throw UpstreamError.closedBeforeResponse(self.server) }
        let response = context.eventLoop.makePromise(of: UpstreamExchange.self)
        let deadline = self.machine.start(
            keepAlive: head.isKeepAlive,
            isHead: head.method == .HEAD,
            requestEnded: endRequest,
            timeouts: timeouts,
            response: response,
            ended: context.eventLoop.makePromise(of: Bool.self),
            now: self.now
        )
        self.armTimer(at: deadline)
        if endRequest {
            context.write(self.wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            context.writeAndFlush(self.wrapOutboundOut(.head(head)), promise: nil)
        }
        return response.futureResult
    }

    /// The fast path's start: writes a bodyless request's head (`request`, bytes) straight to the socket (no
    /// HTTP encoder) and hands the response to `sink` as it arrives — its head parsed, its body as the bytes
    /// that came — on the loop.
    func startForwarding(_ request: ByteBuffer, timeouts: ExchangeTimeouts, to sink: any UpstreamSink) -> Bool {
        guard self.context != nil, let tap = self.tap, let tapContext = tap.context, self.machine.isIdle else { return false }
        self.armTimer(at: self.machine.startForwarding(to: sink, timeouts: timeouts, now: self.now))
        self.scanner = ResponseScanner()
        tapContext.writeAndFlush(NIOAny(request), promise: nil)
        return true
    }

    /// Response bytes of a forwarded exchange (from the tap).
    func rawRead(_ input: inout ByteBuffer) {
        guard self.machine.isForwarding, var scanner = self.scanner else { return }
        self.scanner = nil
        do {
            while let event = try scanner.next(&input) {
                switch event {
                case .head(let head):
                    self.machine.forwardedHead(keepAlive: head.keepAlive, now: self.now)?.upstreamHead(head)
                case .body(let bytes):
                    self.machine.forwardedBody(now: self.now)?.upstreamBody(bytes)
                case .end:
                    if let (sink, reusable) = self.machine.forwardedEnd(bytesFollow: input.readableBytes > 0) {
                        self.finishForwarding(sink, reusable: reusable)
                    }
                    return
                }
                // The sink may have given up on the exchange (the client went away).
                guard self.machine.isForwarding else { return }
            }
            self.scanner = scanner
        } catch {
            if let (sink, beforeHead) = self.machine.forwardingFailed() {
                self.cancelTimer()
                sink.upstreamFailed(
                    beforeHead ? .closedBeforeResponse(self.server) : .closedDuringResponse(self.server),
                    beforeHead: beforeHead
                )
            }
            self.context?.close(promise: nil)
        }
    }

    private func finishForwarding(_ sink: any UpstreamSink, reusable: Bool) {
        self.scanner = nil
        if let context { self.reads.resume(context) }
        if !reusable { self.context?.close(promise: nil) }
        sink.upstreamEnd(reusable: reusable)
    }

    /// A forwarded exchange is reading its response (through the tap).
    var isForwarding: Bool { self.machine.isForwarding }

    /// Stops reading the upstream while the client is slower than it (back-pressure; no timeout meanwhile).
    func pauseReads() {
        self.reads.pause()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if case .forwarding(_, let sink, _) = self.machine.state { sink.upstreamReadComplete() }
        context.fireChannelReadComplete()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            switch self.machine.responseHead(head, now: self.now) {
            case .ignore, .collect:
                break
            case .close:
                context.close(promise: nil)
            case .upgrade(let response, let ended):
                // Switching protocols: the connection leaves HTTP; the caller replaces this handler.
                self.cancelTimer()
                ended.succeed(false)  // never back to the pool
                response.succeed(UpstreamExchange(head: head, body: nil, ended: ended.futureResult))
            case .answerWithoutBody(let response, let ended):
                response.succeed(UpstreamExchange(head: head, body: nil, ended: ended.futureResult))
            case .answerWithStream(let response, let ended, let number):
                let delegate = BodyReadDelegate(
                    on: context.eventLoop,
                    owner: self,
                    produceMore: { $0.resumeReading() },
                    // Also called after a complete read; only a consumer that left mid-body of *this* exchange makes
                    // the connection unusable (by then it may serve the next one).
                    didTerminate: { handler in
                        if handler.machine.consumerLeft(exchange: number) { handler.context?.close(promise: nil) }
                    }
                )
                let (body, source) = RequestBody.makeStream(
                    lowWatermark: self.bodyBuffer.low,
                    highWatermark: self.bodyBuffer.high,
                    delegate: delegate
                )
                self.machine.bodyStreamOpened(source)
                response.succeed(UpstreamExchange(head: head, body: body, ended: ended.futureResult))
            }
        case .body(var buffer):
            switch self.machine.responseBody(&buffer, now: self.now) {
            case .ignore, .collected:
                break
            case .yield(let source):
                if case .stopProducing = source.yield(buffer) {
                    self.reads.pause()  // the client is slow, not the upstream: the timer allows for it
                }
            }
        case .end:
            guard case .finish(let collected, let source, let ended, let reusable) = self.machine.responseEnd() else { return }
            if let (response, head, body, ended) = collected {
                response.succeed(UpstreamExchange(head: head, body: nil, bufferedBody: body, ended: ended.futureResult))
            }
            source?.finish()
            self.reads.resume(context)
            ended.succeed(reusable)
            if !reusable { context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.connectionEnded()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        self.reads.read(context)
    }

    func resumeReading() {
        self.machine.consumerResumed(now: self.now)
        self.reads.resume(self.context)
    }

    /// The connection closed, or this handler left its pipeline.
    private func connectionEnded() {
        self.cancelTimer()
        var bodyEndsWithConnection = false
        if self.machine.isForwarding, var scanner = self.scanner {
            // A body delimited by the connection's end has ended.
            bodyEndsWithConnection = scanner.connectionClosed()
        }
        guard let failure = self.machine.closed(bodyEndsWithConnection: bodyEndsWithConnection) else { return }
        self.carryOut(failure, timedOut: false)
    }

    /// Fails an exchange as the machine says: with a timeout, or because the connection closed.
    private func carryOut(_ failure: Machine.Failure, timedOut: Bool) {
        switch failure {
        case .response(let response, let ended):
            response.fail(timedOut ? UpstreamError.responseTimeout(self.server) : .closedBeforeResponse(self.server))
            ended.succeed(false)
        case .body(let source, let ended):
            source?.finish(timedOut ? UpstreamError.responseTimeout(self.server) : .closedDuringResponse(self.server))
            ended.succeed(false)
        case .forwarding(let sink, let beforeHead):
            self.scanner = nil
            let error: UpstreamError =
                timedOut
                ? .responseTimeout(self.server) : beforeHead ? .closedBeforeResponse(self.server) : .closedDuringResponse(self.server)
            sink.upstreamFailed(error, beforeHead: beforeHead)
        case .forwardingEnded(let sink):
            self.finishForwarding(sink, reusable: false)
        }
    }

    private func armTimer(at deadline: NIODeadline) {
        guard let context, self.timer == nil else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.timer = context.eventLoop.scheduleTask(deadline: deadline) {
            let handler = loopBound.value
            handler.timer = nil
            switch handler.machine.timerFired(now: handler.now, readsPaused: handler.reads.isPaused) {
            case .none:
                break
            case .rearm(let deadline):
                handler.armTimer(at: deadline)
            case .timeOut(let failure, _):
                handler.carryOut(failure, timedOut: true)
                handler.context?.close(promise: nil)
            }
        }
    }

    private func cancelTimer() {
        self.timer?.cancel()
        self.timer = nil
    }
}

@available(*, unavailable)
extension UpstreamConnectionHandler: Sendable {}
