import HTTPCore
import HTTPTypes
import NIOCore
import NIOEmbedded
import ProxyClient
import Synchronization
import TandemTesting
import Testing

/// The upstream connection's handler on channels without sockets (``UpstreamHarness``): deadlines by a clock that
/// moves only when the test says, an upstream that trickles, closes or upgrades, a consumer that stops reading.
@Suite("Upstream connection handler, without sockets")
struct UpstreamConnectionHandlerTests {
    static let ok = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"

    /// Sends `GET path` on the harness's first connection and answers a head whose length is past the collect limit,
    /// so the body streams, with `first` as its first bytes; returns the connection and the body being collected.
    private static func streamedBody(
        from api: Upstream,
        on harness: UpstreamHarness,
        path: String,
        starting first: String
    ) async throws -> (UpstreamPeer, Task<ByteBuffer, any Error>) {
        async let response = api.send(.get(path), context: .test)
        let peer = try await harness.connection(0)
        _ = try await peer.request()
        try await peer.respond("HTTP/1.1 200 OK\r\ncontent-length: 1000000\r\n\r\n" + first)
        let body = try await response.body
        return (peer, Task { try await body.collect() })
    }

    @Test("the response head may take up to the response timeout; past it the call fails with a timeout and the connection closes")
    func responseHeadTimeout() async throws {
        try await UpstreamHarness.with { harness in
            let api = try harness.upstream(Upstream.Configuration(responseTimeout: .seconds(5), retryIdempotentRequests: false))
            async let first = api.send(.get("/first"), context: .test)
            let peer = try await harness.connection(0)
            #expect(try await peer.request().hasPrefix("GET /first HTTP/1.1\r\n"))
            await harness.advanceTime(by: .milliseconds(4_999))
            try await peer.respond(Self.ok)
            #expect(try await String(buffer: first.body.collect()) == "ok")
            try await waitUntilReleased(api)

            peer.clear()
            let second = Task { try await api.send(.get("/second"), context: .test) }
            #expect(try await peer.request().hasPrefix("GET /second HTTP/1.1\r\n"), "the kept-alive connection serves it")
            await harness.advanceTime(by: .seconds(5))
            let error = await #expect(throws: UpstreamError.self) { try await second.value }
            #expect(error?.isTimeout == true, "\(String(describing: error))")
            #expect(try await peer.isClosed())
            #expect(harness.opened == 1)
        }
    }

    @Test("through a gateway, an upstream that does not answer in time is 504 for the client")
    func gatewayTimeout() async throws {
        try await UpstreamHarness.with { harness in
            let api = try harness.upstream(Upstream.Configuration(responseTimeout: .seconds(5)))
            let proxy = ReverseProxy(transport: api)
            try await TestConnection.with(proxy) { client in
                try await client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
                let peer = try await harness.connection(0)
                _ = try await peer.request()
                await harness.advanceTime(by: .seconds(5))
                let answer = try await client.received { $0.contains("\r\n\r\n") }
                #expect(answer.hasPrefix("HTTP/1.1 504 "), "\(answer)")
            }
        }
    }

    @Test("through a gateway, a client body that stalls is 408 and the connection closes, whatever the upstream waits for")
    func stalledClientBody() async throws {
        try await UpstreamHarness.with { harness in
            let proxy = ReverseProxy(transport: try harness.upstream())
            var configuration = HTTPServer<ReverseProxy>.Configuration()
            configuration.requestBodyTimeout = .seconds(30)
            try await TestConnection.with(proxy, configuration: configuration) { client in
                try await client.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n0123456789abcdefghijklm")
                let peer = try await harness.connection(0)
                // Bound outside `#expect`: a closure inside `#expect(try await … { } …)` was seen called in place of
                // the next closure of this test (the `received` check below), when suites ran in parallel.
                let forwarded = try await peer.request { $0.hasSuffix("0123456789abcdefghijklm") }
                #expect(forwarded.hasPrefix("POST /upload "))
                await client.advanceTime(by: .seconds(31))
                let answer = try await client.received { $0.contains("\r\n\r\n") }
                #expect(answer.hasPrefix("HTTP/1.1 408 "), "\(answer)")
                #expect(try await client.closes())
                #expect(try await peer.isClosed(), "the upstream holds half a request: its connection goes too")
            }
        }
    }

    @Test("a body that trickles in within the per-read timeout runs until the total deadline, then fails with a timeout")
    func totalDeadline() async throws {
        try await UpstreamHarness.with { harness in
            var configuration = Upstream.Configuration(responseTimeout: .seconds(10))
            configuration.totalTimeout = .seconds(30)
            let api = try harness.upstream(configuration)
            let (peer, collected) = try await Self.streamedBody(from: api, on: harness, path: "/trickle", starting: "x")
            // A byte every 5 s: each read is well inside the 10 s per-read timeout, 25 s in all.
            for _ in 0..<5 {
                await harness.advanceTime(by: .seconds(5))
                #expect(peer.isOpen, "cut before the total deadline")
                try await peer.respond("x")
            }
            await harness.advanceTime(by: .seconds(5))
            let error = await #expect(throws: UpstreamError.self) { try await collected.value }
            #expect(error?.isTimeout == true, "\(String(describing: error))")
            #expect(try await peer.isClosed())
        }
    }

    @Test("a gap between body chunks longer than the per-read timeout fails the body with a timeout")
    func perReadBetweenChunks() async throws {
        try await UpstreamHarness.with { harness in
            let api = try harness.upstream(Upstream.Configuration(responseTimeout: .seconds(10)))
            let (peer, collected) = try await Self.streamedBody(from: api, on: harness, path: "/gap", starting: "first")
            await harness.advanceTime(by: .seconds(9))
            try await peer.respond("second")
            await harness.advanceTime(by: .seconds(10))
            let error = await #expect(throws: UpstreamError.self) { try await collected.value }
            #expect(error?.isTimeout == true, "\(String(describing: error))")
        }
    }

    @Test("an upstream that closes mid-body fails the body, never passes it off as complete; a close-delimited body ends")
    func closedMidBody() async throws {
        try await UpstreamHarness.with { harness in
            let api = try harness.upstream()
            async let cut = api.send(.get("/cut"), context: .test)
            let peer = try await harness.connection(0)
            _ = try await peer.request()
            try await peer.respond("HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n" + String(repeating: "x", count: 70_000))
            let body = try await cut.body
            await peer.close()
            let error = await #expect(throws: UpstreamError.self) { try await body.collect() }
            #expect(error?.isRetryable == false, "bytes were answered: \(String(describing: error))")

            // Without a length, the body is what came before the close: a complete answer.
            async let delimited = api.send(.get("/delimited"), context: .test)
            let second = try await harness.connection(1)
            _ = try await second.request()
            try await second.respond("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n" + String(repeating: "y", count: 70_000))
            let whole = try await delimited.body
            async let bytes = whole.collect()
            await second.close()
            #expect(try await bytes.readableBytes == 70_000)
        }
    }

    @Test("a connection closed before any response byte: a GET is retried once on a new connection, a POST fails")
    func closedBeforeResponse() async throws {
        try await UpstreamHarness.with { harness in
            let api = try harness.upstream()
            async let retried = api.send(.get("/again"), context: .test)
            let first = try await harness.connection(0)
            _ = try await first.request()
            await first.close()
            let second = try await harness.connection(1)
            #expect(try await second.request().hasPrefix("GET /again "))
            try await second.respond(Self.ok)
            #expect(try await retried.status == .ok)
            try await waitUntilReleased(api)

            second.clear()
            var post = Request(head: HTTPRequest(method: .post, scheme: nil, authority: "t", path: "/order"))
            post.headers[.contentLength] = "0"
            let refused = Task { try await api.send(post, context: .test) }
            _ = try await second.request()
            await second.close()
            let error = await #expect(throws: UpstreamError.self) { try await refused.value }
            #expect(error?.isRetryable == true, "\(String(describing: error))")
            #expect(harness.opened == 2, "the POST was not sent again")
        }
    }

    @Test("a consumer that stops reading holds the upstream's reads back, with no timeout meanwhile; reading again resumes them")
    func backPressure() async throws {
        try await UpstreamHarness.with { harness in
            var configuration = Upstream.Configuration(responseTimeout: .seconds(5))
            configuration.bodyHighWatermark = 2
            let api = try harness.upstream(configuration)
            async let response = api.send(.get("/big"), context: .test)
            let peer = try await harness.connection(0)
            _ = try await peer.request()
            // Longer than the collect limit, so the body streams; ten chunks in all.
            let chunk = String(repeating: "z", count: 10_000)
            try await peer.respond("HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n" + chunk)
            let body = try await response.body
            for _ in 0..<3 { try await peer.respond(chunk) }
            // The body buffer is over its high watermark and nobody reads it: a read the channel asks for is held.
            let before = peer.readsAtSocket
            peer.channel.read()
            await harness.loop.run()
            #expect(peer.readsAtSocket == before, "a read passed while the consumer was behind")
            // A slow client is not a slow upstream: far past the per-read timeout, the connection stays.
            await harness.advanceTime(by: .seconds(60))
            #expect(peer.isOpen)

            async let collected = body.collect()
            #expect(try await eventually { peer.readsAtSocket > before }, "reading again lets the held read through")
            for _ in 0..<6 { try await peer.respond(chunk) }
            #expect(try await collected.readableBytes == 100_000)
        }
    }

    @Test("101 Switching Protocols: the connection leaves the pool and carries raw bytes both ways, the early ones first")
    func upgrade() async throws {
        try await UpstreamHarness.with { harness in
            let api = try harness.upstream()
            var request = Request.get("/socket")
            request.headers[.upgrade] = "websocket"
            request.headers[.connection] = "upgrade"
            async let response = api.send(request, context: .test)
            let peer = try await harness.connection(0)
            #expect(try await peer.request().lowercased().contains("upgrade: websocket"))
            try await peer.respond("HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\nearly")
            let switched = try await response
            #expect(switched.status.code == 101)
            guard case .upgrade(let tunnel) = switched.body.storage else {
                Issue.record("a 101 without a tunnel")
                return
            }
            peer.clear()
            let (clientBytes, clientInput) = AsyncStream<ByteBuffer>.makeStream()
            let received = CollectedBytes()
            let client = UpgradedConnection(inbound: RequestBody(clientBytes), outbound: received)
            async let glued: Void = tunnel(client)
            #expect(try await eventually { received.text == "early" })
            clientInput.yield(ByteBuffer(string: "ping"))
            let forwarded = try await peer.request { $0 == "ping" }
            #expect(forwarded == "ping", "raw bytes, no HTTP framing")
            try await peer.respond("pong")
            #expect(try await eventually { received.text == "earlypong" })
            await peer.close()
            try await glued
            clientInput.finish()
            #expect(api.leasedConnections == 0)
            // The next request needs a connection of its own.
            async let next = api.send(.get("/after"), context: .test)
            let fresh = try await harness.connection(1)
            _ = try await fresh.request()
            try await fresh.respond(Self.ok)
            #expect(try await next.status == .ok)
        }
    }
}
