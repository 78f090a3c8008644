import HTTPCore
import HTTPTypes
import Logging
import OTel
import ProxyClient
import TandemTesting
import Testing
import Topology
import Tracing

/// The gateway tracing through swift-otel (its W3C propagator), in front of an upstream that answers with the trace
/// context it received: what W3C Trace Context says a participating proxy forwards.
@Suite("W3C trace context through the traced gateway (swift-otel)")
struct TraceContextPropagationTests {
    static let traceID = "0af7651916cd43dd8448eb211c80319c"
    static let parent = "00-\(traceID)-b7ad6b7169203331-01"

    /// The `traceparent` and `tracestate` the upstream received for a request with `fields`.
    func forwarded(_ fields: [String]) async throws -> (traceparent: String, tracestate: String) {
        var configuration = OTel.Configuration.default
        configuration.serviceName = "tandem-gateway"
        configuration.traces.exporter = .none
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        let (tracer, _) = try OTel.makeTracingBackend(configuration: configuration)
        let echo = HandlerFunction { request, _ in
            .text("\(request.headers[.traceparent] ?? "-")\n\(request.headers[values: .tracestate].joined(separator: ","))")
        }
        return try await withTestServer(echo) { upstreamPort in
            var proxy = ReverseProxy.Configuration()
            proxy.upstream.tracer = tracer
            let handler = try Topology.gatewayHandler(
                routes: [("/", ["http://127.0.0.1:\(upstreamPort)"])],
                proxy: proxy,
                logger: Logger(label: "gateway")
            )
            var server = HTTPServerConfiguration(port: 0)
            server.tracer = tracer
            return try await withTestServer(handler, configuration: server) { port in
                let request = "GET /x HTTP/1.1\r\nHost: t\r\n" + fields.map { $0 + "\r\n" }.joined() + "\r\n"
                let answer = try await RawHTTPClient.roundTrip(port: port, request)
                #expect(answer.status == 200, "\(answer.text)")
                let lines = answer.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                return (lines.first ?? "", lines.dropFirst().first ?? "")
            }
        }
    }

    func traceID(of traceparent: String) -> Substring { traceparent.dropFirst(3).prefix(32) }

    @Test("an invalid tracestate does not lose a valid traceparent: the trace goes on, the valid members with it")
    func invalidTracestate() async throws {
        let upper = try await self.forwarded(["traceparent: \(Self.parent)", "tracestate: UPPER=1,ok=1"])
        #expect(self.traceID(of: upper.traceparent) == Self.traceID[...], "\(upper)")
        #expect(upper.tracestate == "ok=1")
        let huge = try await self.forwarded(["traceparent: \(Self.parent)", "tracestate: a=\(String(repeating: "v", count: 10_000))"])
        #expect(self.traceID(of: huge.traceparent) == Self.traceID[...], "\(huge.traceparent)")
        #expect(huge.tracestate.isEmpty)
    }

    @Test("after an invalid traceparent a new trace starts, without the client's tracestate")
    func invalidTraceparent() async throws {
        for traceparent in ["00-\(Self.traceID.uppercased())-b7ad6b7169203331-01", "00-\(Self.traceID)-0000000000000000-01", "garbage"] {
            let answer = try await self.forwarded(["traceparent: \(traceparent)", "tracestate: congo=t61rcWkgMzE"])
            #expect(answer.traceparent.count == 55 && self.traceID(of: answer.traceparent) != Self.traceID[...], "\(answer)")
            #expect(answer.tracestate.isEmpty, "\(traceparent): \(answer.tracestate)")
        }
    }

    @Test("a tracestate over 32 members or 512 characters is truncated as the specification asks")
    func bounded() async throws {
        let forty = try await self.forwarded([
            "traceparent: \(Self.parent)", "tracestate: " + (0..<40).map { "k\($0)=v" }.joined(separator: ","),
        ])
        // swift-otel writes the list back with ", " between members.
        #expect(forty.tracestate.split(separator: ",").map(\.trimmingOWS) == (0..<32).map { "k\($0)=v" })
        let long = (0..<8).map { "m\($0)=" + String(repeating: "y", count: 90) }.joined(separator: ",")
        let trimmed = try await self.forwarded(["traceparent: \(Self.parent)", "tracestate: \(long)"])
        #expect(trimmed.tracestate.utf8.count <= 512 && trimmed.tracestate.hasPrefix("m0=") && !trimmed.tracestate.isEmpty)
        #expect(self.traceID(of: trimmed.traceparent) == Self.traceID[...])
    }
}
