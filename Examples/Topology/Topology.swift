import APIEnvelope
public import CookieAuth
import HTTPCompression
public import HTTPCore
import HTTPTypes
public import Logging
public import ProxyClient
import Routing
import SSRRendering
import SearchApp
public import TandemApp

/// The example servers, assembled as the two topologies need them, on a ``TandemApp``. `split-services` and
/// `dev-proxy` are thin command lines over these; tests run them in-process too.
///
/// ```swift
/// // split services in one process: the gateway sends /search/ to web and the rest to the API
/// var app = TandemApp(settings: settings)
/// Topology.addAPI(to: &app, port: 8000)
/// Topology.addWeb(to: &app, port: 3000) { $0.url("api") }
/// Topology.addGateway(to: &app, port: 8080) { Topology.articleRoutes(web: $0.url("web"), api: $0.url("api")) }
/// try await app.run()
/// ```
public enum Topology {
    /// Adds the API server (`api`): search, login, logout, user (and `/healthz`, as every `TandemApp` server).
    /// `trustedProxies`: the gateway or nginx in front, whose `X-Forwarded-For` names the client in logs and spans.
    public static func addAPI(
        to app: inout TandemApp,
        port: Int,
        keys: KeyRing? = nil,
        secureCookies: Bool = false,
        trustedProxies: [CIDR] = []
    ) {
        let logger = app.logger("api")
        var configuration = HTTPServerConfiguration()
        configuration.trustedProxies = trustedProxies
        app.server("api", port: port, configuration: configuration, errorRenderer: EnvelopeErrorRenderer()) { _ in
            try SearchAPI(tokens: SignedAccessTokens(keys: keys ?? .fromEnvironment(logger: logger)), secureCookies: secureCookies)
                .handler()
        }
    }

    /// Adds the dev proxy's API server (`api`): `/api/*` itself, every other path proxied to the web
    /// server at `webURL` — 503 `SSR server not running` when it is down; WebSocket upgrades pass through.
    public static func addDevProxy(
        to app: inout TandemApp,
        port: Int,
        keys: KeyRing? = nil,
        secureCookies: Bool = false,
        transport: ServerTransport = .plaintext,
        webURL: @escaping @Sendable (Servers) -> String
    ) {
        let logger = app.logger("api")
        var server = HTTPServerConfiguration()
        server.transport = transport
        app.server("api", port: port, configuration: server, errorRenderer: EnvelopeErrorRenderer()) { servers in
            var configuration = ReverseProxy.Configuration(whenUnavailable: .plainText(.serviceUnavailable, "SSR server not running"))
            configuration.upstream.connectTimeout = .seconds(2)
            let pages = try ReverseProxy(to: webURL(servers), configuration: configuration)
            let tokens = SignedAccessTokens(keys: keys ?? .fromEnvironment(logger: logger))
            return try SearchAPI(tokens: tokens, secureCookies: secureCookies).handler(proxyingPagesTo: pages)
        }
    }

    /// Adds the web (SSR) server (`web`): the pages, calling the API at `apiURL` over HTTP.
    public static func addWeb(
        to app: inout TandemApp,
        port: Int,
        keys: KeyRing? = nil,
        secureCookies: Bool = false,
        trustedProxies: [CIDR] = [],
        apiTLS: UpstreamTLS? = nil,
        apiURL: @escaping @Sendable (Servers) -> String
    ) {
        let logger = app.logger("web")
        var configuration = HTTPServerConfiguration()
        configuration.trustedProxies = trustedProxies
        app.server("web", port: port, configuration: configuration, errorRenderer: ErrorPageRenderer(SiteErrorPages())) { servers in
            var upstream = APIClient.defaultConfiguration
            upstream.connectTimeout = .seconds(2)
            upstream.tls = apiTLS
            let web = SearchWeb(
                api: try APIClient.http(apiURL(servers), configuration: upstream),
                keys: keys ?? .fromEnvironment(logger: logger),
                secureCookies: secureCookies,
                trustedProxies: trustedProxies
            )
            return try web.handler()
        }
    }

    /// Adds the gateway (`gateway`, the nginx role): longest prefix wins; several URLs form one balanced upstream;
    /// `GET /healthz` answered by the launcher.
    public static func addGateway(
        to app: inout TandemApp,
        port: Int,
        proxy: ReverseProxy.Configuration = ReverseProxy.Configuration(),
        transport: ServerTransport = .plaintext,
        routes: @escaping @Sendable (Servers) -> [(prefix: String, urls: [String])]
    ) {
        let logger = app.logger("gateway")
        var configuration = HTTPServerConfiguration()
        configuration.transport = transport
        // The gateway's own body limit matches what it forwards.
        if let maxBodyBytes = proxy.maxBodyBytes { configuration.limits.maxBodyBytes = maxBodyBytes }
        configuration.trustedProxies = proxy.trustedProxies
        app.server("gateway", port: port, configuration: configuration) { servers in
            try Self.gatewayHandler(routes: routes(servers), proxy: proxy, logger: logger)
        }
    }

    /// The gateway's handler stack (also what the proxy tests build).
    public static func gatewayHandler(
        routes: [(prefix: String, urls: [String])],
        proxy: ReverseProxy.Configuration,
        logger: Logger
    ) throws -> some HTTPHandler {
        var gateway = PrefixRouter()
        for route in routes {
            gateway.location(route.prefix, try ReverseProxy(to: route.urls, configuration: proxy))
            logger.info("Route", metadata: ["prefix": "\(route.prefix)", "upstream": "\(route.urls.joined(separator: ","))"])
        }
        return
            gateway
            .wrapped(in: CompressionMiddleware())
            .wrapped(in: ErrorMiddleware(PlainTextErrorRenderer()))
            .wrapped(in: RequestIDMiddleware())
            .wrapped(in: AccessLogMiddleware(level: .debug))
    }

    /// The article's layout: `/search/` → web, `/api/` and `/` → API.
    public static func articleRoutes(web: String, api: String) -> [(prefix: String, urls: [String])] {
        [("/search/", [web]), ("/api/", [api]), ("/", [api])]
    }
}
