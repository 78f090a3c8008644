import CookieAuth
import Foundation
import HTTPCore
import HTTPTypes
import TandemTesting
import Testing

@Suite("CORS")
struct CORSMiddlewareTests {
    static let allowed = "https://app.example.com"

    /// An API behind `cors` (and, when given, CSRF protection inside it); `calls` counts what reached the handler.
    func withAPI(
        _ configuration: CORSMiddleware.Configuration,
        csrf: Bool = false,
        _ body: (_ port: Int, _ calls: Probe) async throws -> Void
    ) async throws {
        let calls = Probe()
        let api = HandlerFunction { request, _ in
            calls.add(request.method.rawValue)
            return .text("done")
        }
        let cors = CORSMiddleware(configuration)
        if csrf {
            let tokens = CSRFTokens(keys: try KeyRing(keys: [Array(repeating: 3, count: 32)]))
            let stack = api.wrapped(in: CSRFMiddleware(tokens: tokens, allowedOrigins: configuration.exactOrigins)).wrapped(in: cors)
            try await withTestServer(stack) { port in try await body(port, calls) }
        } else {
            try await withTestServer(api.wrapped(in: cors)) { port in try await body(port, calls) }
        }
    }

    func send(_ port: Int, _ method: String, _ headers: [String]) async throws -> RawHTTPResponse {
        var request = "\(method) /api/items HTTP/1.1\r\nHost: api.example.com\r\n"
        for header in headers { request += header + "\r\n" }
        if method == "POST" { request += "Content-Length: 0\r\n" }
        return try await RawHTTPClient.roundTrip(port: port, request + "\r\n")
    }

    func varies(_ response: RawHTTPResponse) -> Set<String> {
        Set(response.headers("vary").flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() } })
    }

    @Test("an allowed preflight is answered here with methods, headers, max-age and credentials; the handler never runs")
    func preflight() async throws {
        try await self.withAPI(try .init(origins: [Self.allowed], allowsCredentials: true)) { port, calls in
            let answer = try await self.send(
                port,
                "OPTIONS",
                [
                    "Origin: \(Self.allowed)", "Access-Control-Request-Method: PUT",
                    "Access-Control-Request-Headers: content-type, X-CSRF-Token",
                ]
            )
            #expect(answer.status == 204)
            #expect(answer.header("access-control-allow-origin") == Self.allowed)
            #expect(answer.header("access-control-allow-methods")?.contains("PUT") == true)
            #expect(answer.header("access-control-allow-headers")?.lowercased().contains("x-csrf-token") == true)
            #expect(answer.header("access-control-allow-credentials") == "true")
            #expect(answer.header("access-control-max-age") == "600")
            #expect(self.varies(answer).isSuperset(of: ["origin", "access-control-request-method", "access-control-request-headers"]))
            #expect(calls["OPTIONS"] == 0)
        }
    }

    @Test("preflights for another origin, method or header are 403 with no CORS headers and no side effects")
    func refusedPreflights() async throws {
        try await self.withAPI(try .init(origins: [Self.allowed], allowsCredentials: true)) { port, calls in
            let cases: [[String]] = [
                ["Origin: https://evil.example", "Access-Control-Request-Method: POST"],
                ["Origin: null", "Access-Control-Request-Method: POST"],
                ["Origin: \(Self.allowed)", "Access-Control-Request-Method: PROPFIND"],
                ["Origin: \(Self.allowed)", "Access-Control-Request-Method: POST", "Access-Control-Request-Headers: content-type, x-evil"],
                ["Origin: \(Self.allowed).evil.example", "Access-Control-Request-Method: GET"],
                ["Origin: http://app.example.com", "Access-Control-Request-Method: GET"],
            ]
            for headers in cases {
                let answer = try await self.send(port, "OPTIONS", headers)
                #expect(answer.status == 403, "\(headers)")
                #expect(answer.header("access-control-allow-origin") == nil)
                #expect(answer.header("access-control-allow-credentials") == nil)
                #expect(self.varies(answer).contains("origin"))
            }
            #expect(calls["OPTIONS"] == 0)
        }
    }

    @Test("requests from an allowed origin can be read (origin echoed, credentials, exposed headers); others are served unreadable")
    func actualRequests() async throws {
        try await self.withAPI(try .init(origins: [Self.allowed], allowsCredentials: true)) { port, calls in
            let allowed = try await self.send(port, "GET", ["Origin: \(Self.allowed)"])
            #expect(allowed.status == 200)
            #expect(allowed.header("access-control-allow-origin") == Self.allowed)
            #expect(allowed.header("access-control-allow-credentials") == "true")
            #expect(allowed.header("access-control-expose-headers") == "X-Request-ID")
            #expect(self.varies(allowed) == ["origin"])
            let other = try await self.send(port, "GET", ["Origin: https://evil.example"])
            #expect(other.status == 200)
            #expect(other.header("access-control-allow-origin") == nil)
            #expect(self.varies(other) == ["origin"])
            let sameOrigin = try await self.send(port, "GET", [])
            #expect(sameOrigin.header("access-control-allow-origin") == nil)
            #expect(self.varies(sameOrigin) == ["origin"])
            // A plain OPTIONS (no Access-Control-Request-Method) is no preflight: the handler answers it.
            _ = try await self.send(port, "OPTIONS", ["Origin: \(Self.allowed)"])
            #expect(calls["GET"] == 3 && calls["OPTIONS"] == 1)
        }
    }

    @Test("a wildcard label matches subdomains at any depth, on the same scheme and port, and nothing else")
    func patterns() async throws {
        let configuration = try CORSMiddleware.Configuration(origins: ["https://*.preview.example.com", "http://localhost:5173"])
        let cors = CORSMiddleware(configuration)
        for origin in [
            "https://a.preview.example.com", "https://x-1.b.preview.example.com", "HTTPS://A.Preview.Example.com:443",
            "http://localhost:5173",
        ] {
            #expect(cors.allows(origin), "\(origin)")
        }
        for origin in [
            "https://preview.example.com", "http://a.preview.example.com", "https://a.preview.example.com:8443",
            "https://evilpreview.example.com", "https://a.preview.example.com.evil.com", "https://a.preview.example.com/path",
            "https://user@a.preview.example.com", "http://localhost:5174", "http://localhost", "null", "", "https://.preview.example.com",
        ] {
            #expect(!cors.allows(origin), "\(origin)")
        }
    }

    @Test("browser-extension and app origins (any scheme://host[:port]) are origins; wildcards stay http(s)")
    func otherSchemes() async throws {
        let extensions = [
            "chrome-extension://abcdefghijklmnop", "moz-extension://6f3b2f3e-5a1c-4d1e-9a77-0c1f2a3b4c5d",
            "safari-web-extension://e2a1c9f0", "capacitor://localhost", "tauri://localhost", "app+dev.1://host:8080",
        ]
        let configuration = try CORSMiddleware.Configuration(origins: extensions)
        let cors = CORSMiddleware(configuration)
        for origin in extensions { #expect(cors.allows(origin), "\(origin)") }
        #expect(cors.allows("Chrome-Extension://ABCDEFGHIJKLMNOP"))
        for origin in [
            "chrome-extension://another", "moz-extension://abcdefghijklmnop", "https://abcdefghijklmnop", "capacitor://localhost:1",
            "chrome-extension://abcdefghijklmnop/page.html", "app+dev.1://host", "app+dev.1://host:8081",
        ] {
            #expect(!cors.allows(origin), "\(origin)")
        }
        try await self.withAPI(configuration) { port, _ in
            let answer = try await self.send(port, "GET", ["Origin: chrome-extension://abcdefghijklmnop"])
            #expect(answer.header("access-control-allow-origin") == "chrome-extension://abcdefghijklmnop")
        }
        for invalid in ["chrome-extension://*.abc", "1app://host", "ap p://host", "://host", "chrome-extension://"] {
            #expect(throws: CORSConfigurationError.self, "\(invalid)") { try CORSMiddleware.Configuration(origins: [invalid]) }
        }
    }

    @Test("any origin means `*` without Vary; credentials are never combined with it; malformed origins are refused")
    func anyOrigin() async throws {
        try await self.withAPI(try .init(anyOrigin: true)) { port, _ in
            let answer = try await self.send(port, "GET", ["Origin: https://anyone.example"])
            #expect(answer.header("access-control-allow-origin") == "*")
            #expect(answer.header("access-control-allow-credentials") == nil)
            #expect(self.varies(answer).isEmpty)
        }
        #expect(throws: CORSConfigurationError.self) { try CORSMiddleware.Configuration(anyOrigin: true, allowsCredentials: true) }
        #expect(throws: CORSConfigurationError.self) { try CORSMiddleware.Configuration(origins: ["app.example.com"]) }
        #expect(throws: CORSConfigurationError.self) { try CORSMiddleware.Configuration(origins: ["https://a.*.example.com"]) }
        #expect(throws: CORSConfigurationError.self) { try CORSMiddleware.Configuration(origins: ["https://example.com/path"]) }
    }

    @Test("with CSRF protection inside: a credentialed post from an allowed origin passes both, from another origin CSRF refuses it")
    func withCSRF() async throws {
        try await self.withAPI(try .init(origins: [Self.allowed], allowsCredentials: true), csrf: true) { port, calls in
            let preflight = try await self.send(
                port,
                "OPTIONS",
                ["Origin: \(Self.allowed)", "Access-Control-Request-Method: POST", "Access-Control-Request-Headers: content-type"]
            )
            #expect(preflight.status == 204)
            let allowed = try await self.send(port, "POST", ["Origin: \(Self.allowed)", "Cookie: access_token=t"])
            #expect(allowed.status == 200)
            #expect(allowed.header("access-control-allow-origin") == Self.allowed)
            let forged = try await self.send(port, "POST", ["Origin: https://evil.example", "Cookie: access_token=t"])
            #expect(forged.status == 403)
            #expect(forged.header("access-control-allow-origin") == nil)
            #expect(calls["POST"] == 1)
        }
    }
}
