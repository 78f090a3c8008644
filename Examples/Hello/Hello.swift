import ArgumentParser
import HTTPCore
import Logging
import Routing
import TandemApp
import Topology

/// The smallest Tandem server: `swift run hello`, then `curl http://127.0.0.1:8080/hello/world`.
@main
struct Hello: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A hello-world Tandem server.")

    @OptionGroup var app: AppOptions
    @Option(help: "Port to bind (0 picks a free one; env HELLO_PORT; default 8080).") var port: Int?
    @Flag(help: "Log every request.") var accessLog = false

    func run() async throws {
        var routes = TrieRouter.Builder()
        routes.get("/hello") { _, _ in .text("Hello, world!\n") }
        routes.get("/hello/:name") { _, context in
            .text("Hello, \(try context.parameters.require("name"))!\n")
        }
        routes.get("/json") { _, _ in
            .bytes(HelloPayload.json, contentType: "application/json")
        }
        routes.post("/echo") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            return .bytes(body, contentType: "application/octet-stream")
        }
        let router = try routes.build()

        let app = router.wrapped(in: ErrorMiddleware(PlainTextErrorRenderer())).wrapped(in: RequestIDMiddleware())
        var launcher = try self.app.app(ports: ["hello": self.port])
        if self.accessLog {
            launcher.server("hello", port: 8080) { _ in app.wrapped(in: AccessLogMiddleware()) }
        } else {
            launcher.server("hello", port: 8080) { _ in app }
        }
        try await self.app.run(launcher)
    }
}
