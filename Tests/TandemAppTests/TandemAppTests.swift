import Foundation
import HTTPCore
import Logging
import ProxyClient
import Routing
import Synchronization
import TandemApp
import TandemTesting
import Testing

@Suite("TandemApp settings")
struct TandemAppSettingsTests {
    @Test("defaults, then the environment, then flags")
    func precedence() throws {
        #expect(try TandemApp.Settings.parse([], environment: [:]) == TandemApp.Settings())
        let settings = try TandemApp.Settings.parse(
            ["--host=0.0.0.0", "--api-port", "0", "--log-format", "json"],
            environment: ["HOST": "10.0.0.1", "API_PORT": "9000", "DEV_PROXY_PORT": "9001", "LOG_LEVEL": "debug", "PATH": "/bin"]
        )
        #expect(settings.host == "0.0.0.0")
        #expect(settings.ports == ["api": 0, "dev-proxy": 9001])
        #expect(settings.logLevel == .debug)
        #expect(settings.logFormat == .json)
    }

    @Test(
        "bad flags and values are refused with a message naming them",
        arguments: [
            (["--bogus", "1"], [:], "--bogus"), (["--api-port", "70000"], [:], "70000"), (["--log-level"], [:], "--log-level"),
            ([], ["LOG_FORMAT": "xml"], "LOG_FORMAT"), ([], ["WEB_PORT": "web"], "WEB_PORT"), (["stray"], [:], "stray"),
        ] as [([String], [String: String], String)]
    )
    func refused(arguments: [String], environment: [String: String], named: String) {
        #expect {
            _ = try TandemApp.Settings.parse(arguments, environment: environment)
        } throws: { error in
            (error as? TandemAppError)?.description.contains(named) == true
        }
    }
}

@Suite("TandemApp")
struct TandemAppTests {
    /// Runs the app `configure` builds (logging critical only) until `body` is done; the announced lines are collected.
    func running(_ configure: (inout TandemApp) -> Void, _ body: ([String]) async throws -> Void) async throws {
        let lines = Mutex<[String]>([])
        var app = TandemApp(settings: TandemApp.Settings(logLevel: .critical)) { line in lines.withLock { $0.append(line) } }
        configure(&app)
        // Every server announces itself before the app counts as started.
        try await withTestApp(app) { _ in try await body(lines.withLock { $0 }) }
    }

    static func port(_ name: String, in lines: [String]) throws -> Int {
        let line = try #require(lines.first { $0.hasPrefix("\(name) listening on http://127.0.0.1:") })
        return try #require(Int(line.split(separator: ":").last!))
    }

    @Test("servers on port 0 get each other's real URLs (both ways), announce themselves and answer /healthz")
    func wiring() async throws {
        try await self.running { app in
            // Each server's handler calls the other: only possible when both are bound before either is built.
            for (name, other) in [("first", "second"), ("second", "first")] {
                app.server(name, port: 0) { servers in
                    let client = HTTPClient()
                    let url = servers.url(other)
                    return HandlerFunction { request, _ in
                        if request.path == "/peer" { return .text(url) }
                        if request.path == "/call" { return try await client.get(url + "/peer") }
                        return .text(name)
                    }
                }
            }
        } _: { lines in
            let first = try Self.port("first", in: lines)
            let second = try Self.port("second", in: lines)
            #expect(first != second)
            #expect(
                try await RawHTTPClient.roundTrip(port: first, "GET /peer HTTP/1.1\r\nHost: t\r\n\r\n").text == "http://127.0.0.1:\(second)"
            )
            // A real call from one to the other and back.
            #expect(
                try await RawHTTPClient.roundTrip(port: first, "GET /call HTTP/1.1\r\nHost: t\r\n\r\n").text == "http://127.0.0.1:\(first)"
            )
            let health = try await RawHTTPClient.roundTrip(port: second, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(health.status == 200 && health.text == "ok\n")
        }
    }

    @Test("a port in use is a clear error naming the server, and nothing is left listening")
    func portInUse() async throws {
        try await withTestServer(HandlerFunction { _, _ in .text("taken") }) { taken in
            var app = TandemApp(settings: TandemApp.Settings(logLevel: .critical)) { _ in }
            app.server("free", port: 0) { _ in HandlerFunction { _, _ in .text("free") } }
            app.server("busy", port: taken) { _ in HandlerFunction { _, _ in .text("busy") } }
            await #expect {
                try await app.run()
            } throws: { error in
                (error as? TandemAppError)?.description.contains("busy: cannot listen on 127.0.0.1:\(taken)") == true
            }
        }
    }

    @Test("settings changed after the servers were added are the ones used; servers are named in the order added")
    func settingsWhenRun() async throws {
        try await withTestServer(HandlerFunction { _, _ in .text("taken") }) { taken in
            var app = TandemApp(settings: TandemApp.Settings(logLevel: .critical)) { _ in }
            app.server("second", port: taken) { _ in HandlerFunction { _, _ in .text("second") } }
            app.server("first", port: taken) { _ in HandlerFunction { _, _ in .text("first") } }
            app.settings.ports = ["second": 0, "first": 0]  // without this, both would fail to bind
            try await withTestApp(app) { servers in
                #expect(servers.names == ["second", "first"])
                let answer = try await RawHTTPClient.roundTrip(port: servers.port(of: "first"), "GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(answer.text == "first")
            }
        }
    }

    @Test("the health check leaves a gateway's event-loop fast path in place for every other path")
    func healthCheckKeepsFastPath() async throws {
        try await withTestServer(HandlerFunction { request, _ in .text("upstream \(request.path)") }) { upstream in
            var router = PrefixRouter()
            router.location("/", try ReverseProxy(to: "http://127.0.0.1:\(upstream)"))
            try await withTestServer(HealthCheck(router)) { port, server in
                #expect(server.hasEventLoopFastPath)
                let health = try await RawHTTPClient.roundTrip(port: port, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(health.text == "ok\n")
                let proxied = try await RawHTTPClient.roundTrip(port: port, "GET /x HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(proxied.text == "upstream /x")
                let posted = try await RawHTTPClient.roundTrip(port: port, "POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
                #expect(posted.text == "upstream /healthz")
            }
        }
    }

    @Test("JSON log lines are one object each, with the logger's and the record's metadata")
    func jsonLines() throws {
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "api") { JSONLogHandler(label: $0) { line in lines.withLock { $0.append(line) } } }
        logger[metadataKey: "request_id"] = "r-1"
        logger.info("GET /x 200", metadata: ["status": "200", "quote": "a \"b\"\n\u{01}"])
        let line = try #require(lines.withLock { $0.first })
        #expect(line.hasSuffix("}\n") && !line.dropLast().contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["level"] == "info" && object["logger"] == "api" && object["message"] == "GET /x 200")
        #expect(object["request_id"] == "r-1" && object["status"] == "200" && object["quote"] == "a \"b\"\n\u{01}")
        #expect(object["time"]?.hasSuffix("Z") == true)
    }
}
