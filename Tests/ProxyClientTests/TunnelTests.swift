import HTTPCore
import HTTPTypes
import ProxyClient
import TandemTesting
import Testing

/// Answers `Upgrade: echo` with 101 and echoes raw bytes; anything else is a plain 200.
func echoTunnel(_ probe: Probe) -> HandlerFunction {
    HandlerFunction { request, _ in
        guard request.headers[.upgrade] != nil else { return .text("plain") }
        return Response(
            status: .switchingProtocols,
            headers: [.upgrade: request.headers[.upgrade]!, .connection: "Upgrade"],
            body: .upgrade { connection in
                for try await bytes in connection.inbound { try await connection.outbound.write(bytes) }
                probe.add("tunnelClosed")
            }
        )
    }
}

let upgradeRequest = "GET /live HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n"

@Suite("Upgrade tunnels")
struct TunnelTests {
    @Test("the server switches protocols: 101, then raw bytes both ways, including bytes sent behind the request")
    func serverUpgrade() async throws {
        let probe = Probe()
        try await withTestServer(echoTunnel(probe)) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send(upgradeRequest + "early")
            let head = try await client.readResponse(bodyless: true)
            #expect(head.status == 101)
            #expect(head.header("upgrade") == "websocket")
            #expect(try await client.readBytes(count: 5) == "early")
            try await client.send("ping")
            #expect(try await client.readBytes(count: 4) == "ping")
            await client.close()
            let deadline = ContinuousClock.now + .seconds(10)
            while probe["tunnelClosed"] == 0 && ContinuousClock.now < deadline { await Task.yield() }
            #expect(probe["tunnelClosed"] == 1)
        }
    }

    @Test("an upgrade request answered without 101 gets its response and a closed connection")
    func refusedUpgrade() async throws {
        let refusing = HandlerFunction { _, _ in .text("no upgrade here") }
        try await withTestServer(refusing) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send(upgradeRequest)
            let response = try await client.readResponse()
            #expect(response.status == 200)
            #expect(response.header("connection") == "close")
            #expect(await client.isClosedByServer())
        }
    }

    @Test("WebSocket-style upgrades are tunnelled through the proxy byte for byte until either side closes")
    func proxiedUpgrade() async throws {
        let probe = Probe()
        try await withTestServer(echoTunnel(probe)) { upstreamPort in
            let proxy = try ReverseProxy(to: "http://127.0.0.1:\(upstreamPort)")
            try await withTestServer(proxy) { port in
                let client = try await RawHTTPClient.connect(port: port)
                try await client.send(upgradeRequest + "hello")
                let head = try await client.readResponse(bodyless: true)
                #expect(head.status == 101)
                #expect(head.header("upgrade") == "websocket")
                #expect(head.header("connection")?.lowercased() == "upgrade")
                #expect(try await client.readBytes(count: 5) == "hello")
                for index in 0..<50 {
                    let message = "message \(index);"
                    try await client.send(message)
                    #expect(try await client.readBytes(count: message.utf8.count) == message)
                }
                await client.close()
                let deadline = ContinuousClock.now + .seconds(10)
                while probe["tunnelClosed"] == 0 && ContinuousClock.now < deadline { await Task.yield() }
                #expect(probe["tunnelClosed"] == 1, "closing the client closed the upstream side too")
                // Plain requests still work through the same proxy.
                let plain = try await RawHTTPClient.connect(port: port)
                try await plain.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try await plain.readResponse().text == "plain")
                await plain.close()
            }
        }
    }
}
