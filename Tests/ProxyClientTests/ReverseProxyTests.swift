import HTTPCore
import HTTPTypes
import Logging
import NIOCore
import ProxyClient
import Routing
import Synchronization
import TandemTesting
import Testing

/// An upstream that describes what it received: method, target and every header, one per line.
let echoUpstream = HandlerFunction { request, _ in
    var lines = ["\(request.method.rawValue) \(request.target)"]
    for field in request.headers { lines.append("\(field.name.canonicalName.lowercased()): \(field.value)") }
    if let host = request.head.authority { lines.append("host: \(host)") }
    let body = try await request.body.collect(upTo: .max)
    if body.readableBytes > 0 { lines.append("body: \(String(buffer: body))") }
    var response = Response.text(lines.joined(separator: "\n"))
    response.headers.append(HTTPField(name: .setCookie, value: "a=1; Path=/"))
    response.headers.append(HTTPField(name: .setCookie, value: "b=2; Path=/"))
    response.headers.append(HTTPField(name: .setCookie, value: "c=3; Path=/"))
    response.headers[.connection] = "X-Hop"
    response.headers[HTTPField.Name("X-Hop")!] = "must not pass"
    response.headers[HTTPField.Name("Keep-Alive")!] = "timeout=5"
    response.headers[.proxyAuthenticate] = "Basic"
    return response
}

/// Runs an upstream and a proxy in front of it; `body` gets the proxy's port.
func withProxy<Upstream: HTTPHandler>(
    upstream: Upstream,
    configuration: ReverseProxy.Configuration = .init(),
    wrap: @escaping @Sendable (ReverseProxy) -> AnyHTTPHandler = { AnyHTTPHandler($0.wrapped(in: RequestIDMiddleware())) },
    _ body: (_ proxyPort: Int, _ upstreamPort: Int) async throws -> Void
) async throws {
    try await withTestServer(upstream) { upstreamPort in
        let proxy = try ReverseProxy(to: "http://127.0.0.1:\(upstreamPort)", configuration: configuration)
        try await withTestServer(wrap(proxy)) { proxyPort in
            try await body(proxyPort, upstreamPort)
        }
    }
}

func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

@Suite("ReverseProxy headers")
struct ReverseProxyHeaderTests {
    @Test("preserves Host, sets X-Real-IP and X-Forwarded-*, passes the request id, keeps method, target and body")
    func forwardedHeaders() async throws {
        try await withProxy(upstream: echoUpstream) { port, _ in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send(
                "POST /api/x?q=1 HTTP/1.1\r\nHost: shop.example\r\nX-Request-ID: rid-42\r\nContent-Length: 5\r\n\r\nhello"
            )
            let response = try await client.readResponse()
            let seen = lines(response.text)
            #expect(seen.first == "POST /api/x?q=1")
            #expect(seen.contains("host: shop.example"))
            #expect(seen.contains("x-real-ip: 127.0.0.1"))
            #expect(seen.contains("x-forwarded-for: 127.0.0.1"))
            #expect(seen.contains("x-forwarded-proto: http"))
            #expect(seen.contains("x-forwarded-host: shop.example"))
            #expect(seen.contains("x-request-id: rid-42"))
            #expect(seen.contains("body: hello"))
            #expect(response.header("x-request-id") == "rid-42")
            await client.close()
        }
    }

    @Test("removes hop-by-hop headers both ways and keeps repeated Set-Cookie fields in order")
    func hopByHop() async throws {
        try await withProxy(upstream: echoUpstream) { port, _ in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send(
                "GET / HTTP/1.1\r\nHost: t\r\nConnection: keep-alive, X-Secret\r\nX-Secret: token\r\nKeep-Alive: timeout=9\r\n"
                    + "TE: trailers\r\nProxy-Authorization: Basic abc\r\nProxy-Connection: keep-alive\r\nUpgrade: h2c\r\nTrailer: X\r\n\r\n"
            )
            let response = try await client.readResponse()
            let seen = lines(response.text).map { $0.split(separator: ":").first.map(String.init) ?? "" }
            for name in ["x-secret", "keep-alive", "te", "proxy-authorization", "proxy-connection", "upgrade", "trailer", "connection"] {
                #expect(!seen.contains(name), "\(name) reached the upstream")
            }
            #expect(response.headers("set-cookie") == ["a=1; Path=/", "b=2; Path=/", "c=3; Path=/"])
            #expect(response.header("x-hop") == nil)
            #expect(response.header("keep-alive") == nil)
            #expect(response.header("proxy-authenticate") == nil)
            await client.close()
        }
    }

    @Test("incoming forwarded headers are replaced unless the peer is a trusted proxy")
    func trustedProxies() async throws {
        let spoofed =
            "GET / HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 6.6.6.6\r\nX-Real-IP: 6.6.6.6\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil\r\nForwarded: for=6.6.6.6\r\n\r\n"
        try await withProxy(upstream: echoUpstream) { port, _ in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send(spoofed)
            let seen = lines(try await client.readResponse().text)
            #expect(seen.contains("x-forwarded-for: 127.0.0.1"))
            #expect(seen.contains("x-real-ip: 127.0.0.1"))
            #expect(seen.contains("x-forwarded-proto: http"))
            #expect(seen.contains("x-forwarded-host: t"))
            #expect(!seen.contains { $0.hasPrefix("forwarded:") })
            await client.close()
        }
        let trusting = ReverseProxy.Configuration(trustedProxies: [try CIDR("127.0.0.0/8")], addForwardedHeader: true)
        try await withProxy(upstream: echoUpstream, configuration: trusting) { port, _ in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send(spoofed)
            let seen = lines(try await client.readResponse().text)
            #expect(seen.contains("x-forwarded-for: 6.6.6.6, 127.0.0.1"))
            #expect(seen.contains("x-real-ip: 6.6.6.6"))
            #expect(seen.contains("x-forwarded-proto: https"))
            #expect(seen.contains("x-forwarded-host: evil"))
            #expect(seen.contains(#"forwarded: for=6.6.6.6, for=127.0.0.1;proto=http;host="t""#))
            await client.close()
        }
    }

    @Test("redirects pass through; Location on the upstream's origin is rewritten to the client's")
    func redirects() async throws {
        let upstreamPort = Atomic<Int>(0)
        let redirecting = HandlerFunction { request, _ in
            let own = "http://127.0.0.1:\(upstreamPort.load(ordering: .relaxed))"
            let location = request.path == "/own" ? own + "/next?x=1" : "https://elsewhere.example/"
            return Response(status: .found, headers: [.location: location])
        }
        try await withTestServer(redirecting) { port in
            upstreamPort.store(port, ordering: .relaxed)
            let proxy = try ReverseProxy(to: "http://127.0.0.1:\(port)")
            try await withTestServer(proxy) { proxyPort in
                let client = try await RawHTTPClient.connect(port: proxyPort)
                try await client.send("GET /own HTTP/1.1\r\nHost: public.example:8080\r\n\r\n")
                let own = try await client.readResponse()
                #expect(own.status == 302)
                #expect(own.header("location") == "http://public.example:8080/next?x=1")
                try await client.send("GET /away HTTP/1.1\r\nHost: public.example:8080\r\n\r\n")
                #expect(try await client.readResponse().header("location") == "https://elsewhere.example/")
                await client.close()
            }
        }
    }

    @Test("a chunked body that grows past the proxy's limit is 413, not an upstream failure")
    func chunkedBodyLimit() async throws {
        try await withTestServer(echoUpstream) { upstreamPort in
            let proxy = try ReverseProxy(
                to: "http://127.0.0.1:\(upstreamPort)",
                configuration: .init(maxBodyBytes: 100, upstream: .init(maxFailures: 1))
            )
            try await withTestServer(proxy.wrapped(in: ErrorMiddleware(PlainTextErrorRenderer()))) { port in
                let client = try await RawHTTPClient.connect(port: port)
                let chunk = String(repeating: "x", count: 80)
                try await client.send(
                    "POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n\(chunk)\r\n50\r\n\(chunk)\r\n0\r\n\r\n"
                )
                #expect(try await client.readResponse().status == 413)
                await client.close()
                // The upstream was not marked down by the client's mistake.
                let next = try await RawHTTPClient.connect(port: port)
                try await next.send("GET /ok HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try await next.readResponse().status == 200)
                await next.close()
            }
        }
    }

    @Test("a body over the limit is refused with 413 before anything reaches the upstream")
    func bodyLimit() async throws {
        let upstream = try await ScriptedUpstream { _, _ in .respond("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n") }
        let proxy = try ReverseProxy(to: upstream.url, configuration: .init(maxBodyBytes: 100))
        try await withTestServer(proxy) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 101\r\n\r\n")
            #expect(try await client.readResponse().status == 413)
            await client.close()
        }
        #expect(upstream.received.isEmpty)
        await upstream.close()
    }
}
