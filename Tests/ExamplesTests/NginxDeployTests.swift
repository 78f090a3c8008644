import APIEnvelope
import Foundation
import TandemTesting
import Testing

/// `Examples/Deploy/NAME`, as shipped (`nginx.conf` by default).
func deployNginxConf(_ name: String = "nginx.conf") throws -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return try String(contentsOf: root.appendingPathComponent("Examples/Deploy/\(name)"), encoding: .utf8)
}

/// A shipped configuration for the test's nginx: the container names become loopback ports, the Docker DNS lines
/// (nginx ≥ 1.27.3 and Docker) go.
func localNginxConf(_ shipped: String, web: Int, api: Int) -> String {
    shipped
        .split(separator: "\n", omittingEmptySubsequences: false)
        .filter { !$0.hasPrefix("resolver ") }
        .joined(separator: "\n")
        .replacingOccurrences(of: "server web:3000 resolve;", with: "server 127.0.0.1:\(web);")
        .replacingOccurrences(of: "server api:8000 resolve;", with: "server 127.0.0.1:\(api);")
}

@Suite(
    "Examples/Deploy/nginx.conf in front of the split services (processes)",
    .enabled(if: NginxProcess.shouldRun, "nginx is not installed (apt-get install nginx-light); required under CI")
)
struct NginxDeployTests {
    @Test("The shipped nginx.conf, with ports substituted, serves pages, API and sign-in → account through a real nginx")
    func nginxInFront() async throws {
        let api = try ServerProcess("split-services", ["api", "--port", "0"], announcing: "api")
        let web = try ServerProcess("split-services", ["web", "--port", "0", "--api", "http://127.0.0.1:\(api.port)"], announcing: "web")
        let shipped = try deployNginxConf()
        let nginx = try await NginxProcess.start { port, _ in
            localNginxConf(shipped, web: web.port, api: api.port).replacingOccurrences(of: "listen 80;", with: "listen 127.0.0.1:\(port);")
        }
        defer { nginx.stop() }
        #expect(shipped.contains("location /search/") && shipped.contains("location /api/") && shipped.contains("location / "))
        #expect(shipped.contains("keepalive 32;") && shipped.contains("proxy_set_header X-Real-IP $remote_addr;"))

        let page = try await SearchAppFlow.send(nginx.port, "/search/?query=swift")
        #expect(page.header("server")?.hasPrefix("nginx") == true)
        try await SearchAppFlow.everyRoute(port: nginx.port)

        // nginx passes its request id through to both servers.
        let api404 = try await SearchAppFlow.send(nginx.port, "/api/none/")
        #expect(api404.status == 404)
        #expect(SearchAppFlow.apiError(api404)?.requestID?.count == 32)

        #expect(try await web.terminate() == 0)
        #expect(try await api.terminate() == 0)
    }

    @Test("nginx at the edge with HTTPS (nginx-tls.conf): HTTP/2 pages and API through a real nginx, 308 from port 80")
    func nginxTLSInFront() async throws {
        let api = try ServerProcess("split-services", ["api", "--port", "0", "--secure-cookies"], announcing: "api")
        let web = try ServerProcess(
            "split-services",
            ["web", "--port", "0", "--api", "http://127.0.0.1:\(api.port)", "--secure-cookies"],
            announcing: "web"
        )
        let certificates = try await TestCertificates.make()
        let shipped = try deployNginxConf("nginx-tls.conf")
        #expect(shipped.contains("listen 443 ssl http2;") && shipped.contains("return 308 https://$host$request_uri;"))
        // The plain listener on a Unix socket in nginx's folder: a second TCP port could be taken by another test.
        let nginx = try await NginxProcess.start { port, prefix in
            localNginxConf(shipped, web: web.port, api: api.port)
                .replacingOccurrences(of: "listen 443 ssl http2;", with: "listen 127.0.0.1:\(port) ssl http2;")
                .replacingOccurrences(of: "listen 80;", with: "listen unix:\(prefix.path)/plain.sock;")
                .replacingOccurrences(of: "/etc/letsencrypt/live/example.com/fullchain.pem", with: certificates.chain)
                .replacingOccurrences(of: "/etc/letsencrypt/live/example.com/privkey.pem", with: certificates.key)
        }
        defer { nginx.stop() }
        let base = "https://localhost:\(nginx.port)"
        let page = try await EdgeTests.curl("\(base)/search/?query=swift", certificates, ["--http2", "--compressed"])
        #expect(page.contains("HTTP/2 200"))
        #expect(page.contains("server: nginx"))
        #expect(page.contains("Swift guide"))
        let apiAnswer = try await EdgeTests.curl("\(base)/api/search/?query=swift", certificates, ["--http2"])
        #expect(apiAnswer.contains("HTTP/2 200") && apiAnswer.contains("\"status\":\"success\""))
        let socket = nginx.prefix.appendingPathComponent("plain.sock").path
        let redirect = try await EdgeTests.curl("http://localhost/search/?query=swift", certificates, ["--unix-socket", socket])
        #expect(redirect.contains(" 308 "))
        #expect(redirect.contains("Location: https://localhost/search/?query=swift"))
        #expect(try await web.terminate() == 0)
        #expect(try await api.terminate() == 0)
    }
}
