import CoreMetrics
import HTTPCore
import MetricsTestKit
import NIOCore
import Routing
import TandemTesting
import Testing

@Suite("Server metrics")
struct ServerMetricsTests {
    func withMeasuredServer(
        _ metrics: TestMetrics,
        knownMethods: KnownMethods = .standard,
        _ body: (Int) async throws -> Void
    ) async throws {
        var routes = TrieRouter.Builder()
        routes.get("/items/:id") { _, context in .text("item \(try context.parameters.require("id"))") }
        routes.post("/items/") { request, _ in .text("\(try await request.body.collect(upTo: 100).readableBytes)") }
        var configuration = HTTPServerConfiguration(port: 0)
        configuration.metricsFactory = metrics
        configuration.knownMethods = knownMethods
        configuration.limits.maxBodyBytes = 100
        try await withTestServer(try routes.build(), configuration: configuration) { port in try await body(port) }
    }

    @Test("request durations by method, status and route template (never the raw path); active requests go back to 0")
    func durations() async throws {
        let metrics = TestMetrics()
        try await self.withMeasuredServer(metrics) { port in
            for id in [7, 8] {
                let item = try await RawHTTPClient.roundTrip(port: port, "GET /items/\(id) HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(item.status == 200)
            }
            let nothing = try await RawHTTPClient.roundTrip(port: port, "GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(nothing.status == 404)
        }
        let found = try metrics.expectTimer(
            "http.server.request.duration",
            [("http.request.method", "GET"), ("http.response.status_code", "200"), ("http.route", "/items/:id")]
        )
        #expect(found.values.count == 2)
        #expect(found.values.allSatisfy { $0 > 0 })
        #expect(found.displayUnit == .seconds)
        let missing = try metrics.expectTimer(
            "http.server.request.duration",
            [("http.request.method", "GET"), ("http.response.status_code", "404"), ("http.route", "")]
        )
        #expect(missing.values.count == 1)
        #expect(metrics.timers.allSatisfy { timer in !timer.dimensions.contains { $0.1.contains("/items/7") } })
        let active = try metrics.expectMeter("http.server.active_requests")
        #expect(active.values.max() ?? 0 >= 1)
        #expect(active.lastValue == 0)
    }

    @Test("a method outside the known set is labelled _OTHER: clients cannot add label values (a configured one is kept)")
    func otherMethods() async throws {
        let metrics = TestMetrics()
        // Methods the HTTP/1 parser knows; others it refuses (400) before any handler or metric sees them.
        let extensions = ["PROPFIND", "MKCOL", "PURGE", "LOCK", "UNLOCK", "REPORT", "SEARCH", "COPY", "MOVE"]
        try await self.withMeasuredServer(metrics, knownMethods: KnownMethods.standard.adding("PURGE")) { port in
            for method in extensions + ["GET", "DELETE"] {
                let answer = try await RawHTTPClient.roundTrip(port: port, "\(method) /items/1 HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(answer.status != 0)
            }
        }
        let methods = Set(metrics.timers.flatMap { $0.dimensions.filter { $0.0 == "http.request.method" }.map(\.1) })
        #expect(methods == ["_OTHER", "PURGE", "GET", "DELETE"], "\(methods)")
        let other = metrics.timers.filter { $0.dimensions.contains { $0 == ("http.request.method", "_OTHER") } }
        #expect(other.reduce(0) { $0 + $1.values.count } == extensions.count - 1)
    }

    @Test("requests the server's own limits refuse are counted by status")
    func rejections() async throws {
        let metrics = TestMetrics()
        try await self.withMeasuredServer(metrics) { port in
            let tooLarge = try await RawHTTPClient.roundTrip(port: port, "POST /items/ HTTP/1.1\r\nHost: t\r\nContent-Length: 500\r\n\r\n")
            #expect(tooLarge.status == 413)
            let malformed = try await RawHTTPClient.roundTrip(port: port, "GARBAGE\r\n\r\n")
            #expect(malformed.status == 400)
        }
        #expect(metrics.counterTotal(label: "http.server.rejected_requests", dimensions: [("http.response.status_code", "413")]) == 1)
        #expect(metrics.counterTotal(label: "http.server.rejected_requests", dimensions: [("http.response.status_code", "400")]) == 1)
    }

    @Test("without a metrics backend nothing is measured")
    func off() async throws {
        var configuration = HTTPServerConfiguration(port: 0)
        configuration.metricsFactory = NOOPMetricsHandler.instance
        try await withTestServer(
            HandlerFunction { _, context in .text(context.storage[RequestRecord.self] == nil ? "off" : "on") },
            configuration: configuration
        ) {
            port in
            let answer = try await RawHTTPClient.roundTrip(port: port, "GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(answer.text == "off")
        }
    }
}
