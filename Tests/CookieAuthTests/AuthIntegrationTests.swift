import APIEnvelope
import CookieAuth
import HTTPCore
import HTTPTypes
import NIOCore
import ProxyClient
import Routing
import TandemTesting
import Testing

let keys = try! KeyRing(keys: [Array(repeating: 5, count: 32)])
let tokens = SignedAccessTokens(keys: keys)

/// The API: `GET /api/user/` needs a bearer token (or the access-token cookie).
func userAPI() throws -> some HTTPHandler {
    var routes = TrieRouter.Builder()
    routes.group("/api/user", middleware: [BearerAuthMiddleware(verifier: tokens, cookieName: "access_token")]) { user in
        user.get("/", handler: APIHandler { _, context in ["subject": context.identity?.subject ?? "?"] })
    }
    return try routes.build().wrapped(in: ErrorMiddleware(EnvelopeErrorRenderer()))
}

func request(_ port: Int, _ raw: String) async throws -> RawHTTPResponse {
    try await RawHTTPClient.roundTrip(port: port, raw)
}

@Suite("Bearer auth and cookie→bearer forwarding over sockets")
struct BearerAuthTests {
    @Test("401 with WWW-Authenticate without a valid token; 200 with a bearer token (any scheme case) or the cookie")
    func bearerRoute() async throws {
        let token = tokens.issue(for: Identity(subject: "ada"))
        try await withTestServer(try userAPI()) { port in
            let anonymous = try await request(port, "GET /api/user/ HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(anonymous.status == 401)
            #expect(anonymous.header("www-authenticate") == "Bearer")
            #expect(anonymous.text.hasPrefix(#"{"status":"error","data":null,"error":{"code":"unauthorized""#))
            let forged = try await request(port, "GET /api/user/ HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(token)x\r\n\r\n")
            #expect(forged.status == 401)
            #expect(forged.header("www-authenticate") == #"Bearer error="invalid_token""#)
            for scheme in ["Bearer", "bearer", "BEARER"] {
                let ok = try await request(port, "GET /api/user/ HTTP/1.1\r\nHost: t\r\nAuthorization: \(scheme) \(token)\r\n\r\n")
                #expect(ok.text == #"{"status":"success","data":{"subject":"ada"},"error":null}"#)
            }
            let viaCookie = try await request(
                port,
                "GET /api/user/ HTTP/1.1\r\nHost: t\r\nCookie: theme=dark; access_token=\(token)\r\n\r\n"
            )
            #expect(viaCookie.status == 200)
        }
    }

    @Test("requireIdentity: the identity behind optional auth, or the same 401 the middleware answers, in the envelope")
    func requireIdentity() async throws {
        var routes = TrieRouter.Builder()
        routes.group("/api/notes", middleware: [BearerAuthMiddleware(verifier: tokens, required: false)]) { notes in
            notes.get("/", handler: APIHandler { _, context in ["viewer": context.identity?.subject ?? "anonymous"] })
            notes.delete("/:id", handler: APIHandler { _, context in ["deleted_by": try context.requireIdentity().subject] })
        }
        let token = tokens.issue(for: Identity(subject: "ada"))
        try await withTestServer(try routes.build().wrapped(in: ErrorMiddleware(EnvelopeErrorRenderer()))) { port in
            let list = try await request(port, "GET /api/notes/ HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(list.text.contains(#""viewer":"anonymous""#))
            let anonymous = try await request(port, "DELETE /api/notes/1 HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(anonymous.status == 401 && anonymous.header("www-authenticate") == "Bearer")
            #expect(anonymous.text.hasPrefix(#"{"status":"error","data":null,"error":{"code":"unauthorized""#))
            let owner = try await request(port, "DELETE /api/notes/1 HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \(token)\r\n\r\n")
            #expect(owner.text == #"{"status":"success","data":{"deleted_by":"ada"},"error":null}"#)
        }
    }

    @Test("the SSR side forwards the access_token cookie as a bearer token through HTTPClient — only to internal origins")
    func forwarding() async throws {
        let token = tokens.issue(for: Identity(subject: "grace"))
        let client = HTTPClient()
        try await withTestServer(try userAPI()) { apiPort in
            let apiOrigin = "http://127.0.0.1:\(apiPort)"
            let forwarding = CookieBearerForwarding(internalOrigins: [apiOrigin])
            let elsewhere = CookieBearerForwarding(internalOrigins: ["http://api.internal:8000"])
            let web = HandlerFunction { incoming, _ in
                let rule = incoming.query["rule"] == "elsewhere" ? elsewhere : forwarding
                let response = try await client.get(apiOrigin + "/api/user/", headers: rule.headers(from: incoming, to: apiOrigin))
                return .bytes(try await response.body.collect(upTo: 1 << 16), contentType: "application/json", status: response.status)
            }
            try await withTestServer(web) { webPort in
                let forwarded = try await request(webPort, "GET /account HTTP/1.1\r\nHost: t\r\nCookie: access_token=\(token)\r\n\r\n")
                #expect(forwarded.text == #"{"status":"success","data":{"subject":"grace"},"error":null}"#)
                let notInternal = try await request(
                    webPort,
                    "GET /account?rule=elsewhere HTTP/1.1\r\nHost: t\r\nCookie: access_token=\(token)\r\n\r\n"
                )
                #expect(notInternal.status == 401, "the token was not sent to an origin outside the list")
                let signedOut = try await request(webPort, "GET /account HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(signedOut.status == 401)
            }
        }
        client.shutdown()
    }
}

@Suite("CSRF over sockets")
struct CSRFTests {
    let csrf = CSRFTokens(keys: keys)

    func app(trusted: [CIDR], checksRequestsWithoutCookies: Bool = false) throws -> some HTTPHandler {
        var routes = TrieRouter.Builder()
        routes.post("/login") { request, _ in
            let form = QueryParameters(parsing: String(buffer: try await request.body.collect(upTo: 1 << 16)))
            return .text("ok \(form["user"] ?? "-")")
        }
        return try routes.build()
            .wrapped(
                in: CSRFMiddleware(
                    tokens: self.csrf,
                    allowedOrigins: ["http://app.example"],
                    trustedProxies: trusted,
                    checksRequestsWithoutCookies: checksRequestsWithoutCookies
                )
            )
            .wrapped(in: ErrorMiddleware(PlainTextErrorRenderer()))
    }

    func post(_ headers: String, body: String = "user=ada") -> String {
        "POST /login HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\(headers)\r\n\(body)"
    }

    @Test(
        "Origin and Sec-Fetch-Site decide for browsers",
        arguments: [
            ("Host: t\r\nCookie: s=1\r\nOrigin: http://evil.example\r\n", 403),
            ("Host: t\r\nCookie: s=1\r\nOrigin: http://t\r\n", 200),
            ("Host: t:80\r\nCookie: s=1\r\nOrigin: http://t\r\n", 200),
            ("Host: t\r\nCookie: s=1\r\nOrigin: http://app.example\r\n", 200),
            ("Host: t\r\nCookie: s=1\r\nSec-Fetch-Site: same-origin\r\n", 200),
            ("Host: t\r\nCookie: s=1\r\nSec-Fetch-Site: cross-site\r\n", 403),
            ("Host: t\r\nCookie: s=1\r\nOrigin: null\r\n", 403),
            ("Host: t\r\nCookie: s=1\r\n", 403),
            ("Host: t\r\n", 200),
        ]
    )
    func browsers(headers: String, status: Int) async throws {
        try await withTestServer(try self.app(trusted: [])) { port in
            let response = try await request(port, self.post(headers))
            #expect(response.status == status)
        }
    }

    @Test(
        "Against login CSRF, requests without cookies can be checked too",
        arguments: [
            ("Host: t\r\nSec-Fetch-Site: cross-site\r\n", 403),
            ("Host: t\r\nOrigin: http://evil.example\r\n", 403),
            ("Host: t\r\n", 403),
            ("Host: t\r\nSec-Fetch-Site: same-origin\r\n", 200),
            ("Host: t\r\nOrigin: http://t\r\n", 200),
        ]
    )
    func cookieless(headers: String, status: Int) async throws {
        try await withTestServer(try self.app(trusted: [], checksRequestsWithoutCookies: true)) { port in
            let response = try await request(port, self.post(headers))
            #expect(response.status == status)
        }
        // Off by default: without cookies there is nothing to abuse.
        try await withTestServer(try self.app(trusted: [])) { port in
            let response = try await request(port, self.post(headers))
            #expect(response.status == 200)
        }
    }

    @Test("without provenance headers, the signed double-submit token decides; the handler still reads the form")
    func doubleSubmit() async throws {
        let (cookie, field) = self.csrf.issue()
        let (_, otherField) = self.csrf.issue()
        try await withTestServer(try self.app(trusted: [])) { port in
            let good = try await request(
                port,
                self.post("Host: t\r\nCookie: csrf_token=\(cookie.value)\r\n", body: "user=ada&csrf_token=\(field)")
            )
            #expect(good.status == 200)
            #expect(good.text == "ok ada")
            let header = try await request(port, self.post("Host: t\r\nCookie: csrf_token=\(cookie.value)\r\nX-CSRF-Token: \(field)\r\n"))
            #expect(header.status == 200)
            let wrong = try await request(
                port,
                self.post("Host: t\r\nCookie: csrf_token=\(cookie.value)\r\n", body: "user=ada&csrf_token=\(otherField)")
            )
            #expect(wrong.status == 403)
            let unsigned = try await request(
                port,
                self.post("Host: t\r\nCookie: csrf_token=planted\r\n", body: "user=ada&csrf_token=planted")
            )
            #expect(unsigned.status == 403)
        }
    }

    @Test("behind a proxy: X-Forwarded-Host/-Proto count from a trusted proxy, and only from it")
    func behindProxy() async throws {
        let forwarded =
            "Host: app-internal:8000\r\nCookie: s=1\r\nOrigin: https://shop.example\r\nX-Forwarded-Host: shop.example\r\nX-Forwarded-Proto: https\r\n"
        try await withTestServer(try self.app(trusted: [try CIDR("127.0.0.0/8")])) { port in
            let response = try await request(port, self.post(forwarded))
            #expect(response.status == 200)
        }
        try await withTestServer(try self.app(trusted: [])) { port in
            let response = try await request(port, self.post(forwarded))
            #expect(response.status == 403, "forwarded headers from an untrusted peer are not believed")
        }
        // And through a real ReverseProxy that rewrites Host to the upstream's: its X-Forwarded-Host carries the browser's.
        try await withTestServer(try self.app(trusted: [try CIDR("127.0.0.1")])) { appPort in
            let proxy = try ReverseProxy(to: "http://127.0.0.1:\(appPort)", configuration: .init(host: .upstream))
            try await withTestServer(proxy) { port in
                let response = try await request(
                    port,
                    self.post("Host: public.example:8080\r\nCookie: s=1\r\nOrigin: http://public.example:8080\r\n")
                )
                #expect(response.status == 200)
                #expect(response.text == "ok ada")
            }
        }
    }
}
