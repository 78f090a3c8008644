import Foundation
import HTTPCore
import HTTPTypes
import TandemTesting
import Testing

@Suite("dev-proxy (processes)")
struct DevProxyTests {
    @Test("`dev-proxy` serves the API itself and the pages through the in-process web server; every route works")
    func withWeb() async throws {
        let servers = try ServerProcess("dev-proxy", ["--port", "0", "--web-port", "0"], announcing: "api", "web")
        try await SearchAppFlow.everyRoute(port: servers.port)
        // Unknown API paths stay API answers; they are not sent to the page server.
        let unknown = try await SearchAppFlow.send(servers.port, "/api/nope/")
        #expect(unknown.status == 404 && unknown.header("content-type") == "application/json")
        #expect(try await servers.terminate() == 0)
    }

    @Test(
        "With an external web server: 503 `SSR server not running` until it runs, pages once it does, 503 again when it dies, recovery on restart"
    )
    func externalWeb() async throws {
        let webPort = try await freePort()
        let proxy = try ServerProcess("dev-proxy", ["--port", "0", "--web-url", "http://127.0.0.1:\(webPort)"], announcing: "api")
        let port = proxy.port
        func expectUnavailable() async throws {
            let response = try await SearchAppFlow.send(port, "/search/?query=swift")
            #expect(response.status == 503)
            #expect(response.header("content-type") == "text/plain; charset=utf-8")
            #expect(response.text == "SSR server not running")
            #expect(try await SearchAppFlow.send(port, "/api/search/?query=swift").status == 200)
        }
        try await expectUnavailable()

        var web = try ServerProcess(
            "split-services",
            ["web", "--port", String(webPort), "--api", "http://127.0.0.1:\(port)"],
            announcing: "web"
        )
        #expect(try await eventually { (try? await SearchAppFlow.send(port, "/search/?query=swift").status) == 200 })
        try await SearchAppFlow.everyRoute(port: port)

        try await web.kill()
        try await expectUnavailable()

        web = try ServerProcess(
            "split-services",
            ["web", "--port", String(webPort), "--api", "http://127.0.0.1:\(port)"],
            announcing: "web"
        )
        #expect(try await eventually { (try? await SearchAppFlow.send(port, "/search/?query=swift").status) == 200 })
        #expect(try await web.terminate() == 0)
        #expect(try await proxy.terminate() == 0)
    }

    @Test("WebSocket upgrades to the page server are tunnelled through the dev proxy (live reload)")
    func webSocket() async throws {
        let echo = HandlerFunction { request, _ in
            guard request.headers[.upgrade] != nil else { return .text("plain") }
            return Response(
                status: .switchingProtocols,
                headers: [.upgrade: "websocket", .connection: "Upgrade"],
                body: .upgrade { connection in
                    for try await bytes in connection.inbound { try await connection.outbound.write(bytes) }
                }
            )
        }
        try await withTestServer(echo) { webPort in
            let proxy = try ServerProcess(
                "dev-proxy",
                ["--port", "0", "--no-web", "--web-url", "http://127.0.0.1:\(webPort)"],
                announcing: "api"
            )
            let client = try await RawHTTPClient.connect(port: proxy.port)
            try await client.send(
                "GET /_next/webpack-hmr HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n"
            )
            let head = try await client.readResponse(bodyless: true)
            #expect(head.status == 101)
            #expect(head.header("upgrade") == "websocket")
            try await client.send("reload?")
            #expect(try await client.readBytes(count: 7) == "reload?")
            try await client.send("again")
            #expect(try await client.readBytes(count: 5) == "again")
            await client.close()
            #expect(try await proxy.terminate() == 0)
        }
    }
}
