import HTTPCore
import HTTPTypes
import Logging
import NIOCore
import Routing
import Testing

/// A handler that answers with the route's name and the captured parameters.
func named(_ name: String) -> @Sendable (Request, RequestContext) async throws -> Response {
    { _, context in
        let parameters = context.parameters.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
        return .text(parameters.isEmpty ? name : "\(name) \(parameters)")
    }
}

func send(_ handler: some HTTPHandler, _ method: HTTPRequest.Method = .get, _ target: String) async -> (Int, String, HTTPFields) {
    let request = Request(head: HTTPRequest(method: method, scheme: "http", authority: "test", path: target))
    let context = RequestContext(logger: Logger(label: "test"))
    do {
        let response = try await handler.handle(request, context: context)
        let body = try await response.body.collect()
        return (response.status.code, String(buffer: body), response.headers)
    } catch let error as HTTPError {
        return (error.status.code, error.publicMessage, error.headers)
    } catch {
        return (-1, "\(error)", [:])
    }
}

func sampleRouter() throws -> TrieRouter {
    var routes = TrieRouter.Builder()
    routes.get("/", named("root"))
    routes.get("/users", named("users"))
    routes.post("/users", named("create-user"))
    routes.get("/users/new", named("new-user-form"))
    routes.get("/users/:id", named("user"))
    routes.delete("/users/:id", named("delete-user"))
    routes.get("/users/:id/posts/:post", named("post"))
    routes.get("/users/new/edit", named("edit-new"))
    routes.get("/files/*/meta", named("file-meta"))
    routes.get("/files/**", named("files"))
    routes.put("/items/:item", named("put-item"))
    routes.get("/items/:item/**", named("item-rest"))
    return try routes.build()
}

@Suite("TrieRouter")
struct TrieRouterTests {
    @Test(
        "matches with priority constant > parameter > wildcard > catch-all",
        arguments: [
            ("/", "root"),
            ("/users", "users"),
            ("/users/", "users"),
            ("/users/new", "new-user-form"),
            ("/users/42", "user id=42"),
            ("/users/new/edit", "edit-new"),
            ("/users/new/posts/7", "post id=new,post=7"),
            ("/users/a%20b", "user id=a b"),
            ("/files/x/meta", "file-meta"),
            ("/files/x/y/meta", "files **=x/y/meta"),
            ("/files/a/b/c", "files **=a/b/c"),
            ("/files/", "files **="),
            ("/items/9/x/y", "item-rest item=9,**=x/y"),
            ("//users//42", "user id=42"),
            ("/users/7/../42", "user id=42"),
        ]
    )
    func matches(path: String, expected: String) async throws {
        let (status, body, _) = await send(try sampleRouter(), .get, path)
        #expect(status == 200)
        #expect(body == expected)
    }

    @Test("unknown paths are 404, paths that climb above the root 400")
    func notFound() async throws {
        let router = try sampleRouter()
        #expect(await send(router, .get, "/nope").0 == 404)
        #expect(await send(router, .get, "/users/1/posts").0 == 404)
        #expect(await send(router, .get, "/../etc/passwd").0 == 400)
    }

    @Test("a path with other methods answers 405 with Allow")
    func methodNotAllowed() async throws {
        let router = try sampleRouter()
        let (status, _, headers) = await send(router, .patch, "/users/3")
        #expect(status == 405)
        #expect(headers[.allow] == "DELETE, GET, HEAD")
        let (putStatus, _, putHeaders) = await send(router, .post, "/items/1")
        #expect(putStatus == 405)
        #expect(putHeaders[.allow] == "PUT")
    }

    @Test("a method that only a less specific branch has still matches there")
    func methodBacktracking() async throws {
        let router = try sampleRouter()
        #expect(await send(router, .delete, "/users/new").1 == "delete-user id=new")
    }

    @Test("HEAD is answered by GET routes")
    func head() async throws {
        #expect(await send(try sampleRouter(), .head, "/users/5").1 == "user id=5")
    }

    @Test("typed parameters answer 400 on a bad value")
    func typedParameters() async throws {
        var routes = TrieRouter.Builder()
        routes.get("/n/:value") { _, context in .text("\(try context.parameters.require("value", as: Int.self) * 2)") }
        let router = try routes.build()
        #expect(await send(router, .get, "/n/21").1 == "42")
        let (status, message, _) = await send(router, .get, "/n/abc")
        #expect(status == 400)
        #expect(message.contains("value"))
    }

    @Test("duplicate and malformed routes are rejected when the router is built")
    func duplicates() {
        var routes = TrieRouter.Builder()
        routes.get("/a/:id", named("one"))
        routes.get("/a/:name", named("two"))
        routes.post("/a/:id", named("fine"))
        routes.get("/b/**/c", named("bad"))
        routes.get("/c/:", named("bad"))
        #expect {
            try routes.build()
        } throws: { error in
            guard let error = error as? RouterBuildError else { return false }
            return error.problems.count == 3 && error.problems[0].contains("/a/:name duplicates GET /a/:id")
        }
    }

    @Test("groups prefix their routes and run their middleware; the fallback takes the rest")
    func groupsAndFallback() async throws {
        struct Tag: Middleware {
            let tag: String
            func handle(_ request: Request, context: RequestContext, next: some HTTPHandler) async throws -> Response {
                var response = try await next.handle(request, context: context)
                response.headers.append(HTTPField(name: HTTPField.Name("X-Tag")!, value: self.tag))
                return response
            }
        }
        var routes = TrieRouter.Builder()
        routes.get("/open", named("open"))
        routes.group("/admin", middleware: [Tag(tag: "outer"), Tag(tag: "inner")]) { admin in
            admin.get("/stats", named("stats"))
            admin.group("/deep") { deep in deep.get("/x/:id", named("deep")) }
        }
        routes.fallback(HandlerFunction { request, _ in .text("fallback \(request.path)", status: .notFound) })
        let router = try routes.build()
        let (_, body, headers) = await send(router, .get, "/admin/stats")
        #expect(body == "stats")
        #expect(headers[values: HTTPField.Name("X-Tag")!] == ["inner", "outer"])
        #expect(await send(router, .get, "/admin/deep/x/1").1 == "deep id=1")
        #expect(await send(router, .get, "/open").2[HTTPField.Name("X-Tag")!] == nil)
        #expect(await send(router, .get, "/elsewhere").1 == "fallback /elsewhere")
    }

    /// The dev proxy's fallback is a reverse proxy: what it forwards must be what routing matched.
    @Test("routes and the fallback receive the normalised path, the query kept")
    func normalisedPathPassedOn() async throws {
        var routes = TrieRouter.Builder()
        routes.get("/about/") { request, _ in .text("route \(request.target)") }
        routes.fallback(HandlerFunction { request, _ in .text("fallback \(request.target)") })
        let router = try routes.build()
        #expect(await send(router, .get, "/search/%2e%2e/about/").1 == "route /about/")
        #expect(await send(router, .get, "/about/?q=1").1 == "route /about/?q=1")
        #expect(await send(router, .get, "/a//b/../c?x=%2e").1 == "fallback /a/c?x=%2e")
        #expect(await send(router, .get, "/search/%2E%2E/other?q=1").1 == "fallback /other?q=1")
    }
}
