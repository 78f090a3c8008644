import HTTPCore
import HTTPTypes
import Routing
import TandemTesting
import Testing

/// Answers with its name and the target it received.
func echoTarget(_ name: String) -> HandlerFunction {
    HandlerFunction { request, _ in .text("\(name) \(request.target)") }
}

func gateway() -> PrefixRouter {
    var router = PrefixRouter()
    router.location("/", echoTarget("api"))
    router.location("/api/", echoTarget("api"))
    router.location("/search/", echoTarget("web"))
    router.location("/search/static/", rewrite: .strip, echoTarget("static"))
    router.location("/v1/", rewrite: .replace(with: "/api/v2/"), echoTarget("legacy"))
    router.exactLocation("/healthz", echoTarget("health"))
    return router
}

@Suite("PrefixRouter")
struct PrefixRouterTests {
    @Test(
        "longest prefix wins, exact beats prefix, rewrites apply, and the normalised path is passed on",
        arguments: [
            ("/search/?query=swift", "web /search/?query=swift"),
            ("/search/deep/page", "web /search/deep/page"),
            ("/search/static/app.css", "static /app.css"),
            ("/api/search/?q=1", "api /api/search/?q=1"),
            ("/v1/items/3", "legacy /api/v2/items/3"),
            ("/healthz", "health /healthz"),
            ("/healthz/", "api /healthz/"),
            ("/other", "api /other"),
            ("/search/../api/x", "api /api/x"),
            ("/search/%2e%2e/api/x", "api /api/x"),
            ("/search%2F..%2Fapi/x", "api /api/x"),
            ("//search//x", "web /search/x"),
            ("/api/caf%C3%A9", "api /api/caf%C3%A9"),
            ("/search/a%20b/", "web /search/a%20b/"),
            ("/x%41", "api /x%41"),
            ("/api/items/100%25?q=%25", "api /api/items/100%25?q=%25"),
        ]
    )
    func routes(target: String, expected: String) async {
        let (status, body, _) = await send(gateway(), .get, target)
        #expect(status == 200)
        #expect(body == expected)
    }

    @Test("a path that climbs above the root is 400", arguments: ["/search/../../etc/passwd", "/..", "/search/%2e%2e/%2e%2e/x"])
    func traversal(target: String) async {
        #expect(await send(gateway(), .get, target).0 == 400)
    }

    @Test("a location's path without its trailing slash redirects to it, keeping the query")
    func trailingSlashRedirect() async {
        var router = PrefixRouter()
        router.location("/search/", echoTarget("web"))
        let (status, _, headers) = await send(router, .get, "/search?query=a")
        #expect(status == 301)
        #expect(headers[.location] == "/search/?query=a")
        #expect(await send(router, .get, "/elsewhere").0 == 404)
    }

    /// nginx: for `location /search/` with proxy_pass, a request for `/search` is answered 301 even when
    /// `location /` would match it (the article's layout, where `/` goes to the API).
    @Test("the slash redirect wins over a shorter prefix that would match, but not over an exact location")
    func trailingSlashRedirectBeforeShorterPrefix() async {
        let (status, _, headers) = await send(gateway(), .get, "/search?query=a")
        #expect(status == 301)
        #expect(headers[.location] == "/search/?query=a")
        #expect(await send(gateway(), .get, "/search/static").2[.location] == "/search/static/")
        var exact = gateway()
        exact.exactLocation("/search", echoTarget("exact"))
        #expect(await send(exact, .get, "/search").1 == "exact /search")
        #expect(await send(gateway(), .get, "/searching").1 == "api /searching")
    }

    @Test("traversal attempts over real sockets never reach a handler with `..` in the path")
    func traversalOverSockets() async throws {
        let seen = Probe()
        var router = PrefixRouter()
        router.location(
            "/search/",
            HandlerFunction { request, _ in
                if request.target.contains("..") || request.target.lowercased().contains("%2e") { seen.add("dots") }
                return .text("web \(request.target)")
            }
        )
        router.location("/api/", echoTarget("api"))
        try await withTestServer(router) { port in
            for (raw, expected) in [
                ("/search/../api/x", 200), ("/search/%2e%2e/api/x", 200), ("/search/../../x", 400), ("/search/%2E%2E%2F%2E%2E%2Fx", 400),
            ] {
                let client = try await RawHTTPClient.connect(port: port)
                try await client.send("GET \(raw) HTTP/1.1\r\nHost: t\r\n\r\n")
                let response = try await client.readResponse()
                #expect(response.status == expected, "\(raw)")
                if expected == 200 { #expect(response.text == "api /api/x") }
                await client.close()
            }
        }
        #expect(seen["dots"] == 0)
    }
}
