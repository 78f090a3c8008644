import ArgumentParser
import ExampleSupport
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

    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "The API server's port (0 picks a free one).") var port = 8000
    @Option(help: "The in-process web server's port (0 picks a free one).") var webPort = 3000
    @Option(help: "Proxy pages to this web server instead of starting one.") var webURL: String?
    @Flag(help: "Start no web server (pages go to --web-url or http://HOST:WEB-PORT).") var noWeb = false
    @Flag(help: "Mark cookies Secure (for deployments behind https).") var secureCookies = false

    func validate() throws {
        if let webURL = self.webURL, !webURL.hasPrefix("http://") { throw ValidationError("--web-url must be an http:// URL") }
    }

    func run() async throws {
        let startsWeb = self.webURL == nil && !self.noWeb
        let apiPort = try await self.port == 0 && startsWeb ? ServerLauncher.freePort(host: self.host) : self.port
        let webPort = try await self.webPort == 0 && startsWeb ? ServerLauncher.freePort(host: self.host) : self.webPort
        let webURL = self.webURL ?? "http://\(ServerLauncher.urlHost(self.host)):\(webPort)"
        var listeners = [try Topology.devProxy(host: self.host, port: apiPort, webURL: webURL, secureCookies: self.secureCookies)]
        if startsWeb {
            let apiURL = "http://\(ServerLauncher.urlHost(self.host)):\(apiPort)"
            listeners.append(try Topology.web(host: self.host, port: webPort, apiURL: apiURL, secureCookies: self.secureCookies))
        }
        try await ServerLauncher.run(listeners, logger: ServerLauncher.logger("dev-proxy")) {
            [host = ServerLauncher.urlHost(self.host)] ports in
            "open http://\(host):\(ports["api"] ?? 0)/search/?query=swift (pages proxied to \(webURL))"
        }
    }
}
