import HTTPCore
import HTTPTypes
import NIOCore
import TandemTesting
import Testing

/// The connection handler's defences over real sockets: what a hostile or broken client can make a server
/// hold, and for how long. After each one the server still answers.
@Suite("HTTPConnectionHandler under hostile input")
struct HTTPConnectionHandlerTests {
    /// A fresh connection still gets an answer: the server survived.
    static func expectServing(_ port: Int) async throws {
        let response = try await RawHTTPClient.roundTrip(port: port, "GET /hello?n=ok HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(response.text == "hello ok")
    }

    static let junk = ByteBuffer(repeating: UInt8(ascii: "j"), count: 64 << 20)

    @Test("CONNECT is refused with Connection: close, and what follows it is neither read nor kept")
    func connect() async throws {
        try await withTestServer(makeApp()) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("CONNECT 127.0.0.1:9 HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status >= 400)
            #expect(response.header("connection") == "close")
            #expect(await client.isClosedByServer())
            try await Self.expectServing(port)
        }
    }

    @Test("after an Upgrade request the server stops reading until it answers; a refusal closes the connection")
    func upgradeHoldsReads() async throws {
        let started = Signal()
        let release = Signal()
        try await withTestServer(makeApp(started: started, release: release)) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("GET /slow HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
            await started.wait()
            // 64 MB of junk: the kernel's buffers take a few MB; the server must not read (and buffer) the rest.
            let taken = await client.send(Self.junk, within: .seconds(3))
            #expect(!taken, "the server read what followed an upgrade request it had not answered")
            release.fire()
            let response = try await client.readResponse()
            #expect(response.text == "finished")
            #expect(response.header("connection") == "close", "no 101: the bytes after the request are not HTTP")
            #expect(await client.isClosedByServer())
            try await Self.expectServing(port)
        }
    }

    @Test("a client that pipelines without reading is not answered beyond what the socket takes")
    func pipelinedWithoutReading() async throws {
        let probe = Probe()
        let answer = String(repeating: "a", count: 30 * 1024)
        let app = HandlerFunction { _, _ in
            probe.add("served")
            return .text(answer)
        }
        try await withTestServer(app) { port in
            let client = try await RawHTTPClient.connect(port: port)
            let sent = try await client.pipelineWithoutReading("GET /big HTTP/1.1\r\nHost: t\r\n\r\n") { probe["served"] }
            let served = probe["served"]
            #expect(served < 2_000, "\(served) answers of 30 KB queued for a client that reads nothing")
            try await client.setReading(true)
            for _ in 0..<sent {
                #expect(try await client.readResponse(timeout: .seconds(30)).text.count == answer.count)
            }
            await client.close()
        }
    }

    @Test("more pipelined requests at once than the limit close the connection")
    func pipelineLimit() async throws {
        var configuration = HTTPServer<HandlerFunction>.Configuration(port: 0)
        configuration.limits.maxPipelinedRequests = 8
        try await withTestServer(makeApp(), configuration: configuration) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send(String(repeating: "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n", count: 200))
            #expect(await client.isClosedByServer())
            try await Self.expectServing(port)
        }
    }

    @Test("a response that ends before the request body was read closes the connection")
    func unreadBodyCloses() async throws {
        try await withTestServer(makeApp()) { port in
            let client = try await RawHTTPClient.connect(port: port)
            // /hello never reads the body; the rest of it would be taken for the next request.
            try await client.send("POST /hello?n=early HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n0123456789")
            let response = try await client.readResponse()
            #expect(response.text == "hello early")
            #expect(response.header("connection") == "close")
            #expect(await client.isClosedByServer())
        }
    }

    @Test("graceful shutdown closes connections whose requests outlive the drain deadline")
    func drainDeadline() async throws {
        let started = Signal()
        var configuration = HTTPServer<HandlerFunction>.Configuration(port: 0)
        configuration.shutdownTimeout = .milliseconds(300)
        try await withTestServer(makeApp(started: started), configuration: configuration) { port, server in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
            await started.wait()
            server.shutdownGracefully()
            #expect(await client.isClosedByServer(), "the stuck request held the shutdown")
        }
    }

    @Test("a streaming handler learns that its client went away, even while the channel looks writable")
    func producerLearnsOfClose() async throws {
        let probe = Probe()
        let trickle = HandlerFunction { _, _ in
            Response(
                body: .stream { writer in
                    do {
                        for _ in 0..<100_000 {
                            try await writer.write(ByteBuffer(string: "x"))
                            probe.add("written")
                            try await Task.sleep(for: .milliseconds(10))
                        }
                    } catch {
                        probe.add("failed")
                        throw error
                    }
                }
            )
        }
        try await withTestServer(trickle) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            _ = try await client.readBytes(count: 20)
            await client.close()
            let deadline = ContinuousClock.now + .seconds(10)
            while probe["failed"] == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(probe["failed"] == 1, "the producer went on writing \(probe["written"]) bytes into a closed connection")
        }
    }
}
