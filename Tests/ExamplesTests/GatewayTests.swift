import Foundation
import HTTPCore
import HTTPTypes
import TandemTesting
import Testing

/// An upstream that answers with its name, the target it received and the forwarding headers.
func named(_ name: String) -> HandlerFunction {
    HandlerFunction { request, _ in
        let forwarded = request.headers[.init("X-Forwarded-For")!] ?? "-"
        return .text("\(name) \(request.target) xff=\(forwarded)")
    }
}

@Suite("split-services gateway (process)")
struct GatewayTests {
    @Test("routes by longest prefix to real upstreams, answers /healthz itself, normalises paths, stops on SIGTERM")
    func gateway() async throws {
        try await withTestServer(named("web")) { web in
            try await withTestServer(named("api")) { api in
                let gateway = try ServerProcess(
                    "split-services",
                    [
                        "gateway", "--port", "0", "--route", "/search/=http://127.0.0.1:\(web)",
                        "--route", "/api/=http://127.0.0.1:\(api)", "--route", "/=http://127.0.0.1:\(api)",
                    ],
                    announcing: "gateway"
                )
                let client = try await RawHTTPClient.connect(port: gateway.port)
                for (target, expected) in [
                    ("/search/?query=swift", "web /search/?query=swift xff=127.0.0.1"),
                    ("/api/search/?query=x", "api /api/search/?query=x xff=127.0.0.1"),
                    ("/about", "api /about xff=127.0.0.1"),
                    ("/search/../api/x", "api /api/x xff=127.0.0.1"),
                    ("/search/%2e%2e/api/x", "api /api/x xff=127.0.0.1"),
                ] {
                    try await client.send("GET \(target) HTTP/1.1\r\nHost: t\r\n\r\n")
                    let response = try await client.readResponse()
                    #expect(response.text == expected, "\(target)")
                    #expect(response.header("x-request-id") != nil)
                }
                try await client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try await client.readResponse().text == "ok\n")
                try await client.send("GET /search/../../etc/passwd HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try await client.readResponse().status == 400)
                #expect(try await gateway.terminate() == 0)
                #expect(await client.isClosedByServer())
            }
        }
    }

    @Test("invalid routes are refused at start with a clear message")
    func invalidRoute() async throws {
        let process = Process()
        process.executableURL = try executableURL("split-services")
        process.arguments = ["gateway", "--route", "/api/=ftp://example.com"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(message.contains("only http:// and https:// upstreams are supported"))
    }
}

@Suite(
    "gateway and a real nginx",
    .enabled(if: NginxProcess.shouldRun, "nginx is not installed (apt-get install nginx-light); required under CI")
)
struct NginxPeerTests {
    @Test("the gateway in front of nginx: static files byte for byte, forwarded headers as nginx sees them")
    func nginxUpstream() async throws {
        let size = 3 * 1024 * 1024 + 17
        let nginx = try await NginxProcess.start { port, prefix in
            try FileManager.default.createDirectory(at: prefix.appendingPathComponent("www/static"), withIntermediateDirectories: true)
            let data = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            try data.write(to: prefix.appendingPathComponent("www/static/blob.bin"))
            return """
                server {
                    listen 127.0.0.1:\(port);
                    location /static/ { root \(prefix.path)/www; }
                    location /headers { default_type text/plain; return 200 "host=$host xff=$http_x_forwarded_for realip=$http_x_real_ip proto=$http_x_forwarded_proto id=$http_x_request_id"; }
                }
                """
        }
        defer { nginx.stop() }
        let gateway = try ServerProcess(
            "split-services",
            ["gateway", "--port", "0", "--route", "/=http://127.0.0.1:\(nginx.port)"],
            announcing: "gateway"
        )
        let client = try await RawHTTPClient.connect(port: gateway.port)
        try await client.send("GET /static/blob.bin HTTP/1.1\r\nHost: files.example\r\n\r\n")
        let blob = try await client.readResponse(timeout: .seconds(30))
        #expect(blob.status == 200)
        #expect(blob.body.count == size)
        #expect(blob.body.enumerated().allSatisfy { $0.element == UInt8(truncatingIfNeeded: $0.offset &* 7) })
        #expect(blob.header("server")?.hasPrefix("nginx") == true)

        try await client.send("GET /headers HTTP/1.1\r\nHost: shop.example\r\nX-Request-ID: abc-1\r\n\r\n")
        #expect(try await client.readResponse().text == "host=shop.example xff=127.0.0.1 realip=127.0.0.1 proto=http id=abc-1")
        // Keep-alive to nginx: many requests on the gateway's pooled connections.
        for _ in 0..<20 {
            try await client.send("GET /headers HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try await client.readResponse().status == 200)
        }
        #expect(try await gateway.terminate() == 0)
    }
}
