import HTTPCore
import HTTPTypes
import NIOCore
import ProxyClient
import TandemTLS
import TandemTesting
import Testing

@Suite("HTTPS upstreams: HTTPClient and ReverseProxy over TLS", .serialized)
struct UpstreamTLSTests {
    @Test("HTTPClient reaches an https:// server that chains to the given CA, with SNI and hostname checks")
    func httpClientOverTLS() async throws {
        try await withTLSServer(TLSTestHandler()) { port, _, certificates in
            var configuration = Upstream.Configuration()
            configuration.tls = try .tls(caFile: certificates.caCertificate)
            let client = HTTPClient(configuration: configuration)
            defer { client.shutdown() }
            let response = try await client.get("https://localhost:\(port)/scheme")
            #expect(response.status == .ok)
            #expect(String(buffer: try await response.body.collect(upTo: 1024)) == "https")
            // By address: the certificate names 127.0.0.1 too.
            let byAddress = try await client.get("https://127.0.0.1:\(port)/scheme")
            #expect(byAddress.status == .ok)
        }
    }

    @Test("A certificate that does not verify fails as a TLS error: untrusted CA, wrong name")
    func verificationFailures() async throws {
        try await withTLSServer(TLSTestHandler()) { port, _, certificates in
            var systemRoots = Upstream.Configuration()
            systemRoots.tls = try .tls()
            systemRoots.retryIdempotentRequests = false
            await Self.expectTLSFailure(HTTPClient(configuration: systemRoots), "https://localhost:\(port)/system-roots")

        }
        // A certificate for `localhost` alone (NIOSSL also accepts an IP address entry matching the peer).
        let certificates = try await SharedCertificates.shared.get()
        try await certificates.issue(name: "named", commonName: "localhost", subjectAltNames: "DNS:localhost")
        let named = try TLSServerContext(
            certificateChainFile: certificates.path("named.pem"),
            privateKeyFile: certificates.path("named.key")
        )
        try await withTLSServer(TLSTestHandler(), context: named) { port, _, certificates in
            var rightName = Upstream.Configuration()
            rightName.tls = try .tls(caFile: certificates.caCertificate)
            let client = HTTPClient(configuration: rightName)
            defer { client.shutdown() }
            #expect(try await client.get("https://localhost:\(port)/").status == .ok)

            var wrongName = Upstream.Configuration()
            wrongName.tls = try .tls(caFile: certificates.caCertificate, serverName: "wrong.example")
            wrongName.retryIdempotentRequests = false
            await Self.expectTLSFailure(HTTPClient(configuration: wrongName), "https://localhost:\(port)/wrong-name")
        }
    }

    @Test("An https:// upstream without TLS configured is refused when it is made")
    func httpsNeedsTLS() throws {
        #expect(throws: UpstreamURLError.self) { try Upstream("https://localhost:8443") }
        let url = try UpstreamURL("https://api.example.com/v1")
        #expect(url.port == 443)
        #expect(url.authority == "api.example.com")
        #expect(url.origin == "https://api.example.com:443")
        #expect(try UpstreamURL("http://[::1]:8080").authority == "[::1]:8080")
    }

    @Test("ReverseProxy to an https:// upstream: 200 when it verifies, 502 when it does not")
    func reverseProxyOverTLS() async throws {
        try await withTLSServer(TLSTestHandler()) { port, _, certificates in
            var trusted = ReverseProxy.Configuration()
            trusted.upstream.tls = try .tls(caFile: certificates.caCertificate)
            let good = try ReverseProxy(to: "https://localhost:\(port)", configuration: trusted)
            try await withTestServer(good) { proxyPort in
                let answer = try await RawHTTPClient.roundTrip(port: proxyPort, "GET /scheme HTTP/1.1\r\nHost: gateway\r\n\r\n")
                #expect(answer.status == 200)
                #expect(answer.text == "https")
            }
            var untrusted = ReverseProxy.Configuration()
            untrusted.upstream.tls = try .tls()
            let bad = try ReverseProxy(to: "https://localhost:\(port)", configuration: untrusted)
            try await withTestServer(bad) { proxyPort in
                let answer = try await RawHTTPClient.roundTrip(port: proxyPort, "GET /scheme HTTP/1.1\r\nHost: gateway\r\n\r\n")
                #expect(answer.status == 502)
            }
        }
    }

    static func expectTLSFailure(_ client: HTTPClient, _ url: String) async {
        defer { client.shutdown() }
        do {
            _ = try await client.get(url)
            Issue.record("\(url) answered though its certificate should not verify")
        } catch let error as UpstreamError {
            #expect(error.description.contains("TLS"), "\(error)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
