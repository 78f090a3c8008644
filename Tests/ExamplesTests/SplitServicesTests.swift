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
        #expect(try await servers.terminate() == 0)
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
