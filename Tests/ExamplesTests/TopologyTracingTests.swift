import HTTPCore
import InMemoryTracing
import Logging
import TandemApp
import TandemTesting
import Testing
import Topology
import Tracing

@Suite("Traces across the split topology (in process)")
struct TopologyTracingTests {
    @Test("a page request is one trace: gateway → web → API, each server's spans through its own tracer, parents linked")
    func pageTrace() async throws {
        let tracers = ["gateway": InMemoryTracer(), "web": InMemoryTracer(), "api": InMemoryTracer()]
        var app = TandemApp(settings: .init(ports: ["api": 0, "web": 0, "gateway": 0], logLevel: .critical))
        app.tracer = { name in tracers[name] }
        Topology.addAPI(to: &app, port: 0)
        Topology.addWeb(to: &app, port: 0) { $0.url("api") }
        Topology.addGateway(to: &app, port: 0) { Topology.articleRoutes(web: $0.url("web"), api: $0.url("api")) }
        try await withTestApp(app) { servers in
            let page = try await SearchAppFlow.send(
                servers.port(of: "gateway"),
                "/search/?query=swift",
                headers: ["\(InMemoryTracer.traceIDKey): trace-page", "\(InMemoryTracer.spanIDKey): browser"]
            )
            #expect(page.status == 200)
            // Spans end once their responses were written: wait for all five.
            _ = try await eventually(timeout: .seconds(10)) { tracers.values.reduce(0) { $0 + $1.finishedSpans.count } >= 5 }

            func only(_ server: String, _ kind: SpanKind) throws -> FinishedInMemorySpan {
                let spans = tracers[server]!.finishedSpans.filter { $0.kind == kind }
                #expect(spans.count == 1, "\(server) \(kind): \(spans.map(\.operationName))")
                return try #require(spans.first)
            }
            let gateway = try only("gateway", .server)
            let gatewayCall = try only("gateway", .client)
            let web = try only("web", .server)
            let webCall = try only("web", .client)
            let api = try only("api", .server)
            #expect(tracers["api"]!.finishedSpans.count == 1)
            for span in [gateway, gatewayCall, web, webCall, api] { #expect(span.traceID == "trace-page") }
            #expect(gateway.parentSpanID == "browser")
            #expect(gatewayCall.parentSpanID == gateway.spanID)
            #expect(web.parentSpanID == gatewayCall.spanID)
            #expect(webCall.parentSpanID == web.spanID)
            #expect(api.parentSpanID == webCall.spanID)
            #expect(gateway.operationName == "GET /search/")
            #expect(web.operationName == "GET /search/")
            #expect(api.operationName == "GET /api/search/")
            #expect(webCall.attributes.get("server.port") == .int64(Int64(servers.port(of: "api"))))
        }
    }
}
