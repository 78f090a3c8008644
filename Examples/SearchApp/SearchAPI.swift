import APIEnvelope
import HTTPCore
public import Routing

/// The example's API routes.
public enum SearchAPI {
    /// Adds `GET /api/search/?query=&max_results=` to `routes`: validated by ``Contracts/search``,
    /// answered with ``SearchResults`` in the envelope (422 with every problem otherwise).
    public static func addSearch(to routes: inout TrieRouter.Builder, catalogue: Catalogue = .standard) {
        routes.get(
            "/api/search/",
            handler: APIHandler { request, _ in
                catalogue.search(try request.decodeQuery(Contracts.search))
            }
        )
    }
}
