import HTTPCore
import Logging
import TandemApp
import TandemTesting
import Testing

@Suite("withTestApp")
struct TestAppTests {
    /// An app of two servers whose every log line, at every level, goes to `log`.
    func app(logging log: CapturedLog) -> TandemApp {
        var app = TandemApp(settings: TandemApp.Settings(logLevel: .trace)) { _ in }
        app.logHandler = { _ in log.handler() }
        app.server("api", port: 0) { _ in HandlerFunction { _, _ in .text("api") } }
        app.server("web", port: 0) { _ in HandlerFunction { _, _ in .text("web") } }
        return app
    }

    @Test("the app is shut down gracefully when the body ends: nothing is logged as an error")
    func gracefulShutdown() async throws {
        let log = CapturedLog()
        let answer = try await withTestApp(self.app(logging: log)) { servers in
            try await RawHTTPClient.roundTrip(port: servers.port(of: "api"), "GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        }
        #expect(answer.text == "api")
        #expect(!log.records.isEmpty)  // the servers did log through the handler
        let errors = log.records.filter { $0.level >= .error }
        #expect(errors.isEmpty, "\(errors.map(\.message))")
    }

    @Test("a body that throws still shuts the app down gracefully, and its error is what the caller gets")
    func bodyThrows() async throws {
        struct Expected: Error {}
        let log = CapturedLog()
        await #expect(throws: Expected.self) {
            try await withTestApp(self.app(logging: log)) { _ in throw Expected() }
        }
        #expect(log.records.filter { $0.level >= .error }.isEmpty, "\(log.records.map(\.message))")
    }
}
