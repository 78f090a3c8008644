import HTTPCore
import HTTPTypes
import Logging
import NIOCore
import NIOPosix
import ProxyClient
import Synchronization
import TandemTesting
import Testing

/// A port where connections are refused: 1 is privileged and outside the ephemeral range, so no test
/// server can be given it (a bound-then-closed ephemeral port could be reused by a parallel test).
func closedPort() async throws -> Int { 1 }

func get(_ port: Int, _ path: String = "/", host: String = "t") async throws -> RawHTTPResponse {
    try await RawHTTPClient.roundTrip(port: port, "GET \(path) HTTP/1.1\r\nHost: \(host)\r\n\r\n")
}

/// For socket tests: a loaded CI machine must not turn their expected answer into a 504 (timing cases run on the
/// harness, `UpstreamHarness`, by a clock of their own).
let patient = Upstream.Configuration(connectTimeout: .seconds(10), responseTimeout: .seconds(10))

@Suite("ReverseProxy failures")
struct ReverseProxyFailureTests {
    @Test("an unreachable upstream is 502 through the mount's renderer, with the request id")
    func unreachable() async throws {
        let proxy = try ReverseProxy(to: "http://127.0.0.1:\(try await closedPort())")
        let app = proxy.wrapped(in: ErrorMiddleware(PlainTextErrorRenderer())).wrapped(in: RequestIDMiddleware())
        try await withTestServer(app) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("GET / HTTP/1.1\r\nHost: t\r\nX-Request-ID: trace-1\r\n\r\n")
            let response = try await client.readResponse(timeout: .seconds(5))
            #expect(response.status == 502)
            #expect(response.header("x-request-id") == "trace-1")
            #expect(response.text.contains("trace-1"))
            await client.close()
        }
    }

    @Test("the dev proxy's choice: 503 text/plain 'SSR server not running'")
    func unavailableText() async throws {
        let proxy = try ReverseProxy(
            to: "http://127.0.0.1:\(try await closedPort())",
            whenUnavailable: .plainText(.serviceUnavailable, "SSR server not running")
        )
        try await withTestServer(proxy) { port in
            let response = try await get(port)
            #expect(response.status == 503)
            #expect(response.header("content-type") == "text/plain; charset=utf-8")
            #expect(response.text == "SSR server not running")
        }
    }

    @Test("an upstream that dies mid-response never passes a truncated body off as complete")
    func diesMidResponse() async throws {
        // Small bodies are buffered: nothing reached the client yet, so it gets a clean 502.
        let small = try await ScriptedUpstream { _, received in
            received.hasSuffix("\r\n\r\n") ? .respondAndClose("HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\nonly ten b") : .wait
        }
        let smallProxy = try ReverseProxy(to: small.url, configuration: .init(upstream: patient))
        try await withTestServer(smallProxy) { port in
            let response = try await get(port)
            #expect(response.status == 502)
        }
        await small.close()

        // Large bodies stream: the head is already out, so the client connection is cut.
        let large = try await ScriptedUpstream { _, received in
            received.hasSuffix("\r\n\r\n")
                ? .respondAndClose("HTTP/1.1 200 OK\r\ncontent-length: 1000000\r\n\r\n" + String(repeating: "x", count: 70_000)) : .wait
        }
        let largeProxy = try ReverseProxy(to: large.url, configuration: .init(upstream: patient))
        try await withTestServer(largeProxy) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            await #expect(throws: RawHTTPClientError.self) { try await client.readResponse() }
            #expect(await client.isClosedByServer())
        }
        await large.close()
    }

    @Test("an idempotent request that failed before any response byte is retried once; a POST never")
    func retries() async throws {
        let ok = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
        // The first connection closes as soon as a request arrives; later ones answer.
        let upstream = try await ScriptedUpstream { connection, received in
            guard received.contains("\r\n\r\n") else { return .wait }
            return connection == 0 ? .close : .respond(ok)
        }
        let proxy = try ReverseProxy(to: upstream.url, configuration: .init(upstream: patient))
        try await withTestServer(proxy) { port in
            let response = try await get(port, "/idempotent")
            #expect(response.status == 200)
            #expect(upstream.received.count == 2)
        }
        await upstream.close()

        let strict = try await ScriptedUpstream { connection, received in
            guard received.contains("\r\n\r\n") else { return .wait }
            return connection == 0 ? .close : .respond(ok)
        }
        let postProxy = try ReverseProxy(to: strict.url, configuration: .init(upstream: patient))
        try await withTestServer(postProxy) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("POST /order HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
            #expect(try await client.readResponse().status == 502)
            #expect(strict.received.count == 1, "the POST reached the upstream exactly once")
            await client.close()
        }
        await strict.close()
    }
}

@Suite("ReverseProxy and a slow or early peer")
struct ReverseProxyDeadlineTests {
    @Test("an upstream that answers before the body ended: the answer reaches the client at once and both connections close")
    func earlyAnswer() async throws {
        let upstream = try await ScriptedUpstream { _, received in
            received.contains("\r\n\r\n") ? .respond("HTTP/1.1 413 Content Too Large\r\ncontent-length: 8\r\n\r\ntoo big\n") : .wait
        }
        let proxy = try ReverseProxy(to: upstream.url, configuration: .init(upstream: patient))
        try await withTestServer(proxy) { port in
            let client = try await RawHTTPClient.connect(port: port)
            // The body stalls after ten bytes: the gateway must not wait for it once the upstream has answered.
            try await client.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n0123456789")
            let response = try await client.readResponse()
            #expect(response.status == 413)
            #expect(response.text == "too big\n")
            #expect(response.header("connection") == "close", "the rest of the body would be read as a request")
            #expect(await client.isClosedByServer())
            // The upstream connection holds half a request: a second request must get a fresh one.
            let second = try await RawHTTPClient.roundTrip(port: port, "POST /again HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
            #expect(second.status == 413)
        }
        #expect(upstream.received.allSatisfy { !$0.hasPrefix("0123456789") }, "no body bytes were taken for a request")
        await upstream.close()
    }
}

@Suite("Upstream balancing and health")
struct UpstreamBalancingTests {
    func named(_ name: String) -> HandlerFunction { HandlerFunction { _, _ in .text(name) } }

    @Test("round-robin alternates between servers")
    func roundRobin() async throws {
        try await withTestServer(self.named("a")) { a in
            try await withTestServer(self.named("b")) { b in
                let proxy = try ReverseProxy(to: ["http://127.0.0.1:\(a)", "http://127.0.0.1:\(b)"])
                try await withTestServer(proxy) { port in
                    var seen: [String] = []
                    for _ in 0..<6 { seen.append(try await get(port).text) }
                    #expect(seen.filter { $0 == "a" }.count == 3)
                    #expect(seen.filter { $0 == "b" }.count == 3)
                    #expect(zip(seen, seen.dropFirst()).allSatisfy { $0 != $1 })
                }
            }
        }
    }

    @Test("least-connections avoids the busy server")
    func leastConnections() async throws {
        let release = AsyncStream<Void>.makeStream()
        let probe = Probe()
        let slow = HandlerFunction { _, _ in
            probe.add("slowEntered")
            for await _ in release.stream { break }
            return .text("slow")
        }
        try await withTestServer(slow) { slowPort in
            try await withTestServer(self.named("fast")) { fastPort in
                let configuration = ReverseProxy.Configuration(upstream: .init(balancing: .leastConnections))
                let proxy = try ReverseProxy(
                    to: ["http://127.0.0.1:\(slowPort)", "http://127.0.0.1:\(fastPort)"],
                    configuration: configuration
                )
                try await withTestServer(proxy) { port in
                    // Occupy the slow server (the first request takes the first of two idle servers), and wait
                    // until it really holds the request: sending the others before that raced the lease.
                    let busy = try await RawHTTPClient.connect(port: port)
                    try await busy.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                    let deadline = ContinuousClock.now + .seconds(10)
                    while probe["slowEntered"] == 0 && ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    try #require(probe["slowEntered"] == 1)
                    var answers: [String] = []
                    for _ in 0..<5 { answers.append(try await get(port).text) }
                    #expect(answers == Array(repeating: "fast", count: 5))
                    release.continuation.finish()
                    _ = try await busy.readResponse()
                    await busy.close()
                }
            }
        }
    }

    @Test("a failing server is skipped after max failures, and requests keep succeeding on the other")
    func passiveHealth() async throws {
        let deadPort = try await closedPort()
        try await withTestServer(self.named("alive")) { alive in
            let configuration = ReverseProxy.Configuration(upstream: .init(maxFailures: 1, failTimeout: .seconds(60)))
            let proxy = try ReverseProxy(to: ["http://127.0.0.1:\(deadPort)", "http://127.0.0.1:\(alive)"], configuration: configuration)
            try await withTestServer(proxy) { port in
                for _ in 0..<6 {
                    let response = try await get(port)
                    #expect(response.text == "alive")
                }
            }
        }
    }
}

@Suite("ReverseProxy streaming")
struct ReverseProxyStreamingTests {
    static let chunk: ByteBuffer = {
        var buffer = ByteBuffer()
        for index in 0..<(64 * 1024) { buffer.writeInteger(UInt8(truncatingIfNeeded: index)) }
        return buffer
    }()

    @Test("a large upload and a large download keep every byte, in order, through the proxy")
    func integrityBothWays() async throws {
        let upstream = HandlerFunction { request, _ in
            if request.method == .post {
                var total = 0
                var misplaced = 0
                for try await piece in request.body {
                    let view = piece.readableBytesView
                    if view.first != UInt8(truncatingIfNeeded: total) || view.last != UInt8(truncatingIfNeeded: total + view.count - 1) {
                        misplaced += 1
                    }
                    total += view.count
                }
                return .text("\(total) \(misplaced)")
            }
            return Response(
                body: .stream(contentLength: 400 * 64 * 1024) { writer in
                    for _ in 0..<400 { try await writer.write(Self.chunk) }
                }
            )
        }
        var upstreamConfiguration = HTTPServer<HandlerFunction>.Configuration(port: 0)
        upstreamConfiguration.limits.maxBodyBytes = 64 << 20
        try await withTestServer(upstream, configuration: upstreamConfiguration) { upstreamPort in
            let proxy = try ReverseProxy(to: "http://127.0.0.1:\(upstreamPort)", configuration: .init(maxBodyBytes: 64 << 20))
            var proxyConfiguration = HTTPServer<ReverseProxy>.Configuration(port: 0)
            proxyConfiguration.limits.maxBodyBytes = 64 << 20
            try await withTestServer(proxy, configuration: proxyConfiguration) { port in
                let client = try await RawHTTPClient.connect(port: port)
                let total = 320 * 64 * 1024
                try await client.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: \(total)\r\n\r\n")
                for _ in 0..<320 { try await client.send(Self.chunk) }
                #expect(try await client.readResponse(timeout: .seconds(60)).text == "\(total) 0")

                try await client.send("GET /download HTTP/1.1\r\nHost: t\r\n\r\n")
                let download = try await client.readResponse(timeout: .seconds(60))
                #expect(download.body.count == 400 * 64 * 1024)
                var misplaced = 0
                for offset in stride(from: 0, to: download.body.count, by: 4093)
                where download.body[offset] != UInt8(truncatingIfNeeded: offset) {
                    misplaced += 1
                }
                #expect(misplaced == 0)
                await client.close()
            }
        }
    }

    @Test("200 concurrent requests through the proxy get their own answers")
    func concurrency() async throws {
        let upstream = HandlerFunction { request, _ in
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...5)))
            return .text(String(request.query["id"] ?? "none"))
        }
        try await withTestServer(upstream) { upstreamPort in
            let proxy = try ReverseProxy(
                to: "http://127.0.0.1:\(upstreamPort)",
                configuration: .init(upstream: .init(maxConnectionsPerServer: 16))
            )
            try await withTestServer(proxy) { port in
                let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
                    for id in 0..<200 {
                        group.addTask {
                            let response = try await get(port, "/?id=\(id)")
                            return response.text == "\(id)" ? 0 : 1
                        }
                    }
                    return try await group.reduce(0, +)
                }
                #expect(mismatches == 0)
            }
        }
    }
}

@Suite("ReverseProxy back-pressure")
struct ReverseProxyBackPressureTests {
    @Test("a slow client slows the upstream: a 200 MB download is held back, not buffered, while the client does not read")
    func slowClient() async throws {
        let (upstream, written, total) = bigDownloadUpstream()
        try await withTestServer(upstream) { upstreamPort in
            let proxy = try ReverseProxy(to: "http://127.0.0.1:\(upstreamPort)")
            try await withTestServer(proxy) { port in
                let client = try await RawHTTPClient.connect(port: port)
                try await expectHeldBack(client, downloading: "/big", written: written, total: total)
                await client.close()
            }
        }
    }
}

/// An upstream that answers `/big` with a 200 MB body (counting in `written` what it wrote) and anything
/// else with `warm`.
func bigDownloadUpstream() -> (upstream: HandlerFunction, written: Probe, total: Int) {
    let written = Probe()
    let chunk = ByteBuffer(repeating: UInt8(ascii: "z"), count: 256 * 1024)
    let total = 800 * chunk.readableBytes
    let upstream = HandlerFunction { request, _ in
        guard request.path == "/big" else { return .text("warm") }
        return Response(
            body: .stream(contentLength: total) { writer in
                for _ in 0..<800 {
                    try await writer.write(chunk)
                    written.add("bytes", chunk.readableBytes)
                }
            }
        )
    }
    return (upstream, written, total)
}

/// Asks for `path` without reading, waits (polling, with a deadline) until the upstream's writes (`written`)
/// stop advancing, expects them to have stopped well short of `total`, then reads all `total` bytes.
func expectHeldBack(_ client: RawHTTPClient, downloading path: String, written: Probe, total: Int) async throws {
    try await client.setReading(false)
    try await client.send("GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n")
    var last = -1
    var stableRounds = 0
    let deadline = ContinuousClock.now + .seconds(30)
    while stableRounds < 10 && ContinuousClock.now < deadline {
        let now = written["bytes"]
        stableRounds = now == last ? stableRounds + 1 : 0
        last = now
        try await Task.sleep(for: .milliseconds(30))
    }
    #expect(stableRounds >= 10, "the upstream kept writing while the client read nothing")
    #expect(last < 64 << 20, "\(last) bytes left the upstream while the client read nothing")
    try await client.setReading(true)
    let (status, bytes) = try await client.drainResponse(timeout: .seconds(120))
    #expect(status == 200)
    #expect(bytes == total)
}

@Suite("Upstream connection pool")
struct UpstreamPoolTests {
    @Test(
        "a request is served by a pooled connection on its own event loop; another loop's idle one is not borrowed while the pool has room"
    )
    func ownEventLoop() async throws {
        let connections = Atomic<Int>(0)
        let upstream = try await ScriptedUpstream { connection, received in
            connections.max(connection + 1)
            // One request at a time per connection (the text collected since the last answer).
            return received.hasSuffix("\r\n\r\n") ? .respond("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok") : .wait
        }
        let upstreamClient = try Upstream(upstream.url, configuration: patient)
        let loops = Mutex<Set<ObjectIdentifier>>([])
        let handler = HandlerFunction { request, context in
            if let loop = MultiThreadedEventLoopGroup.currentEventLoop { loops.withLock { _ = $0.insert(ObjectIdentifier(loop)) } }
            var head = request.head
            head.path = "/"
            return try await upstreamClient.send(Request(head: head), context: context)
        }
        try await withTestServer(handler) { port in
            // Keep-alive client connections, accepted round-robin onto the server's loops.
            var clients: [RawHTTPClient] = []
            for _ in 0..<4 { clients.append(try await RawHTTPClient.connect(port: port)) }
            for _ in 0..<3 {
                for client in clients {
                    try await client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                    #expect(try await client.readResponse().text == "ok")
                    // The connection is back in the pool before the next request (its release is asynchronous).
                    let deadline = ContinuousClock.now + .seconds(10)
                    while upstreamClient.leasedConnections > 0 && ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(1))
                    }
                }
            }
            for client in clients { await client.close() }
        }
        // One request at a time: one warm connection per event loop that served a request, never more.
        let served = loops.withLock { $0.count }
        #expect(served >= 1)
        #expect(connections.load(ordering: .relaxed) == served, "served on \(served) loops")
        upstreamClient.shutdown()
        await upstream.close()
    }
}

extension Atomic where Value == Int {
    /// Raises the value to at least `value`.
    fileprivate func max(_ value: Int) {
        var current = self.load(ordering: .relaxed)
        while current < value {
            let (exchanged, original) = self.compareExchange(expected: current, desired: value, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }
}
