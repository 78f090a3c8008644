import APIEnvelope
import HTTPCore
import HTTPTypes
public import SSRRendering
import Validation

/// What the search page shows.
public struct SearchPageProps: Sendable {
    /// The query as typed (empty: just the form).
    public var query: String
    /// The API's answer, when there was a query.
    public var results: SearchResults?
    /// Problems with the input, from the API's 422 answer.
    public var problems: [String]

    /// Creates the props.
    public init(query: String, results: SearchResults?, problems: [String] = []) {
        self.query = query
        self.results = results
        self.problems = problems
    }
}

/// `/search/?query=`: the search form and the API's results; title, description and canonical URL follow the query.
public struct SearchPage: Page {
    /// How many results a page shows.
    public static let pageSize = 20

    /// Creates the page.
    public init() {}

    public var route: String { "/search/" }

    public func load(_ context: PageContext) async throws -> PageResult<SearchPageProps> {
        let query = context.query["query"] ?? ""
        guard !query.allSatisfy(\.isWhitespace) else { return .props(SearchPageProps(query: query, results: nil)) }
        do {
            let results: SearchResults = try await context.api.get(
                "/api/search/",
                query: ["query": query, "max_results": String(Self.pageSize)]
            )
            return .props(SearchPageProps(query: query, results: results))
        } catch let error as APIError where error.status == .unprocessableContent {
            return .status(.unprocessableContent, SearchPageProps(query: query, results: nil, problems: error.details.map(\.message)))
        }
    }

    public func render(_ props: SearchPageProps, context: PageContext) -> Document {
        SiteLayout()(Self.head(props), context: context) { SearchResultsView(props: props) }
    }

    /// Title, description and canonical URL for `props`.
    public static func head(_ props: SearchPageProps) -> Head {
        guard let results = props.results else {
            return Head(title: "Search · Tandem", description: "Search the Tandem catalogue.", canonicalURL: "/search/")
        }
        let description = "\(results.total) result\(results.total == 1 ? "" : "s") for \(results.query)"
        return Head(
            title: "\(results.query) · Tandem Search",
            description: description,
            canonicalURL: "/search/?query=" + QueryParameters.percentEncoded(results.query),
            openGraph: OpenGraph(title: "\(results.query) · Tandem Search", description: description)
        )
    }
}

/// The search form and results list (shared with the benchmark server, which renders it without the API).
public struct SearchResultsView: Component {
    /// What to show.
    public let props: SearchPageProps

    /// Creates the view.
    public init(props: SearchPageProps) { self.props = props }

    public var body: some HTML {
        form(.class("search"), .method("get"), .action("/search/"), .role("search")) {
            input(.type("search"), .name("query"), .value(props.query), .placeholder("Search the catalogue"), .aria("label", "Query"))
            button(.type("submit")) { "Search" }
        }
        if !props.problems.isEmpty {
            ul(.class("problems")) { for problem in props.problems { li { problem } } }
        }
        if let results = props.results {
            h1 {
                "Results for "; results.query
            }
            p(.class("total")) { "\(results.total) result\(results.total == 1 ? "" : "s")" }
            ol(.class("results")) {
                for entry in results.results {
                    li(.id("result-\(entry.id)")) {
                        a(.href(entry.url)) { entry.title }
                        div(.class("url")) { entry.url }
                        p { entry.summary }
                    }
                }
            }
        }
    }
}
