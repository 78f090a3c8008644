import HTTPCore
import HTTPTypes
import Logging
import MetricsTestKit
import NIOCore
import ProxyClient
import Routing
import Synchronization
import TandemTesting
import Testing

typealias GatewayStack = MiddlewareHandler<
    AccessLogMiddleware, MiddlewareHandler<RequestIDMiddleware, MiddlewareHandler<ErrorMiddleware<PlainTextErrorRenderer>, PrefixRouter>>
>

/// The gateway's handler stack: the one `Topology.gateway` builds.
func gatewayStack(_ proxy: ReverseProxy) -> GatewayStack {
    var router = PrefixRouter()
    router.location("/", proxy)
    router.exactLocation("/healthz", HandlerFunction { _, _ in .text("ok\n") })
    return router.wrapped(in: ErrorMiddleware(PlainTextErrorRenderer())).wrapped(in: RequestIDMiddleware()).wrapped(
        in: AccessLogMiddleware(level: .debug)
    )
}

/// Runs `proxy` behind the gateway stack, with or without the event-loop fast path.
func withGateway(
    _ proxy: ReverseProxy,
    fastPath: Bool = true,
    logger: Logger? = nil,
    _ body: (_ port: Int) async throws -> Void
) async throws {
    let stack = gatewayStack(proxy)
    var configuration = HTTPServer<GatewayStack>.Configuration(port: 0)
    configuration.eventLoopFastPath = fastPath
    try await withTestServer(stack, configuration: configuration, logger: logger) { port, server in
        #expect(server.hasEventLoopFastPath == fastPath)
        try await body(port)
    }
}

/// Complete request heads in `text` (the scripted upstreams only get bodiless requests).
func requestCount(_ text: String) -> Int {
    var count = 0
    var rest = Substring(text)
    while let range = rest.firstRange(of: "\r\n\r\n") {
        count += 1
        rest = rest[range.upperBound...]
    }
    return count
}

/// A scripted upstream that answers the n-th request (over all connections) with `answers[n]`, and every
/// later one with the last; `arrivals["requests"]` counts them.
func answeringInTurn(_ answers: [ScriptedUpstream.Action]) async throws -> (ScriptedUpstream, Probe) {
    let arrivals = Probe()
    let upstream = try await ScriptedUpstream { _, received in
        guard requestCount(received) == 1 else { return .wait }
        arrivals.add("requests")
        return answers[min(arrivals["requests"], answers.count) - 1]
    }
    return (upstream, arrivals)
}

/// The warm-up answer of the scripted upstreams.
let warmAnswer = ScriptedUpstream.Action.respond("HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nwarm")

func fastPathCount(_ proxy: ReverseProxy) -> Int {
    (proxy.transport as! Upstream).fastPathRequests
}

@Suite("ReverseProxy on the event loop")
struct ProxyFastPathTests {
    /// Requests that exercise every header rule a GET can meet.
    static let requests = [
        "GET /plain?q=1&r=%20 HTTP/1.1\r\nHost: shop.example\r\n\r\n",
        "GET /ids HTTP/1.1\r\nHost: shop.example:8080\r\nX-Request-ID: rid-77\r\nAccept: text/html\r\n\r\n",
        "GET /bad-id HTTP/1.1\r\nHost: h\r\nX-Request-ID: has spaces\r\n\r\n",
        "GET /hops HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, X-Secret\r\nX-Secret: s\r\nKeep-Alive: 5\r\nTE: trailers\r\n"
            + "Proxy-Authorization: Basic x\r\nProxy-Connection: keep-alive\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n",
        "GET /spoof HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 6.6.6.6\r\nX-Real-IP: 6.6.6.6\r\nX-Forwarded-Proto: https\r\n"
            + "X-Forwarded-Host: evil\r\nForwarded: for=6.6.6.6\r\n\r\n",
        "GET /redirect HTTP/1.1\r\nHost: front.example\r\n\r\n",
        "GET /a/./b/../c HTTP/1.1\r\nHost: h\r\n\r\n",
    ]

    /// What the client sees, minus what differs by nature (date, generated ids).
    static func comparable(_ response: RawHTTPResponse) -> [String] {
        var lines = ["\(response.status)"]
        for header in response.headers where header.name.lowercased() != "date" {
            let value = header.name.lowercased() == "x-request-id" && header.value.count == 32 ? "<generated>" : header.value
            lines.append("\(header.name.lowercased()): \(value)")
        }
        let body = response.text.split(separator: "\n").map { line in
            line.hasPrefix("x-request-id: ") && line.count == 14 + 32 ? "x-request-id: <generated>" : String(line)
        }
        return lines + body
    }

    static func upstream(port: @escaping @Sendable () -> Int) -> HandlerFunction {
        HandlerFunction { request, context in
            if request.path == "/redirect" {
                return Response(status: .found, headers: [.location: "http://127.0.0.1:\(port())/next?x=1"])
            }
            return try await echoUpstream.handle(request, context: context)
        }
    }

    @Test("a GET forwarded on the event loop reaches the upstream and the client exactly as on the async path")
    func sameAsAsyncPath() async throws {
        let upstreamPort = Atomic<Int>(0)
        try await withTestServer(Self.upstream { upstreamPort.load(ordering: .relaxed) }) { port in
            upstreamPort.store(port, ordering: .relaxed)
            var seen: [Bool: [[String]]] = [:]
            for fastPath in [true, false] {
                let proxy = try ReverseProxy(to: "http://127.0.0.1:\(port)")
                try await withGateway(proxy, fastPath: fastPath) { gatewayPort in
                    let client = try await RawHTTPClient.connect(port: gatewayPort)
                    // The first request opens the upstream connection (always the async path); the rest find it warm.
                    try await client.send("GET /warm HTTP/1.1\r\nHost: h\r\n\r\n")
                    #expect(try await client.readResponse().status == 200)
                    for request in Self.requests {
                        try await client.send(request)
                        seen[fastPath, default: []].append(Self.comparable(try await client.readResponse()))
                    }
                    await client.close()
                }
                #expect(fastPathCount(proxy) == (fastPath ? Self.requests.count : 0))
            }
            // Fields of different names may come in another order (NIO's replaceOrAdd appends); nothing else differs.
            #expect(seen[true]!.map { $0.sorted() } == seen[false]!.map { $0.sorted() })
            // And the rules hold (the comparison alone would pass if both paths were wrong the same way).
            let hops = seen[true]![3]
            #expect(!hops.contains { $0.hasPrefix("x-secret") || $0.hasPrefix("keep-alive") || $0.hasPrefix("te:") })
            #expect(!hops.contains { $0.hasPrefix("proxy-") || $0.hasPrefix("x-hop") })
            #expect(
                hops.filter { $0.hasPrefix("set-cookie") } == [
                    "set-cookie: a=1; Path=/", "set-cookie: b=2; Path=/", "set-cookie: c=3; Path=/",
                ]
            )
            let spoof = seen[true]![4]
            #expect(spoof.contains("x-forwarded-for: 127.0.0.1") && spoof.contains("x-real-ip: 127.0.0.1"))
            #expect(spoof.contains("x-forwarded-proto: http") && spoof.contains("x-forwarded-host: h"))
            #expect(!spoof.contains { $0.hasPrefix("forwarded") })
            #expect(seen[true]![1].filter { $0 == "x-request-id: rid-77" }.count == 2, "the id went upstream and came back")
            #expect(seen[true]![5].contains("location: http://front.example/next?x=1"))
            #expect(seen[true]![6].contains("GET /a/c"))
        }
    }

    @Test("pipelined requests are answered in order, on the event loop and off it")
    func pipelined() async throws {
        try await withTestServer(echoUpstream) { upstreamPort in
            let proxy = try ReverseProxy(to: "http://127.0.0.1:\(upstreamPort)")
            try await withGateway(proxy) { port in
                let client = try await RawHTTPClient.connect(port: port)
                try await client.send("GET /warm HTTP/1.1\r\nHost: h\r\n\r\n")
                #expect(try await client.readResponse().status == 200)
                try await client.send(
                    "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n" + "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n"
                        + "POST /3 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nthree" + "GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n"
                        + "GET /5 HTTP/1.1\r\nHost: h\r\n\r\n"
                )
                #expect(lines(try await client.readResponse().text).first == "GET /1")
                #expect(lines(try await client.readResponse().text).first == "GET /2")
                let post = lines(try await client.readResponse().text)
                #expect(post.first == "POST /3" && post.last == "body: three")
                #expect(try await client.readResponse().text == "ok\n")
                #expect(lines(try await client.readResponse().text).first == "GET /5")
                await client.close()
            }
            #expect(fastPathCount(proxy) >= 2)
        }
    }

    @Test("a warm connection the upstream closed is retried once, counted as the first try")
    func staleConnection() async throws {
        let ok = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
        // The first connection answers one request and closes without a word when the second arrives.
        let arrivals = Probe()
        let upstream = try await ScriptedUpstream { connection, received in
            guard requestCount(received) == 1 else { return .wait }
            arrivals.add("c\(connection)")
            return connection == 0 && arrivals["c0"] == 2 ? .close : .respond(ok)
        }
        let proxy = try ReverseProxy(to: upstream.url, configuration: .init(upstream: patient))
        try await withGateway(proxy) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("GET /first HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(try await client.readResponse().text == "ok")
            try await client.send("GET /second HTTP/1.1\r\nHost: h\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.text == "ok")
            #expect(response.header("x-request-id") != nil)
            await client.close()
        }
        #expect(fastPathCount(proxy) == 1)
        #expect(arrivals["c0"] == 2, "the first connection answered /first and dropped /second")
        #expect(arrivals["c1"] == 1, "one retry, on a new connection")
        #expect(upstream.received.last?.hasPrefix("GET /second") == true)
        await upstream.close()
    }

    @Test("an upstream that stops answering on a warm connection is 504 with the request id, without a retry")
    func timeout() async throws {
        let (upstream, arrivals) = try await answeringInTurn([warmAnswer, .hang])
        // The fast path runs on the server connection's loop, so this case stays on sockets (the harness's upstream
        // has a loop of its own); 2 s, so that under a loaded test run the warm-up itself does not time out.
        let timeouts = Upstream.Configuration(connectTimeout: .seconds(5), responseTimeout: .seconds(2))
        let proxy = try ReverseProxy(to: upstream.url, configuration: .init(upstream: timeouts))
        try await withGateway(proxy) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("GET /first HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(try await client.readResponse().text == "warm")
            try await client.send("GET /slow HTTP/1.1\r\nHost: h\r\nX-Request-ID: slow-1\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 504)
            #expect(response.header("x-request-id") == "slow-1")
            #expect(response.text.contains("slow-1"))
            await client.close()
        }
        #expect(fastPathCount(proxy) == 1)
        #expect(arrivals["requests"] == 2, "a timed-out request is not retried")
        await upstream.close()
    }

    @Test("an upstream that dies after the head cuts the client connection")
    func diesAfterHead() async throws {
        let (upstream, _) = try await answeringInTurn([
            warmAnswer, .respondAndClose("HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\nonly ten b"),
        ])
        let proxy = try ReverseProxy(to: upstream.url, configuration: .init(upstream: patient))
        try await withGateway(proxy) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("GET /first HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(try await client.readResponse().text == "warm")
            try await client.send("GET /cut HTTP/1.1\r\nHost: h\r\n\r\n")
            await #expect(throws: RawHTTPClientError.self) { try await client.readResponse() }
            #expect(await client.isClosedByServer())
        }
        #expect(fastPathCount(proxy) == 1)
        await upstream.close()
    }

    @Test("a client that does not read holds the upstream back on the event loop too")
    func slowClient() async throws {
        let (upstream, written, total) = bigDownloadUpstream()
        try await withTestServer(upstream) { upstreamPort in
            let proxy = try ReverseProxy(to: "http://127.0.0.1:\(upstreamPort)")
            try await withGateway(proxy) { port in
                let client = try await RawHTTPClient.connect(port: port)
                try await client.send("GET /warm HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try await client.readResponse().text == "warm")
                try await expectHeldBack(client, downloading: "/big", written: written, total: total)
                await client.close()
            }
            #expect(fastPathCount(proxy) == 1)
        }
    }

    @Test("chunked and interim responses pass through on the event loop with their framing; close-delimited ones are chunked")
    func framings() async throws {
        let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kind: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        let (upstream, _) = try await answeringInTurn([
            warmAnswer,
            .respond(chunked),
            .respond(
                "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.0 200 OK\r\nConnection: keep-alive\r\ncontent-length: 2\r\n\r\nok"
            ),
            .respond("HTTP/1.1 204 No Content\r\nConnection: X-Gone\r\nX-Gone: 1\r\nKeep-Alive: timeout=5\r\n\r\n"),
            .respondAndClose("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end"),
        ])
        let proxy = try ReverseProxy(to: upstream.url, configuration: .init(upstream: patient))
        try await withGateway(proxy) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("GET /warm HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(try await client.readResponse().text == "warm")

            try await client.send("GET /chunked HTTP/1.1\r\nHost: h\r\n\r\n")
            let first = try await client.readResponse()
            #expect(first.text == "hello world")
            #expect(first.header("transfer-encoding") == "chunked")
            #expect(first.header("x-kind") == "chunked")

            try await client.send("GET /interim HTTP/1.1\r\nHost: h\r\n\r\n")
            let second = try await client.readResponse()
            #expect(second.status == 200 && second.text == "ok", "the 103 is dropped, the 1.0 answer passed on as 1.1")
            #expect(second.header("connection") == nil)

            try await client.send("GET /empty HTTP/1.1\r\nHost: h\r\n\r\n")
            let third = try await client.readResponse(bodyless: true)
            #expect(third.status == 204)
            #expect(third.header("x-gone") == nil && third.header("keep-alive") == nil && third.header("connection") == nil)

            try await client.send("GET /until-close HTTP/1.1\r\nHost: h\r\n\r\n")
            // Passed on chunked, as the general path (and nginx) does: the client's connection outlives the upstream's.
            let last = try await client.readResponse()
            #expect(last.status == 200 && last.text == "until the end")
            #expect(last.header("transfer-encoding") == "chunked")
            #expect(last.header("connection") == nil)
        }
        #expect(fastPathCount(proxy) == 4, "one warm connection served all four")
        await upstream.close()
    }

    @Test("a response the event loop cannot vouch for goes to NIO's parser instead, and is not passed on as it came")
    func refusedResponse() async throws {
        let (upstream, _) = try await answeringInTurn([
            warmAnswer,
            .respond("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
        ])
        let proxy = try ReverseProxy(to: upstream.url, configuration: .init(upstream: patient))
        try await withGateway(proxy) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("GET /warm HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(try await client.readResponse().text == "warm")
            try await client.send("GET /smuggle HTTP/1.1\r\nHost: h\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.header("content-length") == nil || response.header("transfer-encoding") == nil)
            #expect(response.status == 502 || response.text == "abc")
            await client.close()
        }
        #expect(fastPathCount(proxy) == 1)
        await upstream.close()
    }

    /// The gateway crashed (SIGSEGV, unbounded recursion) on the first path with a percent-escape other
    /// than `%2e`/`%2f`, on the event loop; nginx forwards such paths as sent.
    @Test("paths with percent-escapes are forwarded as sent, on the event loop and off it")
    func percentEscapes() async throws {
        let paths = ["/api/caf%C3%A9", "/search/a%20b/", "/x%41", "/api/items/100%25?q=%2e", "/a/%2e%2e/b%2Fc", "/%E2%82%AC;p=1"]
        let expected = ["/api/caf%C3%A9", "/search/a%20b/", "/x%41", "/api/items/100%25?q=%2e", "/b/c", "/%E2%82%AC;p=1"]
        try await withTestServer(echoUpstream) { upstreamPort in
            for fastPath in [true, false] {
                let proxy = try ReverseProxy(to: "http://127.0.0.1:\(upstreamPort)")
                try await withGateway(proxy, fastPath: fastPath) { port in
                    let client = try await RawHTTPClient.connect(port: port)
                    try await client.send("GET /warm HTTP/1.1\r\nHost: h\r\n\r\n")
                    #expect(try await client.readResponse().status == 200)
                    for (path, forwarded) in zip(paths, expected) {
                        try await client.send("GET \(path) HTTP/1.1\r\nHost: h\r\n\r\n")
                        let response = try await client.readResponse()
                        #expect(response.status == 200, "\(path)")
                        #expect(lines(response.text).first == "GET \(forwarded)", "\(path)")
                    }
                    await client.close()
                    let health = try await RawHTTPClient.roundTrip(port: port, "GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n")
                    #expect(health.text == "ok\n")
                }
                #expect(fastPathCount(proxy) == (fastPath ? paths.count : 0))
            }
        }
    }

    @Test("a bare CR in an upstream's status line never reaches the client, on either path")
    func bareCRInStatusLine() async throws {
        for fastPath in [true, false] {
            let (upstream, _) = try await answeringInTurn([
                warmAnswer, .respond("HTTP/1.1 200 OK\rSet-Cookie: injected=1\r\nContent-Length: 2\r\n\r\nok"),
            ])
            let proxy = try ReverseProxy(to: upstream.url, configuration: .init(upstream: patient))
            try await withGateway(proxy, fastPath: fastPath) { port in
                let client = try await RawHTTPClient.connect(port: port)
                try await client.send("GET /warm HTTP/1.1\r\nHost: h\r\n\r\n")
                #expect(try await client.readResponse().text == "warm")
                try await client.send("GET /inject HTTP/1.1\r\nHost: h\r\n\r\n")
                let response = try await client.readResponse()
                #expect(response.status == 502, "fast path \(fastPath)")
                #expect(response.header("set-cookie") == nil)
                await client.close()
            }
            await upstream.close()
        }
    }

    /// The fast path moved on to the next pipelined request as soon as a response was handed to the channel,
    /// writable or not: a client pipelining small GETs without reading grew the gateway by gigabytes.
    @Test("a client that pipelines without reading is not answered beyond what the socket takes, on either path")
    func pipelinedWithoutReading() async throws {
        let answer = String(repeating: "a", count: 30 * 1024)
        let served = Probe()
        let upstream = HandlerFunction { _, _ in
            served.add("requests")
            return .text(answer)
        }
        try await withTestServer(upstream) { upstreamPort in
            for fastPath in [true, false] {
                let before = served["requests"]
                let proxy = try ReverseProxy(to: "http://127.0.0.1:\(upstreamPort)")
                try await withGateway(proxy, fastPath: fastPath) { port in
                    let client = try await RawHTTPClient.connect(port: port)
                    try await client.send("GET /warm HTTP/1.1\r\nHost: h\r\n\r\n")
                    #expect(try await client.readResponse().text.count == answer.count)
                    // Each batch once the previous ones reached the upstream: a gateway that stops forwarding stops.
                    let sent = try await client.pipelineWithoutReading("GET /a HTTP/1.1\r\nHost: h\r\n\r\n") {
                        served["requests"] - before - 1
                    }
                    let forwarded = served["requests"] - before - 1
                    #expect(forwarded < 2_000, "fast path \(fastPath): \(forwarded) answers of 30 KB held for a client that reads nothing")
                    try await client.setReading(true)
                    for _ in 0..<sent {
                        #expect(try await client.readResponse(timeout: .seconds(30)).text.count == answer.count)
                    }
                    await client.close()
                }
                if fastPath { #expect(fastPathCount(proxy) > 0) }
            }
        }
    }
}

@Suite("Gateway access log on both paths")
struct GatewayAccessLogTests {
    @Test("both paths log the same fields with the id the client gets, and spell X-Request-ID alike", arguments: [true, false])
    func sameLine(fastPath: Bool) async throws {
        let upstream = try await ScriptedUpstream { _, received in
            received.hasSuffix("\r\n\r\n") ? .respond("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") : .wait
        }
        let log = CapturedLog()
        var heads: [String] = []
        try await withGateway(
            try ReverseProxy(to: upstream.url, configuration: .init(upstream: patient)),
            fastPath: fastPath,
            logger: log.logger(level: .debug)
        ) { port in
            for incoming in [nil, "from-client-1"] {
                let client = try await RawHTTPClient.connect(port: port)
                try await client.send(
                    "GET /a?b=c HTTP/1.1\r\nHost: t\r\nUser-Agent: probe/1\r\n" + (incoming.map { "X-Request-ID: \($0)\r\n" } ?? "")
                        + "\r\n"
                )
                heads.append(try await client.readResponse().rawHead)
                await client.close()
            }
        }
        await upstream.close()
        let lines = log.records.filter { $0.message.hasPrefix("GET ") }
        try #require(lines.count == 2)
        for (line, head) in zip(lines, heads) {
            #expect(
                Set(line.metadata.keys).isSuperset(of: [
                    "method", "path", "route", "status", "bytes", "duration_ms", "request_id", "client", "user_agent",
                ])
            )
            #expect(line.metadata["route"] == "/" && line.metadata["client"] == "127.0.0.1" && line.metadata["user_agent"] == "probe/1")
            #expect(line.message == "GET /a 200")
            #expect(line.metadata["bytes"] == "2")
            let id = try #require(line.metadata["request_id"])
            #expect((head + "\r\n").contains("\r\nX-Request-ID: \(id)\r\n"), "\(head)")
        }
        #expect(lines[1].metadata["request_id"] == "from-client-1")
    }
}

@Suite("Gateway metrics on both paths")
struct GatewayMetricsTests {
    @Test(
        "both paths record the request by the location's template; the general path also times the upstream call",
        arguments: [true, false]
    )
    func recorded(fastPath: Bool) async throws {
        let upstream = try await ScriptedUpstream { _, received in
            received.hasSuffix("\r\n\r\n") ? .respond("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") : .wait
        }
        let metrics = TestMetrics()
        var proxyConfiguration = ReverseProxy.Configuration(upstream: patient)
        proxyConfiguration.upstream.metricsFactory = metrics
        let stack = gatewayStack(try ReverseProxy(to: upstream.url, configuration: proxyConfiguration))
        var configuration = HTTPServer<GatewayStack>.Configuration(port: 0)
        configuration.eventLoopFastPath = fastPath
        configuration.metricsFactory = metrics
        try await withTestServer(stack, configuration: configuration) { port, server in
            #expect(server.hasEventLoopFastPath == fastPath)
            for path in ["/a", "/b/c?d=e"] {
                let answer = try await RawHTTPClient.roundTrip(port: port, "GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(answer.text == "ok")
            }
        }
        await upstream.close()
        let timer = try metrics.expectTimer(
            "http.server.request.duration",
            [("http.request.method", "GET"), ("http.response.status_code", "200"), ("http.route", "/")]
        )
        #expect(timer.values.count == 2)
        #expect(try metrics.expectMeter("http.server.active_requests").lastValue == 0)
        if !fastPath {
            let client = metrics.timers(label: "http.client.request.duration")
            #expect(client.flatMap(\.values).count == 2)
            #expect(client.allSatisfy { $0.dimensions.contains { $0 == ("server.port", String(upstream.port)) } })
        }
    }
}
