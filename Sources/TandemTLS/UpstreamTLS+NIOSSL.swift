import NIOCore
import NIOSSL
import NIOTLS
public import ProxyClient

extension UpstreamTLS {
    /// TLS to `https://` upstreams: the certificate must chain to the system's trust roots, or to `caFile`'s
    /// certificates when one is given, and name the host (SNI is sent for host names, not for IP addresses).
    ///
    /// ```swift
    /// var configuration = Upstream.Configuration()
    /// configuration.tls = try .tls(caFile: "/etc/tandem/internal-ca.pem")
    /// ```
    /// - Parameters:
    ///   - caFile: a PEM file of the certificates to trust instead of the system's roots.
    ///   - serverName: the name to send and verify instead of the URL's host (an upstream reached by address).
    /// - Throws: when `caFile` cannot be read.
    public static func tls(caFile: String? = nil, serverName: String? = nil) throws -> UpstreamTLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let caFile {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        }
        configuration.applicationProtocols = ["http/1.1"]
        let context = try NIOSSLContext(configuration: configuration)
        return UpstreamTLS { channel, host in
            let name = serverName ?? host
            // SNI carries host names only (RFC 6066 §3); an address is still verified against the certificate.
            let isAddress = (try? SocketAddress(ipAddress: name, port: 0)) != nil
            let handler = try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : name)
            let handshake = channel.eventLoop.makePromise(of: Void.self)
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
            try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(handshake), position: .after(handler))
            return handshake.futureResult
        }
    }
}

/// Completes a promise when the TLS handshake is done or has failed, then leaves the pipeline.
private final class HandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private var promise: EventLoopPromise<Void>?

    init(_ promise: EventLoopPromise<Void>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            self.promise?.succeed()
            self.promise = nil
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.promise?.fail(error)
        self.promise = nil
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.promise?.fail(ChannelError.eof)
        self.promise = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.promise?.fail(ChannelError.eof)
        self.promise = nil
    }
}

@available(*, unavailable)
extension HandshakeWatcher: Sendable {}
