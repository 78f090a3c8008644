import APIEnvelope
import HTTPCore
import Logging
import Routing
import SearchApp

/// Benchmark-only server: the example's `/api/search/` envelope route on the given port.
/// `Benchmarks/api-vs-django.sh` runs it against Django REST framework serving the same JSON.
@main
struct BenchServer {
    static func main() async throws {
        let port = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 18090
        var routes = TrieRouter.Builder()
        SearchAPI.addSearch(to: &routes)
        let app = try routes.build().wrapped(in: ErrorMiddleware(EnvelopeErrorRenderer()))
        var logger = Logger(label: "bench-server")
        logger.logLevel = .warning
        let server = HTTPServer(handler: app, configuration: .init(port: port), errorRenderer: EnvelopeErrorRenderer(), logger: logger)
        try await server.run()
    }
}
