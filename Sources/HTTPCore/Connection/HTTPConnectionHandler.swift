import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// The last handler of a connection's pipeline: turns HTTP/1 parts into ``Request``s for the
/// connection's task and writes its ``Response``s.
///
/// It holds the I/O (the channel context, the request body stream, the task's continuation, the read gate);
/// every lifecycle decision is ``HTTPConnectionStateMachine``'s. Everything here runs on the channel's event
/// loop; the connection task reaches it through ``HTTPConnection``, which runs on the same loop (see
/// ``EventLoopTaskExecutor``).
final class HTTPConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// A request handed to the task, possibly already rejected by a limit.
    struct Incoming {
        var request: Request
        var rejection: HTTPError?
        /// What a fast path learnt before it fell back; reaches the handler in its `RequestContext`.
        var fastPathFallback: FastPathFallback?
    }

    let limits: HTTPServerLimits
    let timeouts: ConnectionTimeoutHandler
    let fastPath: (any HTTPFastPath)?
    /// The server's metrics, spans and client-address rule.
    let observability: ServerObservability
    /// The server's metrics; `nil` when none are recorded.
    package var metrics: ServerMetrics? { self.observability.metrics }
    let logger: Logger
    /// Whether the connection is encrypted: requests get the `https` scheme.
    let secure: Bool
    /// The client's IP address as text, once a fast path asked for it.
    lazy var clientAddress: String? = self.context?.channel.remoteAddress?.ipAddress
    /// The connection's error answer was counted (it closes after it), or is not one to count.
    private var rejectionCounted = false
    /// The route template of the request a fast path is taking over (for metrics).
    var fastPathRoute: String?
    /// Told about writability and closing while a fast path owns the response.
    var fastPathObserver: (any FastPathObserver)?
    private(set) var context: ChannelHandlerContext?

    private var state: HTTPConnectionStateMachine
    /// The request the task has not picked up yet.
    private var pending: Incoming?
    private var waiter: UnsafeContinuation<Incoming?, Never>?
    private var bodySource: RequestBody.Producer.Source?
    /// Counts request bodies, so late callbacks of an earlier body are recognised.
    private var bodyGeneration: UInt64 = 0
    private let reads = ReadGate()

    init(
        limits: HTTPServerLimits,
        timeouts: ConnectionTimeoutHandler,
        fastPath: (any HTTPFastPath)?,
        observability: ServerObservability = ServerObservability(),
        secure: Bool = false,
        logger: Logger
    ) {
        self.secure = secure
        self.limits = limits
        self.timeouts = timeouts
        self.fastPath = fastPath
        self.observability = observability
        self.logger = logger
        self.state = HTTPConnectionStateMachine(
            maxBodyBytes: limits.maxBodyBytes,
            maxPipelinedRequests: limits.maxPipelinedRequests,
            hasFastPath: fastPath != nil
        )
    }

    var isClosed: Bool { self.state.isClosed }
    var queuedRequests: Int { self.state.queuedRequests }
    var keepAlive: Bool { self.state.keepAlive }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = self.unwrapInboundIn(data)
        switch self.state.partArrived(part) {
        case .process:
            self.process(part, context: context)
        case .queued:
            // The next request, sent before this response ended: it waits its turn, and reads wait with it.
            self.reads.pause()
        case .overflow:
            self.logger.debug("Too many pipelined requests; closing the connection")
            self.finishBody(ChannelError.eof)
            context.close(promise: nil)
        }
    }

    /// Serves the queued pipelined requests, in order, until one of them is in flight.
    private func serveQueued() {
        guard let context = self.context else { return }
        while let queued = self.state.nextQueued() {
            switch queued {
            case .part(let part): self.process(part, context: context)
            case .parseError(let error): self.perform(self.state.answerParseError(error), context: context)
            }
        }
        self.resumeReading()
    }

    private func process(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            self.receivedHead(head, context: context)
        case .body(let buffer):
            switch self.state.receivedBody(count: buffer.readableBytes) {
            case .forward:
                guard let source = self.bodySource else { return }
                switch source.yield(buffer) {
                case .produceMore: break
                case .stopProducing: self.pauseBodyReads()
                case .dropped: self.bodySource = nil
                }
            case .tooLarge:
                // The handler sees 413; the connection closes after its response, the rest is never read.
                self.timeouts.requestBodyEnded()
                self.finishBody(HTTPError.contentTooLarge(limit: self.limits.maxBodyBytes))
            case .drop:
                break
            }
        case .end:
            self.timeouts.requestBodyEnded()
            self.finishBody(nil)
            if self.state.receivedEnd() {
                self.resumeReading()
            } else {
                // An upgrade or CONNECT: what follows is not HTTP; the decoder would buffer it without bound.
                self.reads.pause()
            }
        }
    }

    private func receivedHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        self.timeouts.requestHeadReceived()
        let facts = RequestHeadFacts(head.headers)
        var action = self.state.receivedHead(facts, version: head.version, method: head.method)
        if action == .offerFastPath {
            let uri = head.uri
            let path = uri.firstIndex(of: "?").map { uri[..<$0] } ?? uri[...]
            if let fastPath = self.fastPath, fastPath.take(head, path: path, connection: FastPathConnection(handler: self)) { return }
            action = .deliver(body: false, sendContinue: false)
        }

        guard let requestHead = self.convert(head) else { return self.rejectMalformed() }
        switch action {
        case .reject(let status, let message):
            let rejection: HTTPError =
                status == .payloadTooLarge
                ? .contentTooLarge(limit: self.limits.maxBodyBytes)
                : HTTPError(HTTPResponse.Status(code: Int(status.code), reasonPhrase: status.reasonPhrase), message: message)
            self.deliver(Incoming(request: Request(head: requestHead), rejection: rejection))
        case .offerFastPath, .deliver(body: false, _):
            self.deliver(Incoming(request: Request(head: requestHead), rejection: nil))
        case .deliver(body: true, let sendContinue):
            self.bodyGeneration &+= 1
            let delegate = BodyReadDelegate(
                on: context.eventLoop,
                owner: self,
                produceMore: { $0.resumeBodyReads() },
                didTerminate: { [generation = self.bodyGeneration] handler in
                    // Also called after a complete read: only the body it belongs to, never the next request's.
                    guard handler.bodyGeneration == generation else { return }
                    handler.bodySource = nil
                    handler.resumeBodyReads()
                }
            )
            let (body, source) = RequestBody.makeStream(
                lowWatermark: self.limits.bodyLowWatermark,
                highWatermark: self.limits.bodyHighWatermark,
                delegate: delegate
            )
            self.bodySource = source
            self.timeouts.requestBodyStarted()
            if sendContinue {
                context.writeAndFlush(self.wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
            }
            self.deliver(Incoming(request: Request(head: requestHead, body: body), rejection: nil))
        }
    }

    private func deliver(_ incoming: Incoming) {
        if let waiter = self.waiter {
            self.waiter = nil
            waiter.resume(returning: incoming)
        } else {
            self.pending = incoming
        }
    }

    private func finishBody(_ error: (any Error)?) {
        if let error {
            self.bodySource?.finish(error)
        } else {
            self.bodySource?.finish()
        }
        self.bodySource = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.state.closed()
        if let observer = self.fastPathObserver {
            self.fastPathObserver = nil
            observer.clientClosed()
        }
        self.finishBody(ChannelError.eof)
        self.pending = nil
        if let waiter = self.waiter {
            self.waiter = nil
            waiter.resume(returning: nil)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parseError = error as? HTTPParserError {
            // After an answer that ends the connection (a 413, say), the client's EOF inside the unread body is one
            // more parse error, not one more request: not counted as a refused request.
            if !self.state.keepAlive { self.rejectionCounted = true }
            let action = self.state.parseError(parseError)
            if action == .queued {
                self.reads.pause()
            } else {
                self.perform(action, context: context)
            }
            return
        }
        // Anything else (a decoder buffer over its bound among them) ends the connection.
        self.state.responseAborted()
        self.finishBody(error)
        context.close(promise: nil)
    }

    /// Carries out what the state machine decided about a failed or finished connection.
    private func perform(_ action: HTTPConnectionStateMachine.ConnectionAction, context: ChannelHandlerContext) {
        switch action {
        case .none, .queued:
            break
        case .close:
            self.finishBody(ChannelError.eof)
            context.close(promise: nil)
        case .answerAndClose(let status):
            // A handler may still hold this request: its body ends with the error, nothing more goes out.
            self.finishBody(HTTPError(HTTPResponse.Status(code: Int(status.code))))
            self.writeErrorAndClose(status, context: context)
        }
    }

    /// A plain-text error answer with `Connection: close`, then the close.
    private func writeErrorAndClose(_ status: HTTPResponseStatus, context: ChannelHandlerContext) {
        // Counted once: the connection closes after it.
        if !self.rejectionCounted {
            self.rejectionCounted = true
            self.metrics?.rejected(status: Int(status.code))
        }
        let text = status.reasonPhrase + "\n"
        let headers = HTTPHeaders([
            ("connection", "close"), ("content-type", "text/plain; charset=utf-8"), ("content-length", String(text.utf8.count)),
        ])
        context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent:
            // Graceful shutdown: finish the response in flight (with `Connection: close`), serve nothing more.
            self.perform(self.state.quiesce(), context: context)
        case ChannelEvent.inputClosed:
            // The client half-closed: answer what it sent, then close.
            self.perform(self.state.inputClosed(), context: context)
        case is RequestBodyTimeoutEvent:
            self.perform(self.state.bodyTimedOut(), context: context)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    // MARK: flow control

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        if writable { self.fastPathObserver?.clientBecameWritable() }
        if let action = self.state.writabilityChanged(writable: writable) { self.perform(action) }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        self.reads.read(context)
    }

    /// Reads again, unless the state machine holds them (parts queued, an upgrade pending, a response
    /// still flushing).
    func resumeReading() {
        guard self.state.wantsReads else { return }
        self.reads.resume(self.context)
    }

    /// The handler is behind on the request body: stop reading (and stop the body clock: not the client's fault).
    private func pauseBodyReads() {
        self.reads.pause()
        self.timeouts.requestBodyPaused()
    }

    private func resumeBodyReads() {
        guard self.state.isReadingBody else { return }
        self.timeouts.requestBodyResumed()
        self.resumeReading()
    }

    // MARK: used by the connection task, on the loop

    /// The next request, or `nil` when the connection is done.
    func nextRequest() async -> Incoming? {
        if let pending = self.pending {
            self.pending = nil
            return pending
        }
        if self.state.isFinished {
            return nil
        }
        return await withUnsafeContinuation { self.waiter = $0 }
    }

    /// The response head is about to be written: adds `Date`, `Connection` and length framing.
    func makeHead(_ response: Response, contentLength: Int?) -> HTTPResponseHead {
        let status = response.status.code
        let framing = self.state.responseHead(status: status, hasLength: contentLength != nil)
        var headers = HTTPHeaders(response.headers)
        if !headers.contains(name: "date") {
            headers.add(name: "date", value: HTTPDate.now())
        }
        let bodyless = ResponseFraming.hasNoContent(status: status)
        if !bodyless, let contentLength, !headers.contains(name: "content-length") {
            headers.add(name: "content-length", value: String(contentLength))
        }
        if let connection = framing.connection {
            headers.replaceOrAdd(name: "connection", value: connection)
        }
        return HTTPResponseHead(
            version: framing.version,
            status: HTTPResponseStatus(statusCode: status, reasonPhrase: response.status.reasonPhrase),
            headers: headers
        )
    }

    /// Marks the end of a response: drops whatever of the request body nobody read, and goes on (or closes)
    /// as the state machine says. `closed` completes once the last bytes were written, for a closing connection.
    func responseEnded(lastWrite: EventLoopFuture<Void>?) {
        self.bodySource = nil
        let action = self.state.responseEnded(writable: self.context?.channel.isWritable ?? false)
        if action == .close, let channel = self.context?.channel {
            if let lastWrite {
                lastWrite.whenComplete { _ in channel.close(promise: nil) }
            } else {
                channel.close(promise: nil)
            }
            return
        }
        self.timeouts.responseCompleted()
        self.perform(action)
    }

    private func perform(_ action: HTTPConnectionStateMachine.ResponseEndAction) {
        switch action {
        case .close:
            self.context?.close(promise: nil)
        case .read:
            self.resumeReading()
        case .serveQueued:
            // Not from inside the response's own call stack: the next request may start another response.
            guard let context = self.context else { return }
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            context.eventLoop.execute { loopBound.value.serveQueued() }
        case .awaitWritable:
            break
        }
    }

    // MARK: used by a fast path, on the loop

    /// Where a fast path's raw bytes go: the handler after the response encoder, toward the socket.
    private lazy var rawOutput: ChannelHandlerContext? = try? self.context?.pipeline.syncOperations.context(
        handlerType: HTTPResponseEncoder.self
    )
    func writeFastPathRaw(_ buffer: ByteBuffer) {
        self.state.fastPathHeadWritten()
        self.rawOutput?.write(NIOAny(buffer), promise: nil)
    }

    func endFastPathResponse() {
        self.fastPathObserver = nil
        guard let context = self.context, !self.state.isClosed else { return }
        if self.state.keepAlive {
            context.flush()
            self.responseEnded(lastWrite: nil)
        } else {
            let written = context.eventLoop.makePromise(of: Void.self)
            self.rawOutput?.writeAndFlush(NIOAny(context.channel.allocator.buffer(capacity: 0)), promise: written)
            self.responseEnded(lastWrite: written.futureResult)
        }
    }

    func closeAfterResponse() {
        self.state.closeAfterResponse()
    }

    func abortFastPathResponse() {
        self.fastPathObserver = nil
        self.state.responseAborted()
        self.context?.close(promise: nil)
    }

    func fallBack(_ head: HTTPRequestHead, handOff: FastPathFallback) {
        self.fastPathObserver = nil
        guard !self.state.isClosed else { return }
        guard let request = self.convert(head) else { return self.rejectMalformed() }
        self.deliver(Incoming(request: Request(head: request), rejection: nil, fastPathFallback: handOff))
    }

    /// The request head in swift-http-types' terms, or `nil` when it has none (a 400, see ``rejectMalformed()``).
    private func convert(_ head: HTTPRequestHead) -> HTTPRequest? {
        try? HTTPRequest(head, secure: self.secure, splitCookie: false)
    }

    /// Answers a request whose head cannot be a request (``convert(_:)`` gave none) with 400, then closes.
    private func rejectMalformed() {
        self.state.closeAfterResponse()
        self.deliver(
            Incoming(
                request: Request(head: HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/")),
                rejection: HTTPError(.badRequest, message: "Malformed request")
            )
        )
    }
}

@available(*, unavailable)
extension HTTPConnectionHandler: Sendable {}

extension HTTPConnectionHandler {
    /// Replaces the HTTP handlers with a raw byte tunnel after a 101 was written. Must run on the loop.
    func switchToRawTunnel() throws -> UpgradedConnection {
        guard let context, !self.isClosed else { throw ChannelError.ioOnClosedChannel }
        let channel = context.channel
        let pipeline = channel.pipeline.syncOperations
        let connection = try RawTunnelHandler.replace(
            [
                context,
                try pipeline.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self),
                try pipeline.context(handlerType: HTTPResponseEncoder.self),
                try pipeline.context(handlerType: ConnectionTimeoutHandler.self),
            ],
            in: channel
        )
        // Reads were held while the upgrade was answered (see `Inbound.upgrading`); the tunnel reads from now on.
        channel.read()
        return connection
    }
}
