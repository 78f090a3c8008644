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
                        try Self.configure(channel, host: host, port: port, bodyBuffer: bodyBuffer, tls: tls)
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

    /// Sets up `channel`'s pipeline for HTTP/1.1 to `host:port` (on its event loop): TLS when asked, the raw tap, the
    /// HTTP codec and the connection handler. Returns the connection and, with TLS, the handshake's future.
    ///
    /// ``connect(host:port:on:connectTimeout:bodyBuffer:tls:)`` calls it on a socket; a pool given a
    /// ``ConnectionPool/Connector`` calls it on the channel the connector made (tests: a channel without a socket).
    static func configure(
        _ channel: any Channel,
        host: String,
        port: Int,
        bodyBuffer: (low: Int, high: Int),
        tls: UpstreamTLS?
    ) throws -> (UpstreamConnection, handshake: EventLoopFuture<Void>?) {
        let server = "\(host):\(port)"
        // TLS first, next to the socket: everything after it (the raw tap too) sees plaintext.
        let handshake = try tls?.secure(channel, host)
        // Next to the socket: the fast path's raw exchanges bypass the HTTP codec through it.
        let tap = RawExchangeTap()
        try channel.pipeline.syncOperations.addHandler(tap)
        // No outbound header validation: fields come from swift-http-types, already validated; and after an Upgrade
        // raw bytes flow where HTTP parts did.
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
