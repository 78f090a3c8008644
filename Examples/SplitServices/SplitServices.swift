import ArgumentParser
import HTTPCore
import Logging
import ProxyClient
import TandemApp
import Topology

/// The split-services topology: a gateway (the nginx role) in front of the SSR web server and the API.
///
/// `split-services` (= `all`) runs the three in one process on their own ports; `api`, `web` and `gateway`
/// run one each, as separate processes or containers.
@main
struct SplitServices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split-services",
        abstract: "Run the split-services topology: gateway, SSR web server and API server.",
        subcommands: [All.self, API.self, Web.self, Gateway.self],
        defaultSubcommand: All.self
    )
}

/// `split-services all`: API, web and gateway in one process.
struct All: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run API, web server and gateway in one process (the web server still calls the API over HTTP).",
        discussion: "Then open http://localhost:8080/search/?query=swift"
    )

    @OptionGroup var app: AppOptions
    @OptionGroup var edge: EdgeOptions
    @Option(help: "The gateway's port (0 picks a free one; env GATEWAY_PORT; default 8080).") var gatewayPort: Int?
    @Option(help: "The web server's port (0 picks a free one; env WEB_PORT; default 3000).") var webPort: Int?
    @Option(help: "The API server's port (0 picks a free one; env API_PORT; default 8000).") var apiPort: Int?
    @Flag(help: "Mark cookies Secure (for deployments behind https).") var secureCookies = false

    func run() async throws {
        var app = try self.app.app(ports: [
            "gateway": self.gatewayPort, "web": self.webPort, "api": self.apiPort, "redirect": self.edge.redirectHTTPPort,
        ])
        // Every socket is bound before the handlers are built: the web server and the gateway get the others'
        // real URLs, port 0 included.
        Topology.addAPI(to: &app, port: 8000, secureCookies: self.secureCookies)
        Topology.addWeb(to: &app, port: 3000, secureCookies: self.secureCookies) { $0.url("api") }
        let transport = try self.edge.transport(for: "gateway", in: &app)
        Topology.addGateway(to: &app, port: 8080, transport: transport) { Topology.articleRoutes(web: $0.url("web"), api: $0.url("api")) }
        try await self.app.run(app) { servers in
            "open \(servers.url("gateway"))/search/?query=swift (sign in as ada / lovelace)"
        }
    }
}

/// `split-services api`: the example's API server.
struct API: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the API server: search, login, logout, user, healthz.",
        discussion: "Signing keys come from TANDEM_COOKIE_KEYS (comma-separated base64, newest first); without it a random key is used."
    )

    @OptionGroup var app: AppOptions
    @Option(help: "Port to bind (0 picks a free one; env API_PORT; default 8000).") var port: Int?
    @Option(help: "Trusted proxy networks (CIDR) whose X-Forwarded-For names the client in logs and spans; repeatable.")
    var trustedProxy: [String] = []
    @Flag(help: "Mark cookies Secure (for deployments behind https).") var secureCookies = false

    func run() async throws {
        var app = try self.app.app(ports: ["api": self.port])
        Topology.addAPI(
            to: &app,
            port: 8000,
            secureCookies: self.secureCookies,
            trustedProxies: try self.trustedProxy.map { try CIDR($0) }
        )
        try await self.app.run(app)
    }
}

/// `split-services web`: the SSR web server.
struct Web: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the web (SSR) server: the pages under /search/, rendered from the API.",
        discussion: "CSRF keys come from TANDEM_COOKIE_KEYS; without it a random key is used."
    )

    @OptionGroup var app: AppOptions
    @Option(help: "Port to bind (0 picks a free one; env WEB_PORT; default 3000).") var port: Int?
    @Option(help: "The API's internal address.") var api = "http://127.0.0.1:8000"
    @Option(help: "Trusted proxy networks (CIDR) whose X-Forwarded-* the CSRF check, logs and spans believe; repeatable.")
    var trustedProxy: [String] = []
    @Flag(help: "Mark cookies Secure (for deployments behind https).") var secureCookies = false

    func run() async throws {
        var app = try self.app.app(ports: ["web": self.port])
        let apiURL = self.api
        Topology.addWeb(
            to: &app,
            port: 3000,
            secureCookies: self.secureCookies,
            trustedProxies: try self.trustedProxy.map { try CIDR($0) }
        ) { _ in apiURL }
        try await self.app.run(app)
    }
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

    @OptionGroup var app: AppOptions
    @OptionGroup var edge: EdgeOptions
    @Option(help: "Port to bind (0 picks a free one; env GATEWAY_PORT; default 8080).") var port: Int?
    @Option(name: .customLong("route"), help: "PREFIX=URL[,URL...]; repeat for more routes.") var routes: [String] = []
    @Option(help: "Seconds to wait for an upstream connection.") var connectTimeout: Double = 5
    @Option(help: "Seconds to wait for an upstream's response head (and between body chunks).") var upstreamTimeout: Double = 60
    @Option(help: "Largest request body forwarded, in bytes; larger ones get 413.") var maxBodySize = 10 << 20
    @Option(help: "Trusted proxy networks (CIDR) whose X-Forwarded-* headers are kept; repeatable.") var trustedProxy: [String] = []

    func validate() throws {
        for route in self.routes where !route.contains("=") {
            throw ValidationError("--route takes PREFIX=URL[,URL...], got \(route)")
        }
        guard self.connectTimeout > 0, self.upstreamTimeout > 0 else { throw ValidationError("timeouts must be positive") }
        guard self.maxBodySize >= 0 else { throw ValidationError("--max-body-size must not be negative") }
    }

    func run() async throws {
        var proxy = ReverseProxy.Configuration(
            trustedProxies: try self.trustedProxy.map { try CIDR($0) },
            maxBodyBytes: self.maxBodySize,
            upstream: .init(
                connectTimeout: .milliseconds(Int64(self.connectTimeout * 1000)),
                responseTimeout: .milliseconds(Int64(self.upstreamTimeout * 1000))
            )
        )
        proxy.upstream.maxConnectionsPerServer = 256
        proxy.upstream = try self.edge.upstream(proxy.upstream)
        let routes =
            self.routes.isEmpty
            ? Topology.articleRoutes(web: "http://127.0.0.1:3000", api: "http://127.0.0.1:8000")
            : self.routes.map { route in
                let parts = route.split(separator: "=", maxSplits: 1).map(String.init)
                return (prefix: parts[0], urls: parts[1].split(separator: ",").map(String.init))
            }
        for route in routes {
            for url in route.urls {
                do { _ = try UpstreamURL(url) } catch { throw ValidationError("\(error)") }
            }
        }
        var app = try self.app.app(ports: ["gateway": self.port, "redirect": self.edge.redirectHTTPPort])
        let transport = try self.edge.transport(for: "gateway", in: &app)
        Topology.addGateway(to: &app, port: 8080, proxy: proxy, transport: transport) { _ in routes }
        try await self.app.run(app)
    }
}
