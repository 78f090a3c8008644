import HTTPCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// The response of one exchange on an upstream connection: head, streaming body, and a future that says
/// whether the connection can be reused once the body has ended.
struct UpstreamExchange: Sendable {
    let head: HTTPResponseHead
    /// The streamed body; `nil` when the response has none or it was collected into `bufferedBody`.
    let body: RequestBody?
    /// A small body collected whole.
    var bufferedBody: ByteBuffer? = nil
    /// Completes when the response ended: `true` if the connection may serve another request.
    let ended: EventLoopFuture<Bool>
}

/// How long one exchange may wait for its upstream: per read (the response head, then between body chunks;
/// nginx `proxy_read_timeout`) and in all, head to last byte (none by default: a proxied download may be long).
struct ExchangeTimeouts: Sendable {
    var perRead: TimeAmount
    var total: TimeAmount?
}

/// One HTTP/1.1 connection to an upstream server, usable from any task.
struct UpstreamConnection: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<UpstreamConnectionHandler>
    let server: String

    var eventLoop: any EventLoop { self.channel.eventLoop }
    var isActive: Bool { self.channel.isActive }

    /// Opens a connection to `host:port` on `eventLoop`.
    static func connect(
        host: String,
        port: Int,
        on eventLoop: any EventLoop,
        connectTimeout: TimeAmount,
        bodyBuffer: (low: Int, high: Int),
        tls: UpstreamTLS? = nil
    ) async throws -> UpstreamConnection {
        let server = "\(host):\(port)"
        let connection: UpstreamConnection
        let handshake: EventLoopFuture<Void>?
        do {
            (connection, handshake) = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(connectTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // TLS first, next to the socket: everything after it (the raw tap too) sees plaintext.
                        let handshake = try tls?.secure(channel, host)
                        // Next to the socket: the fast path's raw exchanges bypass the HTTP codec through it.
                        let tap = RawExchangeTap()
                        try channel.pipeline.syncOperations.addHandler(tap)
                        // No outbound header validation: fields come from swift-http-types, already validated; and
                        // after an Upgrade raw bytes flow where HTTP parts did.
                        try channel.pipeline.syncOperations.addHTTPClientHandlers(
                            leftOverBytesStrategy: .forwardBytes,
                            enableOutboundHeaderValidation: false
                        )
                        let handler = UpstreamConnectionHandler(server: server, bodyBuffer: bodyBuffer)
                        try channel.pipeline.syncOperations.addHandler(handler)
                        tap.owner = handler
                        handler.tap = tap
                        let connection = UpstreamConnection(
                            channel: channel,
                            handler: NIOLoopBound(handler, eventLoop: channel.eventLoop),
                            server: server
                        )
                        return (connection, handshake)
                    }
                }
        } catch ChannelError.connectTimeout {
            throw UpstreamError.connectTimeout(server)
        } catch {
            throw UpstreamError.connectFailed(server)
        }
        guard let handshake else { return connection }
        // The handshake counts as connecting: a certificate that does not verify is a failed connect (502), and a
        // server that never finishes it a connect timeout.
        let deadline = eventLoop.scheduleTask(in: connectTimeout) { connection.channel.close(promise: nil) }
        defer { deadline.cancel() }
        do {
            try await handshake.get()
            return connection
        } catch {
            connection.channel.close(promise: nil)
            throw UpstreamError.tlsFailed(server, detail: "\(error)")
        }
    }

    /// Sends one request and waits for the response head.
    /// - Parameters:
    ///   - head: the request head, framing headers included.
    ///   - body: the request body, streamed with back-pressure.
    ///   - timeouts: the longest wait for the response head and between body chunks, and for the whole response.
    func execute(head: HTTPRequestHead, body: RequestBody, timeouts: ExchangeTimeouts) async throws -> UpstreamExchange {
        let handler = self.handler
        let bodyless = body.isKnownEmpty
        let exchange: EventLoopFuture<UpstreamExchange>
        if self.eventLoop.inEventLoop {
            // The usual case: the pool hands out connections on the caller's loop, so no hop.
            exchange = try handler.value.start(head, timeouts: timeouts, endRequest: bodyless)
        } else {
            exchange = try await self.eventLoop.submit { try handler.value.start(head, timeouts: timeouts, endRequest: bodyless) }.get()
        }
        guard !bodyless else { return try await exchange.get() }
        // The body goes up while the response is awaited: an upstream may answer (or fail) before the body
        // ended, and then neither it nor the client's slow body may hold the exchange open.
        return try await withThrowingTaskGroup(of: UpstreamExchange?.self) { group in
            group.addTask {
                try await self.sendBody(body, exchange: exchange)
                return nil
            }
            group.addTask { try await exchange.get() }
            while let result = try await group.next() {
                guard let answered = result else { continue }  // the body was sent; the answer comes next
                // Answered before the body ended: what is left of it is not sent, so the connection cannot be
                // reused (the handler saw no request end) and closes with the response.
                group.cancelAll()
                return answered
            }
            throw UpstreamError.closedBeforeResponse(self.server)
        }
    }

    private func sendBody(_ body: RequestBody, exchange: EventLoopFuture<UpstreamExchange>) async throws {
        var chunks = body.makeAsyncIterator()
        while true {
            let chunk: ByteBuffer?
            do {
                chunk = try await chunks.next()
            } catch {
                // The client's body failed (too large, or the client went away): not the upstream's fault, so the
                // error stays what it is; the upstream holds half a request, so its connection goes.
                self.channel.close(promise: nil)
                throw error
            }
            if Task.isCancelled { return }  // answered already
            do {
                if let chunk {
                    try await self.channel.writeAndFlush(HTTPClientRequestPart.body(.byteBuffer(chunk)))
                } else {
                    try await self.channel.writeAndFlush(HTTPClientRequestPart.end(nil))
                    return
                }
            } catch {
                // The upstream may have answered early (a 413, say) and closed: its answer still counts.
                if (try? await exchange.get()) != nil { return }
                self.channel.close(promise: nil)
                throw UpstreamError.closedBeforeResponse(self.server)
            }
        }
    }

    /// After a 101 response: replaces the HTTP handlers with a raw byte tunnel.
    func switchToRawTunnel() async throws -> UpgradedConnection {
        let channel = self.channel
        return try await self.eventLoop.submit {
            let pipeline = channel.pipeline.syncOperations
            return try RawTunnelHandler.replace(
                [
                    try pipeline.context(handlerType: UpstreamConnectionHandler.self),
                    try pipeline.context(handlerType: ByteToMessageHandler<HTTPResponseDecoder>.self),
                    try pipeline.context(handlerType: HTTPRequestEncoder.self),
                ],
                in: channel
            )
        }.get()
    }

    /// Closes the connection.
    func close() {
        self.channel.close(promise: nil)
    }
}

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

/// Sits next to the socket of an upstream connection. While a fast-path exchange reads its response it hands
/// the bytes to ``UpstreamConnectionHandler/rawRead(_:)`` instead of NIO's HTTP decoder (which never
/// sees them, so it stays between messages); otherwise it passes everything on. The fast path also writes
/// its requests through it, past the encoder.
final class RawExchangeTap: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private(set) var context: ChannelHandlerContext?
    var owner: UpstreamConnectionHandler?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.owner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let owner = self.owner, owner.isForwarding else {
            context.fireChannelRead(data)
            return
        }
        var input = self.unwrapInboundIn(data)
        owner.rawRead(&input)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.owner = nil  // the pipeline's handlers go with the channel; no cycle outlives it
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension RawExchangeTap: Sendable {}

/// Receives the response of a forwarded request on the connection's event loop (the fast path).
protocol UpstreamSink: AnyObject {
    /// The response head, parsed but not decoded.
    func upstreamHead(_ head: ResponseScanner.Head)
    /// Body bytes as they came (a chunked body's framing included).
    func upstreamBody(_ buffer: ByteBuffer)
    /// After the last body part of a batch of reads: time to flush.
    func upstreamReadComplete()
    /// The response ended; `reusable` when the connection may serve another request (it is not yet released).
    func upstreamEnd(reusable: Bool)
    /// The exchange failed; `beforeHead` when no part of the response had arrived.
    func upstreamFailed(_ error: UpstreamError, beforeHead: Bool)
}
