package import NIOCore

/// TLS for connections to `https://` upstreams (``Upstream/Configuration/tls``).
///
/// ProxyClient has no TLS implementation of its own, so that whoever proxies to cleartext upstreams never builds
/// one. The `TandemTLS` product makes these: `.tls()` trusts the system's roots, `.tls(caFile:)` a private CA;
/// both send SNI and check the certificate against the host name.
///
/// ```swift
/// import TandemTLS
/// var configuration = Upstream.Configuration()
/// configuration.tls = try .tls()
/// let weather = try Upstream("https://api.weather.example", configuration: configuration)
/// ```
public struct UpstreamTLS: Sendable {
    /// Puts a TLS client on a new connection to `host` (the name sent by SNI and verified), before anything else
    /// in its pipeline; the future completes once the handshake is done, or fails with why it failed.
    package let secure: @Sendable (_ channel: any Channel, _ host: String) throws -> EventLoopFuture<Void>

    /// TLS made by another module (TandemTLS).
    package init(secure: @escaping @Sendable (_ channel: any Channel, _ host: String) throws -> EventLoopFuture<Void>) {
        self.secure = secure
    }
}
