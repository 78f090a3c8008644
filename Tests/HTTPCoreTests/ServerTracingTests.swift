import HTTPCore
import InMemoryTracing
import Logging
import NIOCore
import Routing
import TandemTesting
import Testing
import Tracing

/// An internal error whose text must never reach a client.
private struct Boom: Error, CustomStringConvertible {
    var description: String { "boom" }
}

@Suite("Server spans")
struct ServerTracingTests {
    /// A router behind a server that traces through `tracer`.
    func withTracedServer(
        _ tracer: InMemoryTracer,
        trustedProxies: [CIDR] = [],
        logger: Logger? = nil,
        _ body: (Int) async throws -> Void
    ) async throws {
        var routes = TrieRouter.Builder()
        routes.get("/items/:id") { _, context in
            // The handler runs inside its span: what it calls continues the trace.
            .text(ServiceContext.current?.inMemorySpanContext?.spanID ?? "no span")
        }
        routes.get("/fail") { _, _ in throw Boom() }
        routes.get("/client") { _, context in .text(context.clientAddress ?? "-") }
        var configuration = HTTPServerConfiguration(port: 0)
        configuration.tracer = tracer
        configuration.trustedProxies = trustedProxies
        let handler = try routes.build().wrapped(in: AccessLogMiddleware(level: .info))
        try await withTestServer(handler, configuration: configuration, logger: logger) { port, _ in try await body(port) }
    }

    @Test("a server span per request: it continues the caller's trace, is named after the route template, and the handler runs in it")
    func continuesTrace() async throws {
        let tracer = InMemoryTracer()
        try await self.withTracedServer(tracer) { port in
            let answer = try await RawHTTPClient.roundTrip(
                port: port,
                "GET /items/7 HTTP/1.1\r\nHost: shop.example:8080\r\nUser-Agent: probe/1\r\n"
                    + "\(InMemoryTracer.traceIDKey): trace-1\r\n\(InMemoryTracer.spanIDKey): caller-span\r\n\r\n"
            )
            #expect(answer.status == 200)
            let spans = try await finished(tracer, count: 1)
            #expect(spans.count == 1)
            let span = try #require(spans.first)
            #expect(span.kind == .server)
            #expect(span.operationName == "GET /items/:id")
            #expect(span.traceID == "trace-1")
            #expect(span.parentSpanID == "caller-span")
            #expect(answer.text == span.spanID)
            #expect(span.attributes.get("http.route") == .string("/items/:id"))
            #expect(span.attributes.get("http.request.method") == .string("GET"))
            #expect(span.attributes.get("url.path") == .string("/items/7"))
            #expect(span.attributes.get("http.response.status_code") == .int64(200))
            #expect(span.attributes.get("server.address") == .string("shop.example"))
            #expect(span.attributes.get("server.port") == .int64(8080))
            #expect(span.attributes.get("client.address") == .string("127.0.0.1"))
            #expect(span.attributes.get("user_agent.original") == .string("probe/1"))
            #expect(span.status == nil)
        }
    }

    @Test("a request without trace context starts a trace; an unmatched path keeps the method as the name")
    func newTrace() async throws {
        let tracer = InMemoryTracer()
        try await self.withTracedServer(tracer) { port in
            _ = try await RawHTTPClient.roundTrip(port: port, "GET /items/1 HTTP/1.1\r\nHost: t\r\n\r\n")
            let missing = try await RawHTTPClient.roundTrip(port: port, "GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(missing.status == 404)
            let spans = try await finished(tracer, count: 2)
            #expect(spans.count == 2)
            #expect(spans.allSatisfy { $0.parentSpanID == nil })
            #expect(Set(spans.map(\.traceID)).count == 2)
            #expect(spans.last?.operationName == "GET")
            #expect(spans.last?.attributes.get("http.route") == nil)
        }
    }

    @Test("a 5xx answer marks the span as failed and records the error that escaped the handler")
    func failure() async throws {
        let tracer = InMemoryTracer()
        try await self.withTracedServer(tracer) { port in
            let answer = try await RawHTTPClient.roundTrip(port: port, "GET /fail HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(answer.status == 500)
            let span = try #require(try await finished(tracer, count: 1).first)
            #expect(span.status?.code == .error)
            #expect(span.attributes.get("error.type") == .string("500"))
            #expect(span.attributes.get("http.response.status_code") == .int64(500))
            #expect(span.errors.count == 1)
            #expect(!answer.text.contains("boom"))
        }
    }

    @Test("a method outside the known set is _OTHER in the span, named HTTP, with the method sent kept as the original")
    func otherMethod() async throws {
        let tracer = InMemoryTracer()
        try await self.withTracedServer(tracer) { port in
            _ = try await RawHTTPClient.roundTrip(port: port, "PROPFIND /items/1 HTTP/1.1\r\nHost: t\r\n\r\n")
            _ = try await RawHTTPClient.roundTrip(port: port, "DELETE /nowhere HTTP/1.1\r\nHost: t\r\n\r\n")
            let spans = try await finished(tracer, count: 2)
            let other = try #require(spans.first { $0.attributes.get("http.request.method") == .string("_OTHER") })
            #expect(other.attributes.get("http.request.method_original") == .string("PROPFIND"))
            #expect(other.operationName == "HTTP" || other.operationName == "HTTP /items/:id", "\(other.operationName)")
            let known = try #require(spans.first { $0.attributes.get("http.request.method") == .string("DELETE") })
            #expect(known.attributes.get("http.request.method_original") == nil)
            #expect(known.operationName == "DELETE")
        }
    }

    @Test("requests the server refuses itself get a span too, with their status")
    func refused() async throws {
        let tracer = InMemoryTracer()
        try await self.withTracedServer(tracer) { port in
            let answer = try await RawHTTPClient.roundTrip(port: port, "GET /items/1 HTTP/1.1\r\n\r\n")
            #expect(answer.status == 400)
            let span = try #require(try await finished(tracer, count: 1).first)
            #expect(span.attributes.get("http.response.status_code") == .int64(400))
            #expect(span.status == nil)
        }
    }

    @Test("the client address: the peer, or what a trusted proxy reports in X-Forwarded-For; logged and traced")
    func clientAddress() async throws {
        let forwarded = "GET /client HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 198.51.100.7, 203.0.113.9\r\n\r\n"
        let untrusting = InMemoryTracer()
        try await self.withTracedServer(untrusting) { port in
            let answer = try await RawHTTPClient.roundTrip(port: port, forwarded)
            #expect(answer.text == "127.0.0.1")
        }
        let log = CapturedLog()
        let trusting = InMemoryTracer()
        try await self.withTracedServer(trusting, trustedProxies: [try CIDR("127.0.0.0/8")], logger: log.logger) { port in
            // The peer is trusted, the last hop it reports is not: that is the client.
            let answer = try await RawHTTPClient.roundTrip(port: port, forwarded)
            #expect(answer.text == "203.0.113.9")
        }
        let span = try await finished(trusting, count: 1).first
        #expect(span?.attributes.get("client.address") == .string("203.0.113.9"))
        #expect(span?.attributes.get("network.peer.address") == .string("127.0.0.1"))
        let line = try #require(log.records.first { $0.metadata["path"] == "/client" })
        #expect(line.metadata["client"] == "203.0.113.9")
    }

    @Test("the access log carries the trace id when the tracer propagates W3C trace context")
    func traceIDInLog() throws {
        #expect(
            ServerTracing.traceID(fromTraceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                == "0af7651916cd43dd8448eb211c80319c"
        )
        #expect(ServerTracing.traceID(fromTraceparent: "00-short-b7ad6b7169203331-01") == nil)
        #expect(ServerTracing.traceID(fromTraceparent: "garbage") == nil)
    }
}

/// The finished spans once there are `count`: a span ends after its response was written, so a client can have the
/// answer a moment before.
func finished(_ tracer: InMemoryTracer, count: Int) async throws -> [FinishedInMemorySpan] {
    _ = try await eventually(timeout: .seconds(10)) { tracer.finishedSpans.count >= count }
    return tracer.finishedSpans
}
