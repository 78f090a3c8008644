public import HTTPCore
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOSSL
import NIOTLS

extension ServerTransport {
    /// TLS termination with `context`'s certificate; HTTP/2 or HTTP/1.1 as the client's ALPN chooses (HTTP/1.1
    /// without ALPN). Every HTTP/2 stream is served by the same handler stack as an HTTP/1.1 request.
    ///
    /// - A client that has not finished its handshake within the server's `requestHeadTimeout` is closed.
    /// - An idle HTTP/2 connection is closed after the server's `idleTimeout` with `GOAWAY`; a graceful shutdown
    ///   sends `GOAWAY`, lets the streams in flight finish, then closes.
    ///
    /// ```swift
    /// configuration.transport = .tls(try TLSServerContext(certificateChainFile: "cert.pem", privateKeyFile: "key.pem"))
    /// ```
    public static func tls(_ context: TLSServerContext, http2: HTTP2Limits = HTTP2Limits()) -> ServerTransport {
        ServerTransport(scheme: "https") { channel, pipelines in
            // TLS ends with close_notify, not with half a TCP connection. With remote half-closure on (the server's
            // default, for HTTP/1.1 clients that shut their side after a request), a client's FIN reaches
            // NIOSSLHandler as an event it does not act on: the channel, its TLS state and buffers stayed alive,
            // about 22 KiB per client that dropped its connection after the handshake (measured with a bare
            // NIOSSL server; see Benchmarks/tls-vs-nginx.sh for the gateway's RSS under connection churn).
            try channel.syncOptions?.setOption(.allowRemoteHalfClosure, value: false)
            let sync = channel.pipeline.syncOperations
            try sync.addHandler(NIOSSLServerHandler(context: context.sslContext))
            let loop = channel.eventLoop
            let deadline = loop.scheduleTask(in: pipelines.handshakeTimeout.timeAmount) { channel.close(promise: nil) }
            // A connection that closes during its handshake never reaches the negotiation: the timer must not keep
            // its channel (and TLS state) alive until it fires.
            channel.closeFuture.whenComplete { _ in deadline.cancel() }
            let negotiation = NIOTypedApplicationProtocolNegotiationHandler<AcceptedConnection> { result in
                deadline.cancel()
                return loop.makeCompletedFuture {
                    switch result {
                    case .negotiated("h2"):
                        return try Self.http2(on: channel, pipelines: pipelines, limits: http2)
                    default:
                        return .http1(try pipelines.http1(on: channel))
                    }
                }
            }
            try sync.addHandler(negotiation)
            return .negotiating(channel, next: negotiation.protocolNegotiationResult)
        }
    }

    private static func http2(on channel: any Channel, pipelines: ConnectionPipelines, limits: HTTP2Limits) throws -> AcceptedConnection {
        let management = NIOHTTP2ServerConnectionManagementHandler.Configuration(
            maxIdleTime: pipelines.idleTimeout.timeAmount,
            maxAge: nil,
            maxGraceTime: pipelines.shutdownTimeout.timeAmount,
            keepalive: nil
        )
        try channel.pipeline.syncOperations.addHandler(FlushCoalescingHandler())
        try channel.pipeline.syncOperations.addHandler(ConcurrentStreamsAdvertiser(advertised: limits.maxConcurrentStreams))
        // The connection's streams share its loop: the initializer runs there.
        let admission = NIOLoopBound(StreamAdmission(limit: limits.maxConcurrentStreams), eventLoop: channel.eventLoop)
        let multiplexer = try channel.pipeline.syncOperations.configureAsyncHTTP2Pipeline(
            mode: .server,
            connectionManagerConfiguration: management,
            http2HandlerConfiguration: limits.handlerConfiguration(maxHeaderBytes: pipelines.limits.maxHeaderBytes)
        ) { stream -> EventLoopFuture<HTTPConnection?> in
            stream.eventLoop.makeCompletedFuture {
                guard try admission.value.admit(stream) else { return nil }
                try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                return try pipelines.http2Stream(on: stream)
            }
        }
        return .multiplexed(channel, streams: multiplexer.inbound.compactMap { $0 })
    }
}
