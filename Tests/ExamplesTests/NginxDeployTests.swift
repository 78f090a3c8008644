import APIEnvelope
import Foundation
import TandemTesting
import Testing

/// `Examples/Deploy/nginx.conf`, as shipped.
func deployNginxConf() throws -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return try String(contentsOf: root.appendingPathComponent("Examples/Deploy/nginx.conf"), encoding: .utf8)
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
            // The container names become loopback ports; the Docker DNS lines need nginx ≥ 1.27.3 and Docker.
            shipped
                .split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("resolver ") }
                .joined(separator: "\n")
                .replacingOccurrences(of: "server web:3000 resolve;", with: "server 127.0.0.1:\(web.port);")
                .replacingOccurrences(of: "server api:8000 resolve;", with: "server 127.0.0.1:\(api.port);")
                .replacingOccurrences(of: "listen 80;", with: "listen 127.0.0.1:\(port);")
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
}
