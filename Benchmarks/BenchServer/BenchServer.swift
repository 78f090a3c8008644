import APIEnvelope
import HTTPCore
import Logging
import Routing
import SSRRendering
import SearchApp
import StaticFiles

/// The example's search page with the catalogue searched in process (the benchmark measures rendering, not
/// the API call): the same loader outcome, layout, escaping, ETag and headers as the real page.
struct InProcessSearchPage: Page {
    var route: String { "/search/" }

    func load(_ context: PageContext) async throws -> PageResult<SearchPageProps> {
        let query = context.query["query"] ?? ""
        let results = Catalogue.standard.search(SearchInput(query: query, maxResults: SearchPage.pageSize))
        return .props(SearchPageProps(query: query, results: results))
    }

    func render(_ props: SearchPageProps, context: PageContext) -> Document {
        SearchPage().render(props, context: context)
    }
}

/// Benchmark-only server on the given port: the example's `/api/search/` envelope route
/// (`Benchmarks/api-vs-django.sh`) and its `/search/` results page (`Benchmarks/pages-vs-django-node.sh`);
/// `bench-server PORT static DIR` serves the folder DIR with a `FileServer` instead (`Benchmarks/static-vs-nginx.sh`).
@main
struct BenchServer {
    static func main() async throws {
        let port = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 18090
        var logger = Logger(label: "bench-server")
        logger.logLevel = .warning
        if CommandLine.arguments.count == 4, CommandLine.arguments[2] == "static" {
            let files = try FileServer(root: CommandLine.arguments[3])
            try await HTTPServer(handler: files, configuration: .init(port: port), logger: logger).run()
            return
        }
        var site = PageRouter.Builder(api: nil, errorPages: SiteErrorPages())
        SearchAPI.addSearch(to: &site.routes)
        site.add(InProcessSearchPage())
        let app = try site.build()
        let server = HTTPServer(handler: app, configuration: .init(port: port), errorRenderer: EnvelopeErrorRenderer(), logger: logger)
        try await server.run()
    }
}
