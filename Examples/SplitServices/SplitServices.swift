import APIEnvelope
import ArgumentParser
import CookieAuth
import ExampleSupport
import HTTPCore
import Logging
import ProxyClient
import Routing
import SearchApp

/// The split-services topology: a gateway (the nginx role) in front of the SSR web server and the API.
///
/// `split-services gateway` is the gateway alone, `split-services api` the API server; `web` and `all`
/// come with the page module.
@main
struct SplitServices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split-services",
        abstract: "Run the split-services topology: gateway, SSR web server and API server.",
        subcommands: [Gateway.self, API.self]
    )
}

/// `split-services gateway`: longest-prefix routing to upstreams, like the article's nginx.
struct Gateway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway: route path prefixes to upstream servers (longest prefix wins).",
        discussion: """
            Without --route, the article's layout: /search/ → http://127.0.0.1:3000, /api/ and / → http://127.0.0.1:8000.
            Several URLs after one prefix form one balanced upstream: --route /api/=http://127.0.0.1:8000,http://127.0.0.1:8001
            """
    )

    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port to bind (0 picks a free one).") var port = 8080
    @Option(name: .customLong("route"), help: "PREFIX=URL[,URL...]; repeat for more routes.") var routes: [String] = []
    @Option(help: "Seconds to wait for an upstream connection.") var connectTimeout: Double = 5
    @Option(help: "Seconds to wait for an upstream's response head (and between body chunks).") var upstreamTimeout: Double = 60
    @Option(help: "Largest request body forwarded, in bytes; larger ones get 413.") var maxBodySize = 10 << 20
    @Option(help: "Trusted proxy networks (CIDR) whose X-Forwarded-* headers are kept; repeatable.") var trustedProxy: [String] = []

    static let defaultRoutes = ["/search/=http://127.0.0.1:3000", "/api/=http://127.0.0.1:8000", "/=http://127.0.0.1:8000"]

    func validate() throws {
        for route in self.routes where !route.contains("=") {
            throw ValidationError("--route takes PREFIX=URL[,URL...], got \(route)")
        }
        guard self.connectTimeout > 0, self.upstreamTimeout > 0 else { throw ValidationError("timeouts must be positive") }
        guard self.maxBodySize >= 0 else { throw ValidationError("--max-body-size must not be negative") }
    }

    func run() async throws {
        let logger = ServerLauncher.logger("gateway")
        var proxyConfiguration = ReverseProxy.Configuration(
            trustedProxies: try self.trustedProxy.map { try CIDR($0) },
            maxBodyBytes: self.maxBodySize,
            upstream: .init(
                connectTimeout: .milliseconds(Int64(self.connectTimeout * 1000)),
                responseTimeout: .milliseconds(Int64(self.upstreamTimeout * 1000))
            )
        )
        proxyConfiguration.upstream.maxConnectionsPerServer = 256
        var gateway = PrefixRouter()
        for route in self.routes.isEmpty ? Self.defaultRoutes : self.routes {
            let parts = route.split(separator: "=", maxSplits: 1).map(String.init)
            let urls = parts[1].split(separator: ",").map(String.init)
            do {
                gateway.location(parts[0], try ReverseProxy(to: urls, configuration: proxyConfiguration))
            } catch {
                throw ValidationError("\(error)")
            }
            logger.info("Route", metadata: ["prefix": "\(parts[0])", "upstream": "\(urls.joined(separator: ","))"])
        }
        gateway.exactLocation("/healthz", HandlerFunction { _, _ in .text("ok\n") })
        let app =
            gateway
            .wrapped(in: ErrorMiddleware(PlainTextErrorRenderer()))
            .wrapped(in: RequestIDMiddleware())
            .wrapped(in: AccessLogMiddleware(level: .debug))
        var configuration = HTTPServer<
            MiddlewareHandler<
                AccessLogMiddleware,
                MiddlewareHandler<RequestIDMiddleware, MiddlewareHandler<ErrorMiddleware<PlainTextErrorRenderer>, PrefixRouter>>
            >
        >.Configuration(host: self.host, port: self.port)
        // The gateway's own body limit matches what it forwards.
        configuration.limits.maxBodyBytes = self.maxBodySize
        let server = HTTPServer(handler: app, configuration: configuration, logger: logger)
        try await ServerLauncher.run([.init("gateway", server)], logger: logger)
    }
}

/// `split-services api`: the example's API server.
struct API: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the API server: search, login, logout, user, healthz.",
        discussion: "Signing keys come from TANDEM_COOKIE_KEYS (comma-separated base64, newest first); without it a random key is used."
    )

    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port to bind (0 picks a free one).") var port = 8000
    @Flag(help: "Mark cookies Secure (for deployments behind https).") var secureCookies = false

    func run() async throws {
        let logger = ServerLauncher.logger("api")
        let tokens = SignedAccessTokens(keys: .fromEnvironment(logger: logger))
        let app = try SearchAPI(tokens: tokens, secureCookies: self.secureCookies).handler()
        let server = HTTPServer(
            handler: app,
            configuration: .init(host: self.host, port: self.port),
            errorRenderer: EnvelopeErrorRenderer(),
            logger: logger
        )
        try await ServerLauncher.run([.init("api", server)], logger: logger)
    }
}
