public import HTTPCore
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOSSL
import NIOTLS

/// Limits of the server's HTTP/2 connections, each with a safe default.
///
/// The defences against the known HTTP/2 floods are swift-nio-http2's, set from here: rapid reset
/// (CVE-2023-44487) by a rate limit on `RST_STREAM`, CONTINUATION floods by a cap on header-block fragments,
/// settings and ping floods by a rate limit on control frames; a connection past any of them is closed.
///
/// ```swift
/// var http2 = HTTP2Limits()
/// http2.maxConcurrentStreams = 250
/// configuration.transport = .tls(context, http2: http2)
/// ```
public struct HTTP2Limits: Sendable, Hashable {
    /// Streams a client may have open at once (`SETTINGS_MAX_CONCURRENT_STREAMS`). Default 128 (nginx:
    /// `http2_max_concurrent_streams` 128).
    public var maxConcurrentStreams: Int = 128
    /// Most bytes of a request's decoded header list (`SETTINGS_MAX_HEADER_LIST_SIZE`); beyond it the stream is
    /// refused. Default `nil`: the server's ``HTTPServerLimits/maxHeaderBytes`` (16 KiB), the HTTP/1.1 limit.
    public var maxHeaderListSize: Int?
    /// The flow-control window of each stream: how much of a request body the client may send ahead. Default 64 KiB.
    public var streamWindowSize: Int = 65_535
    /// The connection's flow-control window, over all its streams. Default 1 MiB.
    public var connectionWindowSize: Int = 1 << 20
    /// Largest frame the server accepts (`SETTINGS_MAX_FRAME_SIZE`). Default 16 KiB, the protocol's minimum.
    public var maxFrameSize: Int = 1 << 14
    /// Most `RST_STREAM` frames a client may send per ``resetWindow`` before the connection closes (rapid reset).
    /// Default 200.
    public var maxResetsPerWindow: Int = 200
    /// The window of ``maxResetsPerWindow`` and ``maxControlFramesPerWindow``. Default 30 s.
    public var resetWindow: Duration = .seconds(30)
    /// Most `SETTINGS`, `PING` and `PRIORITY` frames a client may send per ``resetWindow`` (settings and ping floods).
    /// Default 200.
    public var maxControlFramesPerWindow: Int = 200
    /// Most `CONTINUATION` frames in one header block (CONTINUATION floods). Default 5.
    public var maxContinuationFrames: Int = 5

    /// The defaults.
    public init() {}

    /// swift-nio-http2's settings, for a server whose HTTP/1.1 head limit is `maxHeaderBytes`.
    func handlerConfiguration(maxHeaderBytes: Int) -> NIOHTTP2Handler.Configuration {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: self.maxConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: self.maxHeaderListSize ?? maxHeaderBytes),
            HTTP2Setting(parameter: .initialWindowSize, value: self.streamWindowSize),
            HTTP2Setting(parameter: .maxFrameSize, value: self.maxFrameSize),
            // No server push.
            HTTP2Setting(parameter: .enablePush, value: 0),
        ]
        connection.targetWindowSize = self.connectionWindowSize
        connection.maximumSequentialContinuationFrames = self.maxContinuationFrames
        connection.controlFrameRateLimit.maximumCount = self.maxControlFramesPerWindow
        connection.controlFrameRateLimit.windowLength = self.resetWindow.timeAmount
        var stream = NIOHTTP2Handler.StreamConfiguration()
        stream.targetWindowSize = self.streamWindowSize
        stream.streamResetFrameRateLimit.maximumCount = self.maxResetsPerWindow
        stream.streamResetFrameRateLimit.windowLength = self.resetWindow.timeAmount
        return NIOHTTP2Handler.Configuration(connection: connection, stream: stream)
    }
}

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
        let multiplexer = try channel.pipeline.syncOperations.configureAsyncHTTP2Pipeline(
            mode: .server,
            connectionManagerConfiguration: management,
            http2HandlerConfiguration: limits.handlerConfiguration(maxHeaderBytes: pipelines.limits.maxHeaderBytes)
        ) { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                return try pipelines.http2Stream(on: stream)
            }
        }
        return .multiplexed(channel, streams: multiplexer.inbound)
    }
}
