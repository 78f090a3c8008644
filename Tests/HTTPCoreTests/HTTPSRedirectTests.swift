import HTTPCore
import TandemTesting
import Testing

@Suite("HTTPSRedirect: the plain listener beside a TLS one")
struct HTTPSRedirectTests {
    @Test("308 to https with the same host, path and query; the port only when it is not 443")
    func redirects() async throws {
        try await withTestServer(HTTPSRedirect(httpsPort: 8443)) { port in
            let answer = try await RawHTTPClient.roundTrip(
                port: port,
                "GET /search/?query=a%20b HTTP/1.1\r\nHost: example.com:8080\r\n\r\n"
            )
            #expect(answer.status == 308)
            #expect(answer.header("location") == "https://example.com:8443/search/?query=a%20b")
            let ipv6 = try await RawHTTPClient.roundTrip(port: port, "POST /x HTTP/1.1\r\nHost: [::1]:8080\r\nContent-Length: 0\r\n\r\n")
            #expect(ipv6.header("location") == "https://[::1]:8443/x")
        }
        try await withTestServer(HTTPSRedirect()) { port in
            let answer = try await RawHTTPClient.roundTrip(port: port, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
            #expect(answer.header("location") == "https://example.com/")
        }
    }

    @Test(
        "A missing or malformed Host gets 400, never a redirect elsewhere",
        arguments: ["", "Host: evil.com/x\r\n", "Host: a b\r\n", "Host: [zz]\r\n"]
    )
    func badHost(host: String) async throws {
        try await withTestServer(HTTPSRedirect()) { port in
            let answer = try await RawHTTPClient.roundTrip(port: port, "GET / HTTP/1.1\r\n\(host)Connection: close\r\n\r\n")
            #expect(answer.status == 400)
            #expect(answer.header("location") == nil)
        }
    }
}
