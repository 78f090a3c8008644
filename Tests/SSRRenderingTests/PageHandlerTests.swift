import APIEnvelope
import CookieAuth
import HTMLTesting
import HTTPCore
import HTTPTypes
import NIOCore
import ProxyClient
import Routing
import SSRRendering
import Synchronization
import TandemTesting
import Testing
import Validation

/// What the test API saw of the page's call.
struct Echo: Codable, Sendable {
    var authorization: String?
    var requestID: String?
    var language: String?
    var path: String
}

/// A small API: echo of forwarded headers, a login that sets a cookie, failures on demand.
func testAPI() throws -> some HTTPHandler {
    var routes = TrieRouter.Builder()
    routes.get(
        "/api/echo/",
        handler: APIHandler { request, context in
            Echo(
                authorization: request.headers[.authorization],
                requestID: request.headers[.xRequestID],
                language: request.headers[.acceptLanguage],
                path: request.target
            )
        }
    )
    routes.post(
        "/api/login/",
        handler: APIHandler { request, _ -> APIResponse<[String: String]> in
            let credentials = try await request.decodeJSON([String: String].self)
            guard credentials["password"] == "lovelace" else { throw APIError.unauthorized("Wrong password") }
            var response = APIResponse.ok(["user": credentials["username"] ?? ""])
            response.headers.append(
                HTTPField(name: .setCookie, value: "access_token=tok-\(credentials["username"] ?? ""); Path=/; HttpOnly")
            )
            response.headers.append(HTTPField(name: .setCookie, value: "theme=dark; Path=/"))
            return response
        }
    )
    routes.get("/api/missing/", handler: APIHandler { _, _ -> NoData in throw APIError.notFound("No such item") })
    routes.get(
        "/api/invalid/",
        handler: APIHandler { _, _ -> NoData in
            throw APIError.validationFailed([ValidationIssue(loc: [.key("query")], code: .missing, message: "Field required")])
        }
    )
    routes.get(
        "/api/down/",
        handler: APIHandler { _, _ -> NoData in throw APIError(.serviceUnavailable, code: "maintenance", message: "Back soon") }
    )
    routes.get(
        "/api/broken/",
        handler: APIHandler { _, _ -> NoData in throw APIError(.internalServerError, code: "db", message: "DB password is hunter2") }
    )
    routes.get("/api/huge/", handler: APIHandler { _, _ in String(repeating: "x", count: 2 << 20) })
    routes.get(
        "/api/html/",
        handler: HandlerFunction { _, _ in .bytes(ByteBuffer(string: "<html>proxy error</html>"), contentType: "text/html") }
    )
    return try routes.build().wrapped(in: ErrorMiddleware(EnvelopeErrorRenderer()))
}

/// A page whose loader does what the query says.
struct OutcomePage: Page {
    var route: String { "/outcome/:kind/" }

    func load(_ context: PageContext) async throws -> PageResult<String> {
        switch context.parameters["kind"] {
        case "ok": return .props("fine")
        case "gone": return .status(.gone, "gone for good")
        case "missing": return .notFound
        case "moved": return .redirect(to: "/outcome/ok/", permanent: true)
        case "elsewhere":
            context.addResponseHeader(HTTPField(name: .setCookie, value: "seen=1; Path=/"))
            return .redirect(to: "/outcome/ok/")
        case "throws": throw InternalFailure(secret: "stack trace with password hunter2")
        case "http": throw HTTPError(.forbidden, message: "No entry")
        default: return .props(context.parameters["kind"] ?? "")
        }
    }

    func render(_ props: String, context: PageContext) -> Document {
        Document(head: Head(title: props)) { p(.id("props")) { props } }
    }
}

struct InternalFailure: Error { var secret: String }

/// A query built from a value: renamed key, an array, a missing optional.
struct EchoQuery: Encodable {
    var query: String
    var tags: [String]
    var page: Int?
    var max: Int
    enum CodingKeys: String, CodingKey {
        case query = "q", tags = "tag", page, max = "max_results"
    }
}

/// A page that shows what the API saw, or fails the way the API fails.
struct APIPage: Page {
    var route: String { "/api-call/:what/" }

    func load(_ context: PageContext) async throws -> PageResult<Echo> {
        switch context.parameters["what"] {
        case "echo": return .props(try await context.api.get("/api/echo/", query: ["q": "a b&c=d/é"]))
        case "missing": return .props(try await context.api.get("/api/missing/"))
        case "invalid": return .props(try await context.api.get("/api/invalid/"))
        case "computed":
            let page: Int? = nil
            return .props(try await context.api.get("/api/echo/", query: [("q", "x y"), ("page", page.map(String.init)), ("n", "2")]))
        case "encoded":
            return .props(
                try await context.api.get("/api/echo/", encodingQuery: EchoQuery(query: "a&b", tags: ["x", "y"], page: nil, max: 5))
            )
        case "down": return .props(try await context.api.get("/api/down/"))
        case "broken": return .props(try await context.api.get("/api/broken/"))
        case "html": return .props(try await context.api.get("/api/html/"))
        case "huge":
            _ = try await context.api.get("/api/huge/", as: String.self)
            return .notFound
        default: return .notFound
        }
    }

    func render(_ echo: Echo, context: PageContext) -> Document {
        Document(head: Head(title: "echo")) {
            dl {
                dt { "authorization" }; dd(.id("authorization")) { echo.authorization ?? "-" }
                dt { "request id" }; dd(.id("request-id")) { echo.requestID ?? "-" }
                dt { "language" }; dd(.id("language")) { echo.language ?? "-" }
                dt { "path" }; dd(.id("path")) { echo.path }
            }
        }
    }
}

/// A login form: posting it logs in through the API, relays the cookies and redirects with 303.
struct LoginPage: Page {
    var route: String { "/login/" }

    func load(_ context: PageContext) async throws -> PageResult<String?> { .props(nil) }

    func submit(_ context: PageContext) async throws -> PageResult<String?> {
        let form = try await context.form()
        do {
            let _: [String: String] = try await context.api.post(
                "/api/login/",
                json: ["username": form["username"] ?? "", "password": form["password"] ?? ""],
                relayCookies: true
            )
            return .seeOther("/account/")
        } catch let error as APIError where error.status == .unauthorized {
            return .status(.unauthorized, error.message)
        }
    }

    func render(_ problem: String?, context: PageContext) -> Document {
        Document(head: Head(title: "Sign in")) {
            if let problem { p(.class("error")) { problem } }
            form(.method("post"), .action("/login/")) {
                input(.name("username")); input(.name("password"), .type("password"))
            }
        }
    }
}

/// A page whose second half waits for `gate`.
struct StreamingPage: Page {
    let gate: Gate
    var route: String { "/stream/" }

    func load(_ context: PageContext) async throws -> PageResult<Void> { .props(()) }

    func render(_ props: Void, context: PageContext) -> Document {
        let gate = self.gate
        return Document(head: Head(title: "Streaming")) {
            h1 { "Before" }
            Deferred({ await gate.wait() }) { value in p(.id("late")) { value } }
            footer { "After" }
        }
    }
}

/// A page whose deferred part fails after the head and the first bytes are out.
struct FailingStreamPage: Page {
    var route: String { "/stream-fails/" }

    func load(_ context: PageContext) async throws -> PageResult<Void> { .props(()) }

    func render(_ props: Void, context: PageContext) -> Document {
        Document(head: Head(title: "Streaming")) {
            h1 { "Before" }
            Deferred({ () async throws -> String in throw InternalFailure(secret: "hunter2") }) { value in p { value } }
            footer { "After" }
        }
    }
}

/// Opens once; waiters resume with the value it was opened with.
final class Gate: Sendable {
    private let state = Mutex<(value: String?, waiters: [CheckedContinuation<String, Never>])>((nil, []))

    func wait() async -> String {
        await withCheckedContinuation { continuation in
            let value = self.state.withLock { state -> String? in
                if let value = state.value { return value }
                state.waiters.append(continuation)
                return nil
            }
            if let value { continuation.resume(returning: value) }
        }
    }

    func open(_ value: String) {
        let waiters = self.state.withLock { state in
            state.value = value
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: value) }
    }
}

struct CustomErrorPages: ErrorPages {
    func document(for error: PageError) -> Document {
        Document(head: Head(title: "Oops \(error.status.code)")) {
            h1(.id("status")) { String(error.status.code) }
            p(.id("message")) { error.message }
            p(.id("request-id")) { error.requestID ?? "-" }
        }
    }
}

func site(api: APIClient?, gate: Gate = Gate()) throws -> some HTTPHandler {
    var site = PageRouter.Builder(api: api, errorPages: CustomErrorPages())
    site.add(OutcomePage())
    site.add(APIPage())
    site.add(LoginPage())
    site.add(StreamingPage(gate: gate))
    site.add(FailingStreamPage())
    return try site.build().wrapped(in: RequestIDMiddleware())
}

func get(_ port: Int, _ path: String, headers: String = "") async throws -> RawHTTPResponse {
    try await RawHTTPClient.roundTrip(port: port, "GET \(path) HTTP/1.1\r\nHost: t\r\n\(headers)\r\n")
}

@Suite("Pages: loaders, status codes, error pages, the API client, caching and streaming")
struct PageHandlerTests {
    @Test("Loader outcomes keep their status codes; error pages are custom and leak nothing")
    func outcomes() async throws {
        try await withTestServer(try site(api: nil)) { port in
            let ok = try await get(port, "/outcome/ok/")
            #expect(ok.status == 200)
            #expect(ok.header("content-type") == "text/html; charset=utf-8")
            // Security headers on pages, redirects and error pages alike.
            for response in [ok, try await get(port, "/outcome/moved/"), try await get(port, "/no/such/page")] {
                #expect(response.header("x-content-type-options") == "nosniff")
                #expect(response.header("x-frame-options") == "SAMEORIGIN")
                #expect(response.header("referrer-policy") == "strict-origin-when-cross-origin")
            }
            #expect(try HTMLTree(parsing: ok.body).first(where: "id", is: "props")?.text == "fine")

            let gone = try await get(port, "/outcome/gone/")
            #expect(gone.status == 410)
            #expect(try HTMLTree(parsing: gone.body).first(where: "id", is: "props")?.text == "gone for good")

            for (path, status) in [("/outcome/missing/", 404), ("/no/such/page", 404), ("/outcome/throws/", 500), ("/outcome/http/", 403)] {
                let response = try await get(port, path, headers: "X-Request-ID: req-\(status)\r\n")
                #expect(response.status == status, "\(path)")
                #expect(response.header("cache-control") == "no-store")
                // Kept out of search engines without the error pages asking for it.
                #expect(response.header("x-robots-tag") == "noindex")
                let tree = try HTMLTree(parsing: response.body)
                #expect(tree.all("meta").contains { $0["name"] == "robots" && $0["content"] == "noindex" })
                #expect(tree.first("title")?.text == "Oops \(status)")
                #expect(tree.first(where: "id", is: "status")?.text == String(status))
                #expect(tree.first(where: "id", is: "request-id")?.text == "req-\(status)")
                #expect(!response.text.contains("hunter2") && !response.text.contains("InternalFailure"))
            }

            let moved = try await get(port, "/outcome/moved/")
            #expect(moved.status == 301 && moved.header("location") == "/outcome/ok/")
            let elsewhere = try await get(port, "/outcome/elsewhere/")
            #expect(elsewhere.status == 302 && elsewhere.header("location") == "/outcome/ok/")
            #expect(elsewhere.headers("set-cookie") == ["seen=1; Path=/"])

            let post = try await RawHTTPClient.roundTrip(port: port, "POST /outcome/ok/ HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
            #expect(post.status == 405 && post.header("allow") == "GET, HEAD")
            let delete = try await RawHTTPClient.roundTrip(port: port, "DELETE /outcome/ok/ HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(delete.status == 405)
            #expect(try HTMLTree(parsing: delete.body).first("title")?.text == "Oops 405")
        }
    }

    @Test("The API client forwards the token cookie as a bearer token, the request id and Accept-Language; in process and over HTTP")
    func forwarding() async throws {
        try await withTestServer(try testAPI()) { apiPort in
            for api in [APIClient.inProcess(try testAPI()), try APIClient.http("http://127.0.0.1:\(apiPort)")] {
                try await withTestServer(try site(api: api)) { port in
                    let signedIn = try await get(
                        port,
                        "/api-call/echo/",
                        headers: "Cookie: theme=dark; access_token=abc.def\r\nX-Request-ID: r-1\r\nAccept-Language: de-CH, de;q=0.9\r\n"
                    )
                    #expect(signedIn.status == 200)
                    let tree = try HTMLTree(parsing: signedIn.body)
                    #expect(tree.first(where: "id", is: "authorization")?.text == "Bearer abc.def")
                    #expect(tree.first(where: "id", is: "request-id")?.text == "r-1")
                    #expect(tree.first(where: "id", is: "language")?.text == "de-CH, de;q=0.9")
                    #expect(tree.first(where: "id", is: "path")?.text == "/api/echo/?q=a%20b%26c%3Dd%2F%C3%A9")

                    // Computed queries: pairs with a nil left out, and an Encodable value's properties.
                    let computed = try HTMLTree(parsing: try await get(port, "/api-call/computed/").body)
                    #expect(computed.first(where: "id", is: "path")?.text == "/api/echo/?q=x%20y&n=2")
                    let encoded = try HTMLTree(parsing: try await get(port, "/api-call/encoded/").body)
                    #expect(encoded.first(where: "id", is: "path")?.text == "/api/echo/?q=a%26b&tag=x&tag=y&max_results=5")

                    // A browser's own Authorization header is not what the page forwards.
                    let anonymous = try await get(port, "/api-call/echo/", headers: "Authorization: Bearer from-browser\r\n")
                    #expect(try HTMLTree(parsing: anonymous.body).first(where: "id", is: "authorization")?.text == "-")
                }
            }
        }
    }

    @Test("API failures become error pages with the right status; an unreachable API is a 502 page, a silent one 504")
    func apiFailures() async throws {
        try await withTestServer(try testAPI()) { apiPort in
            try await withTestServer(try site(api: try APIClient.http("http://127.0.0.1:\(apiPort)"))) { port in
                for (what, status) in [("missing", 404), ("invalid", 422), ("down", 503), ("broken", 502), ("html", 502)] {
                    let response = try await get(port, "/api-call/\(what)/")
                    #expect(response.status == status, "\(what)")
                    #expect(try HTMLTree(parsing: response.body).first("title")?.text == "Oops \(status)")
                    #expect(!response.text.contains("hunter2") && !response.text.contains("proxy error"))
                }
            }
        }
        try await withTestServer(try site(api: try APIClient.http("http://127.0.0.1:1"))) { port in
            let response = try await get(port, "/api-call/echo/", headers: "X-Request-ID: down-1\r\n")
            #expect(response.status == 502)
            let tree = try HTMLTree(parsing: response.body)
            #expect(tree.first(where: "id", is: "message")?.text == PageError.message(for: .badGateway))
            #expect(tree.first(where: "id", is: "request-id")?.text == "down-1")
        }
        let silent = try await ScriptedUpstream { _, _ in .hang }
        let quick = Upstream.Configuration(responseTimeout: .milliseconds(200))
        try await withTestServer(try site(api: try APIClient.http("http://127.0.0.1:\(silent.port)", configuration: quick))) { port in
            let response = try await get(port, "/api-call/echo/")
            #expect(response.status == 504)
        }
    }

    /// The page hung (and SIGTERM could not stop the web server) when its API sent a head and then one byte at a
    /// time: each byte reset the per-read timeout.
    @Test("an API that trickles its answer is cut at the client's total deadline: a 504 page")
    func tricklingAPI() async throws {
        let trickle = HandlerFunction { _, _ in
            Response(
                headers: [.contentType: "application/json"],
                body: .stream(contentLength: 10_000) { writer in
                    // A byte every 50 ms: never silent for a per-read timeout. (The pace is the behaviour under test.)
                    for _ in 0..<10_000 {
                        try await writer.write(ByteBuffer(string: " "))
                        try await Task.sleep(for: .milliseconds(50))
                    }
                }
            )
        }
        try await withTestServer(trickle) { apiPort in
            var configuration = APIClient.defaultConfiguration
            configuration.totalTimeout = .milliseconds(600)
            #expect(APIClient.defaultConfiguration.totalTimeout != nil, "page API calls have a deadline by default")
            try await withTestServer(try site(api: try APIClient.http("http://127.0.0.1:\(apiPort)", configuration: configuration))) {
                port in
                let response = try await get(port, "/api-call/echo/")
                #expect(response.status == 504)
                #expect(try HTMLTree(parsing: response.body).first("title")?.text == "Oops 504")
            }
        }
    }

    @Test("An API answer larger than the client's limit fails the load with a 502 page")
    func oversizedAPIAnswer() async throws {
        let api = APIClient(
            transport: InProcessTransport(try testAPI(), errorRenderer: EnvelopeErrorRenderer()),
            authority: "api.internal",
            maxResponseBytes: 1 << 20
        )
        try await withTestServer(try site(api: api)) { port in
            let response = try await get(port, "/api-call/huge/")
            #expect(response.status == 502)
            #expect(!response.text.contains("xxxx"))
        }
    }

    @Test("A streamed part that fails after the head is out cuts the connection: no terminating chunk, no error text")
    func failingStream() async throws {
        try await withTestServer(try site(api: nil)) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("GET /stream-fails/ HTTP/1.1\r\nHost: t\r\n\r\n")
            let received = try await client.readUntilClosed()
            #expect(received.hasPrefix("HTTP/1.1 200 OK"))
            #expect(received.contains("<h1>Before</h1>"))
            #expect(!received.hasSuffix("0\r\n\r\n"))
            #expect(!received.contains("After") && !received.contains("hunter2"))
        }
    }

    @Test("Posting the login form logs in through the API, relays its cookies and redirects with 303")
    func loginRelaysCookies() async throws {
        try await withTestServer(try site(api: .inProcess(try testAPI()))) { port in
            let body = "username=ada&password=lovelace"
            let response = try await RawHTTPClient.roundTrip(
                port: port,
                "POST /login/ HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            )
            #expect(response.status == 303)
            #expect(response.header("location") == "/account/")
            #expect(response.headers("set-cookie") == ["access_token=tok-ada; Path=/; HttpOnly", "theme=dark; Path=/"])

            let wrong = "username=ada&password=nope"
            let refused = try await RawHTTPClient.roundTrip(
                port: port,
                "POST /login/ HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(wrong.utf8.count)\r\n\r\n\(wrong)"
            )
            #expect(refused.status == 401)
            #expect(refused.headers("set-cookie").isEmpty)
            #expect(try HTMLTree(parsing: refused.body).first(where: "class", is: "error")?.text == "Wrong password")
        }
    }

    @Test("Rendered pages carry a strong ETag and Cache-Control; If-None-Match gives 304; HEAD has no body")
    func caching() async throws {
        try await withTestServer(try site(api: nil)) { port in
            let first = try await get(port, "/outcome/ok/")
            let etag = try #require(first.header("etag"))
            #expect(etag.hasPrefix("\"") && etag.hasSuffix("\"") && !etag.hasPrefix("W/"))
            #expect(first.header("cache-control") == "private, no-cache")
            #expect(try await get(port, "/outcome/ok/").header("etag") == etag)
            #expect(try await get(port, "/outcome/other/").header("etag") != etag)

            for condition in [etag, "\"nope\", \(etag)", "W/\(etag)", "*"] {
                let again = try await get(port, "/outcome/ok/", headers: "If-None-Match: \(condition)\r\n")
                #expect(again.status == 304, "\(condition)")
                #expect(again.body.isEmpty)
                #expect(again.header("etag") == etag)
            }
            #expect(try await get(port, "/outcome/ok/", headers: "If-None-Match: \"other\"\r\n").status == 200)
            // Error pages are never cached or validated.
            #expect(try await get(port, "/outcome/missing/").header("etag") == nil)

            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("HEAD /outcome/ok/ HTTP/1.1\r\nHost: t\r\n\r\n")
            let head = try await client.readResponse(bodyless: true)
            #expect(head.status == 200)
            #expect(head.header("content-length") == String(first.body.count))
            #expect(head.header("etag") == etag)
            // The connection is still usable: no body bytes followed the head.
            try await client.send("GET /outcome/ok/ HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try await client.readResponse().body == first.body)
            await client.close()
        }
    }

    @Test("A page streams: the bytes before a slow part arrive before that part has finished")
    func streaming() async throws {
        let gate = Gate()
        try await withTestServer(try site(api: nil, gate: gate)) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("GET /stream/ HTTP/1.1\r\nHost: t\r\n\r\n")
            var received = ""
            while !received.contains("<h1>Before</h1>") {
                received += try await client.readBytes(count: 1)
            }
            #expect(received.lowercased().contains("transfer-encoding: chunked"))
            #expect(!received.lowercased().contains("etag"))
            #expect(!received.contains("After"))
            gate.open("<late & escaped>")
            while !received.hasSuffix("\r\n0\r\n\r\n") {
                received += try await client.readBytes(count: 1)
            }
            #expect(received.contains("<p id=\"late\">&lt;late &amp; escaped&gt;</p>"))
            #expect(received.contains("<footer>After</footer></body></html>"))
            await client.close()
        }
    }
}
