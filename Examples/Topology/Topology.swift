import APIEnvelope
public import CookieAuth
public import ExampleSupport
public import HTTPCore
import HTTPTypes
import Logging
public import ProxyClient
import Routing
import SSRRendering
import SearchApp

/// The example servers, assembled as the two topologies need them. `split-services` and `dev-proxy` are
/// thin command lines over these; tests run them in-process too.
///
/// ```swift
/// // split services in one process: the gateway sends /search/ to web and the rest to the API
/// let api = try Topology.api(host: "127.0.0.1", port: 8000)
/// let web = try Topology.web(host: "127.0.0.1", port: 3000, apiURL: "http://127.0.0.1:8000")
/// let gateway = try Topology.gateway(host: "127.0.0.1", port: 8080, routes: [
///     ("/search/", ["http://127.0.0.1:3000"]), ("/api/", ["http://127.0.0.1:8000"]), ("/", ["http://127.0.0.1:8000"]),
/// ])
/// try await ServerLauncher.run([api, web, gateway], logger: logger)
/// ```
public enum Topology {
    /// The API server (`api`): search, login, logout, user, healthz.
    public static func api(host: String, port: Int, keys: KeyRing? = nil, secureCookies: Bool = false) throws -> ServerLauncher.Listener {
        try self.apiServer(host: host, port: port, keys: keys) { tokens in
            try SearchAPI(tokens: tokens, secureCookies: secureCookies).handler()
        }
    }

    /// The dev proxy's API server (`api`): `/api/*` and `/healthz` itself, every other path proxied to the web
    /// server at `webURL` — 503 `SSR server not running` when it is down; WebSocket upgrades pass through.
    public static func devProxy(
        host: String,
        port: Int,
        webURL: String,
        keys: KeyRing? = nil,
        secureCookies: Bool = false
    ) throws -> ServerLauncher.Listener {
        var configuration = ReverseProxy.Configuration(whenUnavailable: .plainText(.serviceUnavailable, "SSR server not running"))
        configuration.upstream.connectTimeout = .seconds(2)
        let pages = try ReverseProxy(to: webURL, configuration: configuration)
        return try self.apiServer(host: host, port: port, keys: keys) { tokens in
            try SearchAPI(tokens: tokens, secureCookies: secureCookies).handler(proxyingPagesTo: pages)
        }
    }

    /// An `api` server around the handler `makeHandler` builds with the access-token signer.
    private static func apiServer<Handler: HTTPHandler>(
        host: String,
        port: Int,
        keys: KeyRing?,
        _ makeHandler: (SignedAccessTokens) throws -> Handler
    ) throws -> ServerLauncher.Listener {
        let logger = ServerLauncher.logger("api")
        let app = try makeHandler(SignedAccessTokens(keys: keys ?? .fromEnvironment(logger: logger)))
        let configuration = HTTPServer<Handler>.Configuration(host: host, port: port)
        return .init("api", HTTPServer(handler: app, configuration: configuration, errorRenderer: EnvelopeErrorRenderer(), logger: logger))
    }

    /// The web (SSR) server (`web`): the pages, calling the API at `apiURL` over HTTP.
    public static func web(
        host: String,
        port: Int,
        apiURL: String,
        keys: KeyRing? = nil,
        secureCookies: Bool = false,
        trustedProxies: [CIDR] = []
    ) throws -> ServerLauncher.Listener {
        let logger = ServerLauncher.logger("web")
        var upstream = APIClient.defaultConfiguration
        upstream.connectTimeout = .seconds(2)
        let web = SearchWeb(
            api: try APIClient.http(apiURL, configuration: upstream),
            keys: keys ?? .fromEnvironment(logger: logger),
            secureCookies: secureCookies,
            trustedProxies: trustedProxies
        )
        let errorRenderer = ErrorPageRenderer(SiteErrorPages())
        return .init(
            "web",
            HTTPServer(
                handler: try web.handler(),
                configuration: .init(host: host, port: port),
                errorRenderer: errorRenderer,
                logger: logger
            )
        )
    }

    /// The gateway (`gateway`, the nginx role): longest prefix wins; several URLs form one balanced upstream;
    /// `GET /healthz` answered itself.
    public static func gateway(
        host: String,
        port: Int,
        routes: [(prefix: String, urls: [String])],
        proxy: ReverseProxy.Configuration = ReverseProxy.Configuration()
    ) throws -> ServerLauncher.Listener {
        let logger = ServerLauncher.logger("gateway")
        var gateway = PrefixRouter()
        for route in routes {
            gateway.location(route.prefix, try ReverseProxy(to: route.urls, configuration: proxy))
            logger.info("Route", metadata: ["prefix": "\(route.prefix)", "upstream": "\(route.urls.joined(separator: ","))"])
        }
        gateway.exactLocation("/healthz", HandlerFunction { _, _ in .text("ok\n") })
        let app =
            gateway
            .wrapped(in: ErrorMiddleware(PlainTextErrorRenderer()))
            .wrapped(in: RequestIDMiddleware())
            .wrapped(in: AccessLogMiddleware(level: .debug))
        return .init("gateway", Self.server(app, host: host, port: port, maxBodyBytes: proxy.maxBodyBytes, logger: logger))
    }

    private static func server<Handler: HTTPHandler>(
        _ handler: Handler,
        host: String,
        port: Int,
        maxBodyBytes: Int?,
        logger: Logger
    ) -> HTTPServer<Handler> {
        var configuration = HTTPServer<Handler>.Configuration(host: host, port: port)
        // The gateway's own body limit matches what it forwards.
        if let maxBodyBytes { configuration.limits.maxBodyBytes = maxBodyBytes }
        return HTTPServer(handler: handler, configuration: configuration, logger: logger)
    }

    /// The article's layout: `/search/` → web, `/api/` and `/` → API.
    public static func articleRoutes(web: String, api: String) -> [(prefix: String, urls: [String])] {
        [("/search/", [web]), ("/api/", [api]), ("/", [api])]
    }
}
