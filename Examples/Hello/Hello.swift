import ArgumentParser
import ExampleSupport
import HTTPCore
import Logging
import Routing

/// The smallest Tandem server: `swift run hello`, then `curl http://127.0.0.1:8080/hello/world`.
@main
struct Hello: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A hello-world Tandem server.")

    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port to bind (0 picks a free one).") var port = 8080
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
        routes.get("/healthz") { _, _ in .text("ok\n") }
        let router = try routes.build()

        let logger = Logger(label: "hello")
        let app = router.wrapped(in: ErrorMiddleware(PlainTextErrorRenderer())).wrapped(in: RequestIDMiddleware())
        if self.accessLog {
            try await self.serve(app.wrapped(in: AccessLogMiddleware()), logger: logger)
        } else {
            try await self.serve(app, logger: logger)
        }
    }

    private func serve(_ handler: some HTTPHandler, logger: Logger) async throws {
        let server = HTTPServer(handler: handler, configuration: .init(host: self.host, port: self.port), logger: logger)
        try await ServerLauncher.run([.init("hello", server)], logger: logger)
    }
}
