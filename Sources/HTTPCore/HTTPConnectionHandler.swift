import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// The last handler of a connection's pipeline: turns HTTP/1 parts into ``Request``s for the
/// connection's task and writes its ``Response``s.
///
/// Everything here runs on the channel's event loop. The connection task reaches it through
/// ``HTTPConnection``, which runs on the same loop (see ``EventLoopTaskExecutor``).
final class HTTPConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// A request handed to the task, possibly already rejected by a limit.
    struct Incoming {
        var request: Request
        var rejection: HTTPError?
        /// Reaches the handler in its `RequestContext` (what a fast path learnt before it fell back).
        var storage = ContextStorage()
    }

    let limits: HTTPServerLimits
    let timeouts: ConnectionTimeoutHandler
    let fastPath: (any HTTPFastPath)?
    let logger: Logger
    /// The client's IP address as text, once a fast path asked for it.
    lazy var clientAddress: String? = self.context?.channel.remoteAddress?.ipAddress
    /// Told about writability and closing while a fast path owns the response.
    var fastPathObserver: (any FastPathObserver)?
    private(set) var context: ChannelHandlerContext?

    private var pending: Incoming?
    private var waiter: UnsafeContinuation<Incoming?, Never>?
    private var bodySource: RequestBody.Producer.Source?
    private var bodyBytes = 0
    /// Counts request bodies, so late callbacks of an earlier body are recognised.
    private var bodyGeneration: UInt64 = 0
    private var requestComplete = true
    /// A request was handed to the task and its response has not ended yet.
    private var responsePending = false
    var keepAlive = true
    private var http10 = false
    private var reads = ReadGate()
    private(set) var isClosed = false
    /// What arrived after the request in flight, while its response was pending.
    private enum Queued {
        case part(HTTPServerRequestPart)
        /// A parse error of a pipelined request: answered after the responses before it.
        case parseError(HTTPParserError)
    }

    /// Parts of pipelined requests that arrived while a response was pending; reads pause while any wait.
    /// (NIO's `HTTPServerPipelineHandler` did this by pausing reads for every response: two `epoll_ctl`
    /// calls per request, 14 % of a proxied request's CPU.)
    private var queued = CircularBuffer<Queued>()
    /// The pending response's head went out (so a parse error can no longer be answered, only cut off).
    private var responseHeadWritten = false
    /// The request asked to switch protocols: unless the answer is 101, the parser stays paused, so the
    /// connection must close after the response.
    private(set) var upgradeRequested = false

    init(limits: HTTPServerLimits, timeouts: ConnectionTimeoutHandler, fastPath: (any HTTPFastPath)?, logger: Logger) {
        self.limits = limits
        self.timeouts = timeouts
        self.fastPath = fastPath
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = self.unwrapInboundIn(data)
        if self.mustQueue {
            // The next request, sent before this response ended: it waits its turn.
            self.queued.append(.part(part))
            self.reads.pause()
            return
        }
        self.process(part, context: context)
    }

    /// A request is in flight, complete, and its response pending (or earlier ones wait): what comes now
    /// belongs to a later request.
    private var mustQueue: Bool { !self.queued.isEmpty || (self.responsePending && self.requestComplete) }

    /// Serves the queued pipelined requests, in order, until one of them is in flight.
    private func drainQueued() {
        guard let context = self.context, !self.isClosed else { return }
        guard self.keepAlive else {
            self.queued.removeAll()  // the connection closes after this response
            return
        }
        while !self.queued.isEmpty, !(self.responsePending && self.requestComplete) {
            switch self.queued.removeFirst() {
            case .part(let part): self.process(part, context: context)
            case .parseError(let error): self.answer(error, context: context)
            }
        }
        if self.queued.isEmpty { self.resumeReading() }
    }

    private func process(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            self.receivedHead(head, context: context)
        case .body(let buffer):
            self.bodyBytes += buffer.readableBytes
            if self.bodyBytes > self.limits.maxBodyBytes {
                // A chunked body grew past the limit: the handler sees 413, the connection closes after
                // the response because the rest of the body is never read.
                self.keepAlive = false
                self.bodySource?.finish(HTTPError.contentTooLarge(limit: self.limits.maxBodyBytes))
                self.bodySource = nil
                return
            }
            guard let source = self.bodySource else { return }
            switch source.yield(buffer) {
            case .produceMore: break
            case .stopProducing: self.reads.pause()
            case .dropped: self.bodySource = nil
            }
        case .end:
            self.requestComplete = true
            self.bodySource?.finish()
            self.bodySource = nil
            self.resumeReading()
        }
    }

    private func receivedHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        self.timeouts.requestHeadReceived()
        self.bodyBytes = 0
        self.requestComplete = false
        self.http10 = head.version.major == 1 && head.version.minor == 0
        let facts = RequestHeadFacts(head.headers)
        // RFC 9112 §9.3: 1.1 stays open unless `close`; 1.0 only with `keep-alive`.
        let keepAlive = head.version.major == 1 && head.version.minor >= 1 ? !facts.close : facts.keepAliveToken && !facts.close
        self.keepAlive = self.keepAlive && keepAlive
        self.upgradeRequested = facts.upgrade

        // RFC 9112 §3.2: an HTTP/1.1 request needs exactly one Host; two could route differently in
        // different hops (host confusion), none is malformed.
        let badHost = facts.hosts > 1 || (facts.hosts == 0 && !self.http10)
        let contentLength = facts.contentLength

        if !badHost, let fastPath = self.fastPath, head.method == .GET, head.version == .http1_1, !facts.upgrade,
            !facts.hasContentLength, !facts.transferEncoding, !facts.expect
        {
            self.responsePending = true
            let uri = head.uri
            let path = uri.firstIndex(of: "?").map { uri[..<$0] } ?? uri[...]
            if fastPath.take(head, path: path, connection: FastPathConnection(handler: self)) { return }
            self.responsePending = false
        }

        guard let requestHead = self.convert(head) else { return }

        if badHost {
            self.keepAlive = false
            self.deliver(
                Incoming(request: Request(head: requestHead), rejection: HTTPError(.badRequest, message: "Missing or repeated Host header"))
            )
            return
        }

        if let contentLength, contentLength > self.limits.maxBodyBytes {
            // Answer before reading a byte of the body (and without `100 Continue`).
            self.keepAlive = false
            self.deliver(Incoming(request: Request(head: requestHead), rejection: .contentTooLarge(limit: self.limits.maxBodyBytes)))
            return
        }

        let hasBody = (contentLength ?? 0) > 0 || facts.transferEncoding
        guard hasBody else {
            self.deliver(Incoming(request: Request(head: requestHead), rejection: nil))
            return
        }

        self.bodyGeneration &+= 1
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loop = context.eventLoop
        let delegate = BodyReadDelegate(
            produceMore: {
                if loop.inEventLoop {
                    loopBound.value.resumeReading()
                } else {
                    loop.execute { loopBound.value.resumeReading() }
                }
            },
            didTerminate: { [generation = self.bodyGeneration] in
                // Also called after a complete read, and late (through the loop's queue): it must only
                // touch the body it belongs to, never the next request's.
                loop.execute {
                    let handler = loopBound.value
                    guard handler.bodyGeneration == generation else { return }
                    handler.bodySource = nil
                    handler.resumeReading()
                }
            }
        )
        let (body, source) = RequestBody.makeStream(
            lowWatermark: self.limits.bodyLowWatermark,
            highWatermark: self.limits.bodyHighWatermark,
            delegate: delegate
        )
        self.bodySource = source
        if head.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
            context.writeAndFlush(self.wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
        }
        self.deliver(Incoming(request: Request(head: requestHead, body: body), rejection: nil))
    }

    private func deliver(_ incoming: Incoming) {
        self.responsePending = true
        if let waiter = self.waiter {
            self.waiter = nil
            waiter.resume(returning: incoming)
        } else {
            self.pending = incoming
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.isClosed = true
        self.queued.removeAll()
        if let observer = self.fastPathObserver {
            self.fastPathObserver = nil
            observer.clientClosed()
        }
        self.bodySource?.finish(ChannelError.eof)
        self.bodySource = nil
        self.pending = nil
        if let waiter = self.waiter {
            self.waiter = nil
            waiter.resume(returning: nil)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parseError = error as? HTTPParserError {
            if self.mustQueue {
                // A pipelined request is malformed: it gets its 400 after the responses before it.
                self.queued.append(.parseError(parseError))
                self.reads.pause()
            } else {
                self.bodySource?.finish(error)
                self.bodySource = nil
                self.answer(parseError, context: context)
                context.close(promise: nil)  // a handler may still hold this request: nothing more goes out
            }
            return
        }
        // Anything else ends the connection.
        self.keepAlive = false
        self.bodySource?.finish(error)
        self.bodySource = nil
        context.close(promise: nil)
    }

    /// Answers a malformed request with 400 (431 for a head over the limits) and closes; cuts the connection
    /// instead when a response head is already out.
    private func answer(_ error: HTTPParserError, context: ChannelHandlerContext) {
        self.keepAlive = false
        guard !self.responseHeadWritten else {
            context.close(promise: nil)
            return
        }
        let (status, text): (HTTPResponseStatus, String) =
            switch error {
            case .headerOverflow: (.requestHeaderFieldsTooLarge, "Request Header Fields Too Large\n")
            default: (.badRequest, "Bad Request\n")
            }
        let headers = HTTPHeaders([
            ("connection", "close"), ("content-type", "text/plain; charset=utf-8"), ("content-length", String(text.utf8.count)),
        ])
        self.responseHeadWritten = true
        context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            // Graceful shutdown: finish the response in flight (with `Connection: close`), serve nothing more.
            self.keepAlive = false
            self.queued.removeAll()
            if !self.responsePending {
                context.close(promise: nil)
            }
            return
        }
        if case ChannelEvent.inputClosed = event {
            // The client half-closed: answer what is in flight, then close.
            self.keepAlive = false
            if !self.responsePending {
                context.close(promise: nil)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: flow control

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { self.fastPathObserver?.clientBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        self.reads.read(context)
    }

    func resumeReading() {
        self.reads.resume(self.context)
    }

    // MARK: used by the connection task, on the loop

    /// The next request, or `nil` when the connection is done.
    func nextRequest() async -> Incoming? {
        if let pending = self.pending {
            self.pending = nil
            return pending
        }
        if self.isClosed || (!self.keepAlive && self.requestComplete) {
            return nil
        }
        return await withUnsafeContinuation { self.waiter = $0 }
    }

    /// Marks the end of a response: drops whatever of the request body nobody read, restarts timers.
    func responseEnded() {
        self.responsePending = false
        self.responseHeadWritten = false
        self.bodySource = nil
        if self.keepAlive {
            self.timeouts.responseCompleted()
        }
        if self.queued.isEmpty {
            self.resumeReading()
        } else if let context = self.context {
            // Not from inside the response's own call stack: the next request may start another response.
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            context.eventLoop.execute { loopBound.value.drainQueued() }
        }
    }

    // MARK: used by a fast path, on the loop

    /// Where a fast path's raw bytes go: the handler after the response encoder, toward the socket.
    private lazy var rawOutput: ChannelHandlerContext? = try? self.context?.pipeline.syncOperations.context(
        handlerType: HTTPResponseEncoder.self
    )
    func writeFastPathRaw(_ buffer: ByteBuffer) {
        self.responseHeadWritten = true
        self.rawOutput?.write(NIOAny(buffer), promise: nil)
    }

    func endFastPathResponse() {
        self.fastPathObserver = nil
        guard let context = self.context, !self.isClosed else { return }
        guard self.keepAlive else {
            let channel = context.channel
            let written = context.eventLoop.makePromise(of: Void.self)
            self.rawOutput?.writeAndFlush(NIOAny(context.channel.allocator.buffer(capacity: 0)), promise: written)
            written.futureResult.whenComplete { _ in channel.close(promise: nil) }
            self.responseEnded()
            return
        }
        context.flush()
        self.responseEnded()
    }

    func abortFastPathResponse() {
        self.fastPathObserver = nil
        self.keepAlive = false
        self.responsePending = false
        self.context?.close(promise: nil)
    }

    func fallBack(_ head: HTTPRequestHead, storage: ContextStorage) {
        self.fastPathObserver = nil
        guard !self.isClosed else { return }
        guard let request = self.convert(head) else { return }
        self.deliver(Incoming(request: Request(head: request), rejection: nil, storage: storage))
    }

    /// The request head in swift-http-types' terms; `nil` after delivering a 400 when it has none.
    private func convert(_ head: HTTPRequestHead) -> HTTPRequest? {
        do {
            return try HTTPRequest(head, secure: false, splitCookie: false)
        } catch {
            self.keepAlive = false
            self.deliver(
                Incoming(
                    request: Request(head: HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/")),
                    rejection: HTTPError(.badRequest, message: "Malformed request")
                )
            )
            return nil
        }
    }

    /// Adds `Date`, `Connection` and length framing to a response head.
    func makeHead(_ response: Response, contentLength: Int?) -> HTTPResponseHead {
        self.responseHeadWritten = true  // it is made to be written
        var headers = HTTPHeaders(response.headers)
        if !headers.contains(name: "date") {
            headers.add(name: "date", value: HTTPDate.now())
        }
        let status = response.status.code
        let bodyless = status < 200 || status == 204 || status == 304
        if !bodyless, let contentLength, !headers.contains(name: "content-length") {
            headers.add(name: "content-length", value: String(contentLength))
        } else if contentLength == nil && !bodyless && self.http10 {
            // HTTP/1.0 has no chunked encoding: the body ends when the connection does.
            self.keepAlive = false
        }
        if self.upgradeRequested && status != 101 { self.keepAlive = false }
        if status == 101 {
            // The connection is handed over; its framing headers are the handler's.
        } else if !self.keepAlive {
            headers.replaceOrAdd(name: "connection", value: "close")
        } else if self.http10 {
            headers.replaceOrAdd(name: "connection", value: "keep-alive")
        }
        return HTTPResponseHead(
            version: self.http10 ? .http1_0 : .http1_1,
            status: HTTPResponseStatus(statusCode: status, reasonPhrase: response.status.reasonPhrase),
            headers: headers
        )
    }
}

@available(*, unavailable)
extension HTTPConnectionHandler: Sendable {}

/// What the server needs to know about a request's header fields, gathered in one pass.
struct RequestHeadFacts {
    /// `Host` values, counting each comma-separated one (`Host: a, b` is two).
    var hosts = 0
    /// The first `Content-Length`, when it is a number.
    var contentLength: Int?
    var hasContentLength = false
    var transferEncoding = false
    var expect = false
    var upgrade = false
    /// `Connection` names `close` / `keep-alive`.
    var close = false
    var keepAliveToken = false

    init(_ headers: HTTPHeaders) {
        for (name, value) in headers {
            var name = name
            name.withUTF8 { bytes in
                switch bytes.count {
                case 4 where equalsIgnoringASCIICase(bytes, "host"):
                    self.hosts += value.utf8.contains(UInt8(ascii: ",")) ? 2 : 1
                case 6 where equalsIgnoringASCIICase(bytes, "expect"):
                    self.expect = true
                case 7 where equalsIgnoringASCIICase(bytes, "upgrade"):
                    self.upgrade = true
                case 10 where equalsIgnoringASCIICase(bytes, "connection"):
                    for token in value.utf8.split(separator: UInt8(ascii: ",")) {
                        let token = token.drop { $0 == 32 || $0 == 9 }.reversed().drop { $0 == 32 || $0 == 9 }
                        let lower = token.reversed().map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
                        if lower.elementsEqual("close".utf8) { self.close = true }
                        if lower.elementsEqual("keep-alive".utf8) { self.keepAliveToken = true }
                    }
                case 14 where equalsIgnoringASCIICase(bytes, "content-length"):
                    if !self.hasContentLength { self.contentLength = Int(value) }
                    self.hasContentLength = true
                case 17 where equalsIgnoringASCIICase(bytes, "transfer-encoding"):
                    self.transferEncoding = true
                default:
                    break
                }
            }
        }
    }
}

extension HTTPConnectionHandler {
    /// Replaces the HTTP handlers with a raw byte tunnel after a 101 was written. Must run on the loop.
    func switchToRawTunnel() throws -> UpgradedConnection {
        guard let context, !self.isClosed else { throw ChannelError.ioOnClosedChannel }
        let channel = context.channel
        let pipeline = channel.pipeline.syncOperations
        let tunnel = RawTunnelHandler(eventLoop: channel.eventLoop)
        try pipeline.addHandler(tunnel)
        _ = pipeline.removeHandler(context: context)
        // Removing the decoder forwards what it held back (the first bytes of the new protocol).
        _ = try pipeline.removeHandler(context: pipeline.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self))
        _ = try pipeline.removeHandler(context: pipeline.context(handlerType: HTTPResponseEncoder.self))
        _ = try pipeline.removeHandler(context: pipeline.context(handlerType: ConnectionTimeoutHandler.self))
        return tunnel.connection(channel: channel)
    }
}
