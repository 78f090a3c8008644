public import ArgumentParser
public import HTTPCore
public import ProxyClient
public import TandemApp
import TandemTLS

/// The edge's options, for a server that faces browsers itself ("Tandem at the edge", no nginx in front):
/// `--tls-cert`/`--tls-key` serve HTTPS (HTTP/2 and HTTP/1.1 by ALPN; `SIGHUP` reloads the files),
/// `--redirect-http-port` adds a plain listener that redirects to it, `--upstream-ca-file` trusts a private CA
/// for `https://` upstreams.
public struct EdgeOptions: ParsableArguments {
    @Option(help: "PEM certificate chain: serve HTTPS (HTTP/2 and HTTP/1.1) with it; SIGHUP reloads it.") public var tlsCert: String?
    @Option(help: "PEM private key of --tls-cert.") public var tlsKey: String?
    @Option(help: "Also listen for plain HTTP on this port and redirect it to HTTPS (308; 0 picks a free port).")
    public var redirectHTTPPort: Int?
    @Option(
        help: "The HTTPS port the redirect names, when clients reach the server on another port than it binds (a container's port mapping)."
    )
    public var redirectHTTPSPort: Int?
    @Flag(help: "Offer HTTP/1.1 only over TLS (no h2 in ALPN).") public var noHTTP2 = false
    @Option(help: "PEM CA certificates to trust for https:// upstreams instead of the system's roots.") public var upstreamCaFile: String?

    public init() {}

    public func validate() throws {
        guard (self.tlsCert == nil) == (self.tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        if self.redirectHTTPPort != nil, self.tlsCert == nil { throw ValidationError("--redirect-http-port needs --tls-cert") }
        if self.redirectHTTPSPort != nil, self.redirectHTTPPort == nil {
            throw ValidationError("--redirect-https-port needs --redirect-http-port")
        }
    }

    /// The transport of the edge server `name`: TLS when a certificate was given (with its `SIGHUP` reloader and,
    /// with `--redirect-http-port`, the redirect listener added to `app`), plain HTTP otherwise.
    /// - Throws: when the certificate or key cannot be used.
    public func transport(for name: String, in app: inout TandemApp) throws -> ServerTransport {
        guard let certificate = self.tlsCert, let key = self.tlsKey else { return .plaintext }
        let context: TLSServerContext
        do {
            context = try TLSServerContext(certificateChainFile: certificate, privateKeyFile: key, http2: !self.noHTTP2)
        } catch {
            throw ValidationError("cannot use --tls-cert/--tls-key: \(error)")
        }
        app.addService(CertificateReloader(context, logger: app.logger("tls")))
        if let port = self.redirectHTTPPort {
            let publicPort = self.redirectHTTPSPort
            app.server("redirect", port: port, healthCheck: false) { servers in
                HTTPSRedirect(httpsPort: publicPort ?? servers.port(of: name))
            }
        }
        return .tls(context)
    }

    /// TLS for calls to `https://` servers: the system's roots, or `--upstream-ca-file`'s certificates (a private CA,
    /// or mkcert's for the dev proxy's own listener, which its web server calls).
    /// - Throws: when the CA file cannot be read.
    public func upstreamTLS() throws -> UpstreamTLS {
        do {
            return try .tls(caFile: self.upstreamCaFile)
        } catch {
            throw ValidationError("cannot use --upstream-ca-file: \(error)")
        }
    }

    /// `upstream` with TLS for `https://` servers (the system's roots, or `--upstream-ca-file`).
    /// - Throws: when the CA file cannot be read.
    public func upstream(_ upstream: Upstream.Configuration) throws -> Upstream.Configuration {
        var upstream = upstream
        upstream.tls = try self.upstreamTLS()
        return upstream
    }
}
