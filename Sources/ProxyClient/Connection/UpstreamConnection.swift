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
final class UpstreamConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    enum State {
        case idle
        case waitingForHead(EventLoopPromise<UpstreamExchange>)
        /// A small body with a known length, collected before the exchange completes.
        case buffering(EventLoopPromise<UpstreamExchange>, HTTPResponseHead, ByteBuffer)
        case streaming(RequestBody.Producer.Source?)
        /// The event-loop fast path: the response goes to `sink` as scanned bytes; `headSeen` once its head came.
        case forwarding(any UpstreamSink, headSeen: Bool)
        case closed
    }

    let server: String
    private let bodyBuffer: (low: Int, high: Int)
    private var state = State.idle
    private var context: ChannelHandlerContext?
    private var ended: EventLoopPromise<Bool>?
    private var keepAlive = true
    private var requestIsHead = false
    /// The request's end went out (bodies are written by the caller, through this handler).
    private var requestSent = true
    private var timeout = TimeAmount.seconds(60)
    /// When the exchange must have ended, whatever its progress (``ExchangeTimeouts/total``).
    private var totalDeadline = NIODeadline.distantFuture
    private var timer: Scheduled<Void>?
    private var lastProgress = NIODeadline.now()
    /// Response bodies up to this many bytes (with a Content-Length) are collected, not streamed.
    private let bufferLimit = 64 * 1024
    private let reads = ReadGate()
    /// The raw path past the HTTP codec (see ``RawExchangeTap``).
    var tap: RawExchangeTap?
    /// Reads the response of a fast-path exchange.
    private var scanner: ResponseScanner?
    /// Counts exchanges, so late callbacks of an earlier one are recognised.
    private var exchangeCount: UInt64 = 0

    init(server: String, bodyBuffer: (low: Int, high: Int)) {
        self.server = server
        self.bodyBuffer = bodyBuffer
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = self.unwrapOutboundIn(data) { self.requestSent = true }
        context.write(data, promise: promise)
    }
    func handlerRemoved(context: ChannelHandlerContext) {
        self.fail()  // settles any promise still pending
        self.context = nil
    }

    /// Writes the request head (and its end, for a request without body) and returns the future of the response.
    func start(_ head: HTTPRequestHead, timeouts: ExchangeTimeouts, endRequest: Bool) throws -> EventLoopFuture<UpstreamExchange> {
        guard let context, case .idle = self.state else { throw UpstreamError.closedBeforeResponse(self.server) }
        let promise = context.eventLoop.makePromise(of: UpstreamExchange.self)
        self.ended = context.eventLoop.makePromise(of: Bool.self)
        self.state = .waitingForHead(promise)
        self.exchangeCount &+= 1
        self.keepAlive = head.isKeepAlive
        self.requestIsHead = head.method == .HEAD
        self.requestSent = endRequest
        self.setTimeouts(timeouts)
        if endRequest {
            context.write(self.wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            context.writeAndFlush(self.wrapOutboundOut(.head(head)), promise: nil)
        }
        return promise.futureResult
    }

    /// The fast path's start: writes a bodyless request's head (`request`, bytes) straight to the socket (no
    /// HTTP encoder) and hands the response to `sink` as it arrives — its head parsed, its body as the bytes
    /// that came — on the loop.
    func startForwarding(_ request: ByteBuffer, timeouts: ExchangeTimeouts, to sink: any UpstreamSink) -> Bool {
        guard self.context != nil, let tap = self.tap, let tapContext = tap.context, case .idle = self.state else { return false }
        self.state = .forwarding(sink, headSeen: false)
        self.scanner = ResponseScanner()
        self.exchangeCount &+= 1
        self.keepAlive = true
        self.requestIsHead = false
        self.requestSent = true
        self.setTimeouts(timeouts)
        tapContext.writeAndFlush(NIOAny(request), promise: nil)
        return true
    }

    /// Response bytes of a fast-path exchange (from the tap).
    func rawRead(_ input: inout ByteBuffer) {
        guard case .forwarding(let sink, _) = self.state, var scanner = self.scanner else { return }
        self.scanner = nil  // while it is out, so it is not copied as it changes
        do {
            while let event = try scanner.next(&input) {
                switch event {
                case .head(let head):
                    self.keepAlive = head.keepAlive
                    self.lastProgress = .now()
                    self.state = .forwarding(sink, headSeen: true)
                    sink.upstreamHead(head)
                case .body(let bytes):
                    self.lastProgress = .now()
                    sink.upstreamBody(bytes)
                case .end:
                    self.finishForwarding(sink, reusable: self.keepAlive && input.readableBytes == 0)
                    return
                }
                // The sink may have given up on the exchange (the client went away).
                guard case .forwarding = self.state else { return }
            }
            self.scanner = scanner
        } catch {
            if case .forwarding(_, let headSeen) = self.state {
                let failure = headSeen ? UpstreamError.closedDuringResponse(self.server) : .closedBeforeResponse(self.server)
                self.failForwarding(sink, failure, beforeHead: !headSeen)
            }
            self.context?.close(promise: nil)
        }
    }

    private func finishForwarding(_ sink: any UpstreamSink, reusable: Bool) {
        self.state = .idle
        self.scanner = nil
        if let context { self.reads.resume(context) }
        if !reusable { self.context?.close(promise: nil) }
        sink.upstreamEnd(reusable: reusable)
    }

    /// A fast-path exchange is reading its response (through the tap).
    var isForwarding: Bool {
        if case .forwarding = self.state { return true }
        return false
    }

    /// Stops reading the upstream while the client is slower than it (back-pressure; no timeout meanwhile).
    func pauseReads() {
        self.reads.pause()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if case .forwarding(let sink, _) = self.state { sink.upstreamReadComplete() }
        context.fireChannelReadComplete()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            guard case .waitingForHead(let promise) = self.state, let ended = self.ended else { return }
            guard ResponseScanner.validStatuses.contains(Int(head.status.code)) else {
                // NIO reads `099` as status 99: a malformed answer, as for the fast path's scanner.
                context.close(promise: nil)
                return
            }
            self.keepAlive = self.keepAlive && head.isKeepAlive
            let status = Int(head.status.code)
            let length = head.headers.first(name: "content-length").flatMap { Int($0) }
            let bodylessStatus = ResponseFraming.hasNoContent(status: status)
            let transferEncoding = head.headers.contains(name: "transfer-encoding")
            if ResponseFraming.announcesContentItMustNotHave(status: status, transferEncoding: transferEncoding, contentLength: length) {
                self.keepAlive = false
            }
            let bodyless = self.requestIsHead || bodylessStatus || length == 0
            if status == 101 {
                // Switching protocols: the connection leaves HTTP; the caller replaces this handler.
                self.state = .closed
                self.timer?.cancel()
                self.timer = nil
                self.ended = nil
                ended.succeed(false)  // never back to the pool
                promise.succeed(UpstreamExchange(head: head, body: nil, ended: ended.futureResult))
                return
            }
            if bodyless {
                self.state = .streaming(nil)
                promise.succeed(UpstreamExchange(head: head, body: nil, ended: ended.futureResult))
                return
            }
            if let length, length <= self.bufferLimit {
                // Small bodies are collected and answered in one piece (nginx's proxy_buffering): no stream
                // machinery, and the server writes head and body with one flush.
                var buffer = context.channel.allocator.buffer(capacity: length)
                buffer.clear()
                self.state = .buffering(promise, head, buffer)
                return
            }
            let delegate = BodyReadDelegate(
                on: context.eventLoop,
                owner: self,
                produceMore: { $0.resumeReading() },
                // Also called after a complete read; only a consumer that left mid-body of *this* exchange makes the
                // connection unusable (by then it may serve the next one).
                didTerminate: { [exchange = self.exchangeCount] handler in handler.abandon(exchange: exchange) }
            )
            let (body, source) = RequestBody.makeStream(
                lowWatermark: self.bodyBuffer.low,
                highWatermark: self.bodyBuffer.high,
                delegate: delegate
            )
            self.state = .streaming(source)
            promise.succeed(UpstreamExchange(head: head, body: body, ended: ended.futureResult))
        case .body(var buffer):
            self.lastProgress = .now()
            if case .buffering(let promise, let head, var collected) = self.state {
                self.state = .idle  // avoid a copy of `collected` while it grows
                collected.writeBuffer(&buffer)
                self.state = .buffering(promise, head, collected)
                return
            }
            guard case .streaming(let source) = self.state, let source else { return }
            switch source.yield(buffer) {
            case .produceMore: break
            case .stopProducing:
                self.reads.pause()  // the client is slow, not the upstream: timedOut() ignores this
            case .dropped: break
            }
        case .end:
            if case .buffering(let promise, let head, let collected) = self.state, let ended = self.ended {
                self.state = .streaming(nil)
                promise.succeed(UpstreamExchange(head: head, body: nil, bufferedBody: collected, ended: ended.futureResult))
            }
            guard case .streaming(let source) = self.state else { return }
            source?.finish()
            self.state = .idle
            self.reads.resume(context)
            let ended = self.ended
            self.ended = nil
            // A request whose body was not sent whole (the upstream answered first) leaves the upstream
            // expecting the rest: the connection cannot serve another request.
            let reusable = self.keepAlive && self.requestSent
            ended?.succeed(reusable)
            if !reusable { context.close(promise: nil) }
        }
    }

    private func failForwarding(_ sink: any UpstreamSink, _ error: UpstreamError, beforeHead: Bool) {
        self.state = .closed
        self.scanner = nil
        self.timer?.cancel()
        self.timer = nil
        sink.upstreamFailed(error, beforeHead: beforeHead)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.fail()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        self.reads.read(context)
    }

    func resumeReading() {
        self.lastProgress = .now()
        self.reads.resume(self.context)
    }

    func abandon(exchange: UInt64) {
        guard exchange == self.exchangeCount, case .streaming = self.state else { return }
        self.context?.close(promise: nil)
    }

    private func fail() {
        self.timer?.cancel()
        self.timer = nil
        switch self.state {
        case .waitingForHead(let promise), .buffering(let promise, _, _):
            promise.fail(UpstreamError.closedBeforeResponse(self.server))
        case .streaming(let source):
            source?.finish(UpstreamError.closedDuringResponse(self.server))
        case .forwarding(let sink, let headSeen):
            if var scanner = self.scanner, scanner.connectionClosed() {
                // A body delimited by the connection's end has ended.
                self.finishForwarding(sink, reusable: false)
                self.state = .closed
                return
            }
            let error = headSeen ? UpstreamError.closedDuringResponse(self.server) : .closedBeforeResponse(self.server)
            self.failForwarding(sink, error, beforeHead: !headSeen)
        case .idle, .closed:
            break
        }
        self.state = .closed
        self.ended?.succeed(false)
        self.ended = nil
    }

    private func setTimeouts(_ timeouts: ExchangeTimeouts) {
        self.timeout = timeouts.perRead
        self.lastProgress = .now()
        self.totalDeadline = timeouts.total.map { self.lastProgress + $0 } ?? .distantFuture
        self.armTimer()
    }

    /// One timer per connection, re-armed lazily: progress only moves `lastProgress`, and an early fire
    /// schedules the rest (a schedule/cancel pair per chunk showed up in profiles).
    private func armTimer() {
        guard let context, self.timer == nil else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.timer = context.eventLoop.scheduleTask(deadline: min(self.lastProgress + self.timeout, self.totalDeadline)) {
            let handler = loopBound.value
            handler.timer = nil
            if handler.state.isIdle { return }
            let now = NIODeadline.now()
            if handler.totalDeadline <= now {
                // A trickling upstream makes progress with every byte; only the total deadline ends it.
                handler.timedOut(overall: true)
            } else if min(handler.lastProgress + handler.timeout, handler.totalDeadline) > now {
                handler.armTimer()
            } else {
                handler.timedOut(overall: false)
            }
        }
    }

    /// - Parameter overall: the total deadline passed (a paused read does not excuse that).
    private func timedOut(overall: Bool) {
        switch self.state {
        case .waitingForHead(let promise), .buffering(let promise, _, _):
            self.state = .closed
            promise.fail(UpstreamError.responseTimeout(self.server))
        case .streaming(let source):
            guard overall || !self.reads.isPaused else { return }
            self.state = .closed
            source?.finish(UpstreamError.responseTimeout(self.server))
        case .forwarding(let sink, let headSeen):
            guard overall || !(headSeen && self.reads.isPaused) else { return }
            self.failForwarding(sink, .responseTimeout(self.server), beforeHead: !headSeen)
            self.context?.close(promise: nil)
            return
        case .idle, .closed:
            return
        }
        self.ended?.succeed(false)
        self.ended = nil
        self.context?.close(promise: nil)
    }
}

extension UpstreamConnectionHandler.State {
    fileprivate var isIdle: Bool {
        switch self {
        case .idle, .closed: true
        default: false
        }
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
