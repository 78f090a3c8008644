import Foundation
import TandemTesting
import Testing

/// "Tandem at the edge": the example gateway and dev proxy terminating TLS themselves, as processes.
@Suite("The examples at the edge: HTTPS, HTTP/2, redirect listener, SIGHUP reload (processes)", .serialized)
struct EdgeTests {
    @Test(
        "`split-services all --tls-cert --tls-key --redirect-http-port`: pages, API and static files over HTTP/2, 308 from HTTP, SIGHUP reload"
    )
    func splitServicesAtTheEdge() async throws {
        let certificates = try await TestCertificates.make()
        let servers = try ServerProcess(
            "split-services",
            [
                "all", "--gateway-port", "0", "--web-port", "0", "--api-port", "0", "--redirect-http-port", "0",
                "--tls-cert", certificates.chain, "--tls-key", certificates.key,
            ],
            announcing: "gateway",
            "redirect"
        )
        #expect(servers.schemes["gateway"] == "https")
        #expect(servers.schemes["redirect"] == "http")
        let base = "https://localhost:\(servers.ports["gateway"] ?? 0)"

        let page = try await Self.curl("\(base)/search/?query=swift", certificates, ["--http2", "--compressed"])
        #expect(page.contains("HTTP/2 200"))
        #expect(page.lowercased().contains("content-encoding: gzip"))
        #expect(page.contains("Swift guide"))
        let api = try await Self.curl("\(base)/api/search/?query=swift", certificates, ["--http2"])
        #expect(api.contains("HTTP/2 200"))
        #expect(api.contains("\"status\":\"success\""))
        let css = try await Self.curl("\(base)/search/static/site.css", certificates, ["--http1.1"])
        #expect(css.contains("HTTP/1.1 200"))
        #expect(css.lowercased().contains("content-type: text/css"))

        let redirect = try await Self.curl("http://localhost:\(servers.ports["redirect"] ?? 0)/search/?query=swift", certificates, [])
        #expect(redirect.contains("HTTP/1.1 308"))
        #expect(redirect.contains("location: \(base)/search/?query=swift") || redirect.contains("Location: \(base)/search/?query=swift"))

        // A renewed certificate in the same files, then SIGHUP: new connections get it, the process keeps serving.
        let port = servers.ports["gateway"] ?? 0
        #expect(try await certificates.servedSubject(port: port).contains("CN = localhost"))
        try await certificates.issue(name: "renewed", commonName: "renewed.localhost")
        for (source, target) in [("renewed.pem", certificates.chain), ("renewed.key", certificates.key)] {
            try Data(contentsOf: URL(fileURLWithPath: certificates.path(source))).write(to: URL(fileURLWithPath: target), options: .atomic)
        }
        servers.signal(SIGHUP)
        let renewed = try await eventually { (try? await certificates.servedSubject(port: port))?.contains("renewed.localhost") == true }
        #expect(renewed)
        #expect(try await Self.curl("\(base)/api/search/?query=swift", certificates, ["--http2"]).contains("HTTP/2 200"))
        #expect(try await servers.terminate() == 0)
    }

    @Test("`dev-proxy --tls-cert --tls-key`: the API and the proxied pages over HTTPS and HTTP/2")
    func devProxyOverTLS() async throws {
        let certificates = try await TestCertificates.make()
        let servers = try ServerProcess(
            "dev-proxy",
            [
                "--port", "0", "--web-port", "0", "--tls-cert", certificates.chain, "--tls-key", certificates.key,
                "--upstream-ca-file", certificates.caCertificate,
            ],
            announcing: "api",
            "web"
        )
        #expect(servers.schemes["api"] == "https")
        let base = "https://localhost:\(servers.port)"
        #expect(try await Self.curl("\(base)/search/?query=swift", certificates, ["--http2"]).contains("HTTP/2 200"))
        #expect(try await Self.curl("\(base)/api/search/?query=swift", certificates, ["--http2"]).contains("HTTP/2 200"))
        #expect(try await servers.terminate() == 0)
    }

    /// `curl -i` with the test CA trusted: the response head and body as text.
    static func curl(_ url: String, _ certificates: TestCertificates, _ extra: [String]) async throws -> String {
        let result = try await ExternalTool.run(
            "curl",
            ["-sS", "-i", "--max-time", "20", "--cacert", certificates.caCertificate] + extra + [url],
            timeout: .seconds(30)
        )
        guard result.status == 0 else { throw TestCertificateError(description: "curl \(url): \(result.output)") }
        return result.output
    }
}
