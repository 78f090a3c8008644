import Foundation
import HTMLTesting
import TandemTesting
import Testing

@Suite("split-services (processes)")
struct SplitServicesTests {
    /// `split-services` with the three servers on free ports.
    static func allServers() throws -> ServerProcess {
        try ServerProcess(
            "split-services",
            ["--gateway-port", "0", "--web-port", "0", "--api-port", "0"],
            announcing: "gateway",
            "web",
            "api"
        )
    }

    @Test("`split-services` runs API, web and gateway in one process; every route works through the gateway; SIGTERM stops all")
    func allInOne() async throws {
        let servers = try Self.allServers()
        #expect(Set(servers.ports.values).count == 3)
        try await SearchAppFlow.everyRoute(port: servers.port)
        // The web and API servers answer on their own ports too.
        #expect(try await SearchAppFlow.send(servers.ports["web"]!, "/search/?query=swift").status == 200)
        #expect(try await SearchAppFlow.send(servers.ports["api"]!, "/api/search/?query=swift").status == 200)
        #expect(try await servers.terminate() == 0)
    }

    /// One such request used to take the whole process down (SIGSEGV in the gateway's fast path).
    @Test("`--metrics-port` serves Prometheus text on its own port: request durations by server and route template")
    func metrics() async throws {
        let servers = try ServerProcess(
            "split-services",
            ["--gateway-port", "0", "--web-port", "0", "--api-port", "0", "--metrics-port", "0"],
            announcing: "api",
            "web",
            "gateway",
            "metrics"
        )
        let gateway = try #require(servers.ports["gateway"])
        #expect(try await SearchAppFlow.send(gateway, "/search/?query=swift").status == 200)
        #expect(try await SearchAppFlow.send(gateway, "/search/?query=swift").status == 200)
        // Never on the public port.
        #expect(try await SearchAppFlow.send(gateway, "/metrics").status == 404)
        let scrape = try await SearchAppFlow.send(try #require(servers.ports["metrics"]), "/metrics")
        #expect(scrape.status == 200 && scrape.header("content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
        // The text format: comments, or `name{labels} value`.
        let sample = try Regex(#"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$"#)
        let lines = scrape.text.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines where !line.hasPrefix("#") {
            #expect(line.wholeMatch(of: sample) != nil, "not Prometheus text: \(line)")
        }
        for (server, route) in [("gateway", "/search/"), ("web", "/search/"), ("api", "/api/search/")] {
            let count = lines.first {
                $0.hasPrefix("http_server_request_duration_seconds_count{") && $0.contains("server_name=\"\(server)\"")
                    && $0.contains("http_route=\"\(route)\"") && $0.contains("http_response_status_code=\"200\"")
            }
            #expect(count?.hasSuffix(" 2") == true, "\(server) \(route): \(count ?? "missing")")
        }
        #expect(lines.contains { $0.hasPrefix("http_client_request_duration_seconds_count{") })
        // Pools, upstream health and requests in flight.
        #expect(lines.contains { $0.hasPrefix("http_client_open_connections{") && $0.contains("http_connection_state=\"idle\"") })
        #expect(lines.contains { $0.hasPrefix("tandem_upstream_healthy{") && $0.hasSuffix(" 1.0") })
        #expect(lines.contains { $0.hasPrefix("http_server_active_requests{") })
        #expect(try await servers.terminate() == 0)
    }

    @Test(
        "with OTEL_EXPORTER_OTLP_ENDPOINT set, one page request reaches an OTLP/HTTP receiver as one trace over three services, continuing the caller's traceparent"
    )
    func otlpTraces() async throws {
        // An independent receiver: Python with the OpenTelemetry project's protobuf definitions (Tests/Support).
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Support/otlp_receiver.py")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-otlp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let spansFile = folder.appendingPathComponent("spans.jsonl")
        let errorLog = folder.appendingPathComponent("split-services.log")
        let receiver = try ServerProcess("/usr/bin/env", ["python3", script.path, spansFile.path], announcing: "receiver")
        defer { receiver.process.terminate() }
        let receiverPort = try #require(receiver.ports["receiver"])
        let servers = try ServerProcess(
            "split-services",
            ["--gateway-port", "0", "--web-port", "0", "--api-port", "0", "--log-format", "json", "--log-level", "debug"],
            environment: [
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(receiverPort)",
                "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
                "OTEL_BSP_SCHEDULE_DELAY": "100",
            ],
            errorLog: errorLog,
            announcing: "gateway",
            "web",
            "api"
        )
        let traceID = String((0..<32).map { _ in "0123456789abcdef".randomElement()! })
        let callerSpan = "b7ad6b7169203331"
        let page = try await SearchAppFlow.send(
            try #require(servers.ports["gateway"]),
            "/search/?query=swift",
            headers: ["traceparent: 00-\(traceID)-\(callerSpan)-01"]
        )
        #expect(page.status == 200)

        struct Span: Decodable {
            let service: String
            let trace_id: String
            let span_id: String
            let parent_span_id: String
            let name: String
            let kind: String
        }
        func spans() -> [Span] {
            let lines = ((try? String(contentsOf: spansFile, encoding: .utf8)) ?? "").split(separator: "\n")
            return lines.compactMap { try? JSONDecoder().decode(Span.self, from: Data($0.utf8)) }.filter { $0.trace_id == traceID }
        }
        _ = try await eventually { spans().count >= 5 }
        let trace = spans()
        let serverSpans = trace.filter { $0.kind == "SPAN_KIND_SERVER" }
        let clients = trace.filter { $0.kind == "SPAN_KIND_CLIENT" }
        #expect(serverSpans.count >= 3 && clients.count >= 2, "spans: \(trace.map { "\($0.service) \($0.kind) \($0.name)" })")
        func one(_ service: String, _ kind: String) -> Span? {
            trace.first { $0.service == service && $0.kind == kind }
        }
        // caller → gateway (server) → gateway (client) → web (server) → web (client) → api (server)
        let gateway = try #require(one("tandem-gateway", "SPAN_KIND_SERVER"))
        let gatewayCall = try #require(one("tandem-gateway", "SPAN_KIND_CLIENT"))
        let web = try #require(one("tandem-web", "SPAN_KIND_SERVER"))
        let webCall = try #require(one("tandem-web", "SPAN_KIND_CLIENT"))
        let api = try #require(one("tandem-api", "SPAN_KIND_SERVER"))
        #expect(gateway.parent_span_id == callerSpan)
        #expect(gatewayCall.parent_span_id == gateway.span_id)
        #expect(web.parent_span_id == gatewayCall.span_id)
        #expect(webCall.parent_span_id == web.span_id)
        #expect(api.parent_span_id == webCall.span_id)
        #expect(gateway.name == "GET /search/" && web.name == "GET /search/" && api.name == "GET /api/search/")
        #expect(try await servers.terminate() == 0)
        // The access log lines carry the trace id, the real client, and the upstream with its time.
        let lines = try String(contentsOf: errorLog, encoding: .utf8).split(separator: "\n")
        let gatewayLine = try #require(lines.first { $0.contains(#""logger":"gateway""#) && $0.contains(#""message":"GET /search/ 200""#) })
        #expect(gatewayLine.contains(#""trace_id":"\#(traceID)""#))
        #expect(gatewayLine.contains(#""upstream":"127.0.0.1:\#(servers.ports["web"]!)""#))
        #expect(gatewayLine.contains(#""upstream_ms":""#))
    }

    @Test("hostile requests through the gateway: nothing crashes, every answer is HTTP, and the servers go on serving")
    func hostileRequests() async throws {
        let servers = try Self.allServers()
        let port = servers.port
        // Warm the gateway's upstream pools, so the next requests take the event-loop fast path.
        for _ in 0..<4 { _ = try await SearchAppFlow.send(port, "/api/search/?query=swift") }
        for path in ["/api/caf%C3%A9", "/search/a%20b/", "/x%41", "/api/items/100%25", "/search/?query=caf%C3%A9"] {
            let status = try await SearchAppFlow.send(port, path).status
            #expect([200, 404].contains(status), "\(path): \(status)")
        }
        let bare = try await SearchAppFlow.send(port, "/search?query=x")
        #expect(bare.status == 301 && bare.header("location") == "/search/?query=x")

        let connect = try await RawHTTPClient.connect(port: port)
        try await connect.send("CONNECT 127.0.0.1:9 HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n" + String(repeating: "junk", count: 10_000))
        let refused = try await connect.readResponse()
        #expect(refused.status >= 400 && refused.header("connection") == "close")
        #expect(await connect.isClosedByServer())

        #expect(try await SearchAppFlow.send(port, "/healthz").status == 200)
        try await SearchAppFlow.everyRoute(port: port)
        #expect(try await servers.terminate() == 0, "the process survived and stopped cleanly")
    }

    @Test(
        "Separate processes: a dead API gives 502 pages and 502 API answers, a dead web server 502 pages; restarts recover without restarting the gateway"
    )
    func recovery() async throws {
        var api = try ServerProcess("split-services", ["api", "--port", "0"], announcing: "api")
        let apiPort = api.port
        var web = try ServerProcess("split-services", ["web", "--port", "0", "--api", "http://127.0.0.1:\(apiPort)"], announcing: "web")
        let webPort = web.port
        let gateway = try ServerProcess(
            "split-services",
            [
                "gateway", "--port", "0", "--route", "/search/=http://127.0.0.1:\(webPort)",
                "--route", "/api/=http://127.0.0.1:\(apiPort)", "--route", "/=http://127.0.0.1:\(apiPort)",
            ],
            announcing: "gateway"
        )
        let port = gateway.port
        try await SearchAppFlow.everyRoute(port: port)

        try await api.kill()
        let page = try await SearchAppFlow.send(port, "/search/?query=swift", headers: ["X-Request-ID: api-down-1"])
        #expect(page.status == 502)
        let tree = try HTMLTree(parsing: page.body)
        #expect(tree.first("body")?["data-status"] == "502")
        #expect(tree.first("h1")?.text == "The search service is unavailable")
        #expect(tree.first(where: "class", is: "request-id")?.text == "Request ID: api-down-1")
        #expect(try await SearchAppFlow.send(port, "/api/search/?query=swift").status == 502)
        #expect(try await SearchAppFlow.send(port, "/search/").status == 200)  // pages without API data still work

        api = try ServerProcess("split-services", ["api", "--port", String(apiPort)], announcing: "api")
        #expect(try await eventually { (try? await SearchAppFlow.send(port, "/search/?query=swift").status) == 200 })
        #expect(try await SearchAppFlow.send(port, "/api/search/?query=swift").status == 200)

        try await web.kill()
        let noWeb = try await SearchAppFlow.send(port, "/search/?query=swift")
        #expect(noWeb.status == 502)
        #expect(noWeb.header("content-type") == "text/plain; charset=utf-8")
        #expect(try await SearchAppFlow.send(port, "/api/search/?query=swift").status == 200)

        web = try ServerProcess(
            "split-services",
            ["web", "--port", String(webPort), "--api", "http://127.0.0.1:\(apiPort)"],
            announcing: "web"
        )
        #expect(try await eventually { (try? await SearchAppFlow.send(port, "/search/?query=swift").status) == 200 })
        try await SearchAppFlow.everyRoute(port: port)

        #expect(try await gateway.terminate() == 0)
        #expect(try await web.terminate() == 0)
        #expect(try await api.terminate() == 0)
    }
}
