import ArgumentParser
import TandemApp
import Topology

/// The dev-proxy topology: the API server serves `/api/*` itself and proxies every other path to the web
/// (SSR) server — 503 `SSR server not running` while that server is down.
@main
struct DevProxy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-proxy",
        abstract: "Run the API server and proxy pages to the web (SSR) server.",
        discussion: """
            By default the web server runs in this process on --web-port. --web-url proxies to a web server running
            elsewhere (started by you, e.g. `split-services web`); --no-web starts none (pages answer 503 until one runs).
            Then open http://localhost:8000/search/?query=swift
            """
    )

    @OptionGroup var app: AppOptions
    @OptionGroup var edge: EdgeOptions
    @Option(help: "The API server's port (0 picks a free one; env API_PORT; default 8000).") var port: Int?
    @Option(help: "The in-process web server's port (0 picks a free one; env WEB_PORT; default 3000).") var webPort: Int?
    @Option(help: "Proxy pages to this web server instead of starting one.") var webURL: String?
    @Flag(help: "Start no web server (pages go to --web-url or http://HOST:WEB-PORT).") var noWeb = false
    @Flag(help: "Mark cookies Secure (for deployments behind https).") var secureCookies = false

    func validate() throws {
        if let webURL = self.webURL, !webURL.hasPrefix("http://") { throw ValidationError("--web-url must be an http:// URL") }
    }

    func run() async throws {
        var app = try self.app.app(ports: ["api": self.port, "web": self.webPort, "redirect": self.edge.redirectHTTPPort])
        let settings = app.settings
        let startsWeb = self.webURL == nil && !self.noWeb
        // The API and the web server need each other's URLs: both sockets are bound before either handler is built.
        let external = self.webURL ?? "http://\(Servers.urlHost(for: settings.host)):\(settings.ports["web"] ?? 3000)"
        let transport = try self.edge.transport(for: "api", in: &app)
        Topology.addDevProxy(to: &app, port: 8000, secureCookies: self.secureCookies, transport: transport) { servers in
            startsWeb ? servers.url("web") : external
        }
        if startsWeb {
            // Over TLS, the web server calls the API's https:// listener too (trusting --upstream-ca-file).
            let apiTLS = self.edge.tlsCert == nil ? nil : try self.edge.upstreamTLS()
            Topology.addWeb(to: &app, port: 3000, secureCookies: self.secureCookies, apiTLS: apiTLS) { $0.url("api") }
        }
        try await self.app.run(app) { servers in
            "open \(servers.url("api"))/search/?query=swift (pages proxied to \(startsWeb ? servers.url("web") : external))"
        }
    }
}
