import Logging
package import NIOCore
import NIOHTTP1

/// How an ``HTTPServer`` turns an accepted TCP connection into HTTP: cleartext HTTP/1.1 (``plaintext``), or,
/// with the `TandemTLS` product, TLS termination that offers HTTP/2 and HTTP/1.1 by ALPN.
///
/// HTTPCore itself never links a TLS or HTTP/2 implementation: the transport is the seam where another module
/// puts its handlers in front of the server's own HTTP/1 pipeline, or serves each HTTP/2 stream with it.
///
/// ```swift
/// var configuration = HTTPServerConfiguration(host: "0.0.0.0", port: 8443)
/// configuration.transport = .plaintext    // the default; TandemTLS: .tls(context)
/// ```
public struct ServerTransport: Sendable {
    /// The URL scheme the server is reached by: `http` or `https`.
    public let scheme: String
    /// Sets up an accepted connection's pipeline, on its event loop.
    package let accept: @Sendable (_ channel: any Channel, _ pipelines: ConnectionPipelines) throws -> AcceptedConnection

    /// A transport from a module that sets up connections itself (TandemTLS).
    package init(
        scheme: String,
        accept: @escaping @Sendable (_ channel: any Channel, _ pipelines: ConnectionPipelines) throws -> AcceptedConnection
    ) {
        self.scheme = scheme
        self.accept = accept
    }

    /// Cleartext HTTP/1.1 (the default).
    public static var plaintext: ServerTransport {
        ServerTransport(scheme: "http") { channel, pipelines in .http1(try pipelines.http1(on: channel)) }
    }
}

/// An accepted connection as its transport set it up.
package enum AcceptedConnection: Sendable {
    /// One HTTP/1.1 connection, served request after request.
    case http1(HTTPConnection)
    /// Not known yet (a TLS handshake and its ALPN choice are under way): what `next` gives.
    case negotiating(any Channel, next: EventLoopFuture<AcceptedConnection>)
    /// A multiplexed connection (HTTP/2): each of its streams is served like a connection of its own.
    case multiplexed(any Channel, streams: any AsyncSequence<HTTPConnection, any Error> & Sendable)
}

/// The server's HTTP pipelines, for a transport to put on a connection or an HTTP/2 stream.
package struct ConnectionPipelines: Sendable {
    let configuration: HTTPServerConfiguration
    let fastPath: (any HTTPFastPath)?
    let observability: ServerObservability
    let logger: Logger
    /// Whether the connection is encrypted: requests get the `https` scheme (`X-Forwarded-Proto`, redirects).
    let secure: Bool

    /// The server's limits.
    package var limits: HTTPServerLimits { self.configuration.limits }
    /// The server's idle timeout (an HTTP/2 connection with no streams closes after it).
    package var idleTimeout: Duration { self.configuration.idleTimeout }
    /// How long a connection may take to say what it is (a TLS handshake): the request-head timeout.
    package var handshakeTimeout: Duration { self.configuration.requestHeadTimeout }
    /// How long a graceful shutdown waits for requests in flight.
    package var shutdownTimeout: Duration { self.configuration.shutdownTimeout }

    /// The HTTP/1.1 pipeline on a connection (plain, or behind a TLS handler already in place): timeouts on raw
    /// bytes, the HTTP/1 codec from NIO, then the connection handler (which also queues pipelined requests and
    /// answers parse errors in their turn).
    package func http1(on channel: any Channel) throws -> HTTPConnection {
        let limits = self.configuration.limits
        var decoderLimits = NIOHTTPDecoderLimitConfiguration()
        decoderLimits.maxHeaderFieldSize = limits.maxHeaderBytes
        decoderLimits.maxHeaderListSize = limits.maxHeaderBytes
        decoderLimits.maxHeaderFieldCount = limits.maxHeaderCount
        let timeouts = self.makeTimeouts(now: channel.eventLoop.now)
        let connection = self.makeHandler(timeouts: timeouts, fastPath: self.fastPath, secure: self.secure)
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(timeouts)
        try pipeline.addHandler(HTTPResponseEncoder(configuration: .init()))
        // `.forwardBytes`: after an Upgrade, the bytes the client sent behind the request reach the tunnel.
        // The decoder's buffer holds at most an unfinished head and one read while the connection handler reads
        // (reads pause whenever parsed parts wait, and after an Upgrade/CONNECT): the bound is a backstop, and
        // a connection that crosses it is closed.
        try pipeline.addHandler(
            ByteToMessageHandler(
                HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes, limitConfiguration: decoderLimits),
                maximumBufferSize: limits.maxHeaderBytes + Self.decoderReadAllowance
            )
        )
        try pipeline.addHandler(connection)
        return Self.connection(on: channel, handler: connection)
    }

    /// The pipeline of one HTTP/2 stream, behind a codec (already in place) that turns its frames into HTTP/1
    /// parts: timeouts and the connection handler, with no fast path (it writes HTTP/1 bytes). Requests are
    /// `https`: HTTP/2 is only offered over TLS.
    package func http2Stream(on channel: any Channel) throws -> HTTPConnection {
        let timeouts = self.makeTimeouts(timesBodyOnly: true, now: channel.eventLoop.now)
        let connection = self.makeHandler(timeouts: timeouts, fastPath: nil, secure: true)
        let pipeline = channel.pipeline.syncOperations
        // First in the stream's pipeline: it only watches that frames arrive (the body timeout), whatever they are.
        try pipeline.addHandler(timeouts, position: .first)
        try pipeline.addHandler(connection)
        return Self.connection(on: channel, handler: connection)
    }

    private func makeHandler(timeouts: ConnectionTimeoutHandler, fastPath: (any HTTPFastPath)?, secure: Bool) -> HTTPConnectionHandler {
        HTTPConnectionHandler(
            limits: self.configuration.limits,
            timeouts: timeouts,
            fastPath: fastPath,
            observability: self.observability,
            secure: secure,
            logger: self.logger
        )
    }

    /// The connection as the server's task group serves it, on its channel's loop.
    private static func connection(on channel: any Channel, handler: HTTPConnectionHandler) -> HTTPConnection {
        HTTPConnection(
            channel: channel,
            handler: NIOLoopBound(handler, eventLoop: channel.eventLoop),
            executor: EventLoopTaskExecutor(channel.eventLoop)
        )
    }

    private func makeTimeouts(timesBodyOnly: Bool = false, now: NIODeadline) -> ConnectionTimeoutHandler {
        ConnectionTimeoutHandler(
            now: now,
            idleTimeout: self.configuration.idleTimeout.timeAmount,
            requestHeadTimeout: self.configuration.requestHeadTimeout.timeAmount,
            requestBodyTimeout: self.configuration.requestBodyTimeout.timeAmount,
            timesBodyOnly: timesBodyOnly
        )
    }

    /// What one read event may add to the request decoder's buffer on top of an unfinished head: NIO reads up to
    /// `maxMessagesPerRead` (4) times per event, at most 64 KiB each, before a paused read takes effect.
    static var decoderReadAllowance: Int { 4 * 64 * 1024 + 1024 }
}
