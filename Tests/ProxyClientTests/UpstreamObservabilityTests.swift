import HTTPCore
import HTTPTypes
import InMemoryTracing
import Logging
import MetricsTestKit
import NIOCore
import ProxyClient
import Routing
import TandemTesting
import Testing
import Tracing

/// An upstream that answers with the trace context it received (`TRACE SPAN`).
let traceEcho = HandlerFunction { request, _ in
    let trace = request.headers[HTTPField.Name(InMemoryTracer.traceIDKey)!] ?? "-"
    let span = request.headers[HTTPField.Name(InMemoryTracer.spanIDKey)!] ?? "-"
    return .text("\(trace) \(span)")
}

@Suite("Upstream spans, metrics and log fields")
struct UpstreamObservabilityTests {
    /// The gateway stack over `url`, tracing through `tracer`, with `metrics` for the upstream's metrics.
    func withTracedGateway(
        to url: String,
        tracer: InMemoryTracer?,
        metrics: TestMetrics? = nil,
        fastPath: Bool = true,
        logger: Logger? = nil,
        _ body: (_ port: Int, _ proxy: ReverseProxy) async throws -> Void
    ) async throws {
        var proxyConfiguration = ReverseProxy.Configuration()
        proxyConfiguration.upstream.tracer = tracer
        proxyConfiguration.upstream.metricsFactory = metrics
        let proxy = try ReverseProxy(to: url, configuration: proxyConfiguration)
        var configuration = HTTPServer<GatewayStack>.Configuration(port: 0)
        configuration.tracer = tracer
        configuration.eventLoopFastPath = fastPath
        try await withTestServer(gatewayStack(proxy), configuration: configuration, logger: logger) { port, server in
            // A span needs a task to carry its context: with a tracer the event-loop fast path stands aside.
            #expect(server.hasEventLoopFastPath == (fastPath && tracer == nil))
            try await body(port, proxy)
        }
    }

    @Test("a client span per upstream call, child of the server span; the upstream gets the client span's context, never the caller's")
    func clientSpan() async throws {
        let tracer = InMemoryTracer()
        try await withTestServer(traceEcho) { upstreamPort in
            try await self.withTracedGateway(to: "http://127.0.0.1:\(upstreamPort)", tracer: tracer) { port, _ in
                let answer = try await RawHTTPClient.roundTrip(
                    port: port,
                    "GET /items?q=1 HTTP/1.1\r\nHost: t\r\n\(InMemoryTracer.traceIDKey): trace-9\r\n\(InMemoryTracer.spanIDKey): caller\r\n\r\n"
                )
                #expect(answer.status == 200)
                let spans = try await self.finished(tracer, count: 2)
                let server = try #require(spans.first { $0.kind == .server })
                let client = try #require(spans.first { $0.kind == .client })
                #expect(server.traceID == "trace-9")
                #expect(server.parentSpanID == "caller")
                #expect(server.operationName == "GET /")
                #expect(client.traceID == "trace-9")
                #expect(client.parentSpanID == server.spanID)
                #expect(client.operationName == "GET")
                #expect(answer.text == "trace-9 \(client.spanID)")
                #expect(client.attributes.get("server.address") == .string("127.0.0.1"))
                #expect(client.attributes.get("server.port") == .int64(Int64(upstreamPort)))
                #expect(client.attributes.get("url.full") == .string("http://127.0.0.1:\(upstreamPort)/items?q=1"))
                #expect(client.attributes.get("http.response.status_code") == .int64(200))
                #expect(client.status == nil)
            }
        }
    }

    @Test("an unreachable upstream: each try's client span records its failure, the server span the 502")
    func failedSpans() async throws {
        let tracer = InMemoryTracer()
        let closed = try await closedPort()
        try await self.withTracedGateway(to: "http://127.0.0.1:\(closed)", tracer: tracer) { port, _ in
            let answer = try await RawHTTPClient.roundTrip(port: port, "GET /x HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(answer.status == 502)
            let spans = try await self.finished(tracer, count: 3)
            let clients = spans.filter { $0.kind == .client }
            #expect(clients.count == 2)  // an idempotent request is tried twice
            #expect(clients.allSatisfy { $0.status?.code == .error && $0.errors.count == 1 })
            #expect(clients.allSatisfy { $0.attributes.get("error.type") == .string("connect_failed") })
            #expect(clients.contains { $0.attributes.get("http.request.resend_count") == .int64(1) })
            let server = try #require(spans.first { $0.kind == .server })
            #expect(server.status?.code == .error)
            #expect(server.attributes.get("http.response.status_code") == .int64(502))
        }
    }

    @Test("the access log names the upstream and its time to the response head, on both paths")
    func upstreamInLog() async throws {
        try await withTestServer(traceEcho) { upstreamPort in
            for fastPath in [false, true] {
                let log = CapturedLog()
                try await self.withTracedGateway(
                    to: "http://127.0.0.1:\(upstreamPort)",
                    tracer: nil,
                    fastPath: fastPath,
                    logger: log.logger
                ) { port, proxy in
                    let client = try await RawHTTPClient.connect(port: port)
                    for _ in 0..<3 {
                        try await client.send("GET /logged HTTP/1.1\r\nHost: t\r\n\r\n")
                        let answer = try await client.readResponse()
                        #expect(answer.status == 200)
                    }
                    await client.close()
                    #expect((fastPathCount(proxy) > 0) == fastPath)
                }
                let lines = log.records.filter { $0.metadata["path"] == "/logged" }
                #expect(lines.count == 3)
                for line in lines {
                    #expect(line.metadata["upstream"] == "127.0.0.1:\(upstreamPort)")
                    let milliseconds = try #require(line.metadata["upstream_ms"].flatMap(Double.init))
                    let total = try #require(line.metadata["duration_ms"].flatMap(Double.init))
                    #expect(milliseconds >= 0 && milliseconds <= total)
                    #expect(line.metadata["trace_id"] == nil)
                }
            }
        }
    }

    @Test("client durations are recorded on the event-loop fast path too; pool gauges count open and idle connections")
    func fastPathClientMetrics() async throws {
        let metrics = TestMetrics()
        try await withTestServer(traceEcho) { upstreamPort in
            try await self.withTracedGateway(to: "http://127.0.0.1:\(upstreamPort)", tracer: nil, metrics: metrics) { port, proxy in
                let client = try await RawHTTPClient.connect(port: port)
                for _ in 0..<5 {
                    try await client.send("GET /m HTTP/1.1\r\nHost: t\r\n\r\n")
                    let answer = try await client.readResponse()
                    #expect(answer.status == 200)
                }
                await client.close()
                #expect(fastPathCount(proxy) > 0)
            }
        }
        let server = [("server.address", "127.0.0.1")]
        let timer = try #require(
            metrics.timers.first { timer in
                timer.label == "http.client.request.duration" && timer.dimensions.contains { $0 == ("http.response.status_code", "200") }
                    && server.allSatisfy { wanted in timer.dimensions.contains { $0 == wanted } }
            }
        )
        #expect(timer.values.count == 5)
        let idle = metrics.recorders.first { recorder in
            recorder.label == "http.client.open_connections" && recorder.dimensions.contains { $0 == ("http.connection.state", "idle") }
        }
        #expect(idle?.values.contains { $0 >= 1 } == true)
        let active = metrics.recorders.first { recorder in
            recorder.label == "http.client.open_connections" && recorder.dimensions.contains { $0 == ("http.connection.state", "active") }
        }
        #expect(active?.lastValue == 0)
    }

    @Test("an upstream server marked down by passive health checks shows as unhealthy")
    func healthGauge() async throws {
        let metrics = TestMetrics()
        let closed = try await closedPort()
        try await self.withTracedGateway(to: "http://127.0.0.1:\(closed)", tracer: nil, metrics: metrics) { port, _ in
            // Two tries per request: three failures in a row (the default `maxFailures`) mark the server down.
            for _ in 0..<2 {
                let answer = try await RawHTTPClient.roundTrip(port: port, "GET /down HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(answer.status == 502)
            }
        }
        let healthy = metrics.recorders.first { $0.label == "tandem.upstream.healthy" }
        #expect(healthy?.values.first == 1)
        #expect(healthy?.lastValue == 0)
    }

    /// The finished spans once there are `count` (a client span ends with its body, after the answer may be out).
    func finished(_ tracer: InMemoryTracer, count: Int) async throws -> [FinishedInMemorySpan] {
        _ = try await eventually(timeout: .seconds(10)) { tracer.finishedSpans.count >= count }
        return tracer.finishedSpans
    }
}
