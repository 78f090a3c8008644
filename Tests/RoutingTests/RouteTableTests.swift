import HTTPCore
import HTTPTypes
import Routing
import Testing

/// A middleware that tags responses, so a test can tell which middleware ran and in which order.
struct Tag: Middleware {
    let name: String
    func handle(_ request: Request, context: RequestContext, next: some HTTPHandler) async throws -> Response {
        var response = try await next.handle(request, context: context)
        response.headers.append(HTTPField(name: HTTPField.Name("X-Tag")!, value: self.name))
        return response
    }
}

struct Marked: HTTPHandler {
    let mark: String
    func handle(_ request: Request, context: RequestContext) async throws -> Response { .text(self.mark) }
}

@Suite("Route table")
struct RouteTableTests {
    @Test("routes in the order added, full patterns through nested groups, the handler as given, groups' middleware outermost first")
    func table() async throws {
        var routes = TrieRouter.Builder()
        routes.get("/health", handler: Marked(mark: "health"))
        routes.group("/api", middleware: [Tag(name: "outer")]) { api in
            api.post("/items", handler: Marked(mark: "create"))
            api.group("/items/:id", middleware: [Tag(name: "inner")]) { item in
                item.get("/", handler: Marked(mark: "read"))
                item.delete("/tags/:tag", handler: Marked(mark: "untag"))
            }
        }
        routes.get("/health", handler: Marked(mark: "duplicate"))  // refused by build(), never listed
        let table = routes.routes
        #expect(
            table.map { "\($0.method.rawValue) \($0.pattern)" } == [
                "GET /health", "POST /api/items", "GET /api/items/:id/", "DELETE /api/items/:id/tags/:tag",
            ]
        )
        #expect(table.map { ($0.handler as? Marked)?.mark } == ["health", "create", "read", "untag"])
        #expect(table.map { $0.middleware.compactMap { ($0 as? Tag)?.name } } == [[], ["outer"], ["outer", "inner"], ["outer", "inner"]])
        #expect(table.map(\.parameterNames) == [[], [], ["id"], ["id", "tag"]])
        #expect(throws: RouterBuildError.self) { try routes.build() }

        // The table describes what the router runs: the same middleware, in the same order.
        var valid = TrieRouter.Builder()
        valid.group("/api", middleware: [Tag(name: "outer")]) { api in
            api.group("/items/:id", middleware: [Tag(name: "inner")]) { item in item.get("/", handler: Marked(mark: "read")) }
        }
        let router = try valid.build()
        #expect(router.routes.map(\.pattern) == ["/api/items/:id/"])
        let (status, body, headers) = await send(router, .get, "/api/items/7")
        #expect(status == 200 && body == "read")
        #expect(headers[values: HTTPField.Name("X-Tag")!] == ["inner", "outer"])
    }
}
