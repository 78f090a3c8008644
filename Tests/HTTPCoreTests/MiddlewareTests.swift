import HTTPCore
import HTTPTypes
import Logging
import NIOCore
import Synchronization
import Testing

/// Captures log records for assertions.
final class CapturedLog: Sendable {
    struct Record: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    let records = Mutex<[Record]>([])

    var logger: Logger {
        Logger(label: "capture") { _ in CapturingHandler(log: self) }
    }

    struct CapturingHandler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { self.metadata[key] }
            set { self.metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = self.metadata
            for (key, value) in event.metadata ?? [:] { merged[key] = value }
            let record = Record(
                level: event.level,
                message: "\(event.message)",
                metadata: merged.mapValues { "\($0)" }
            )
            self.log.records.withLock { $0.append(record) }
        }
    }
}

func run(_ handler: some HTTPHandler, _ request: Request, logger: Logger = Logger(label: "t")) async throws -> Response {
    try await handler.handle(request, context: RequestContext(logger: logger))
}

func get(_ path: String, headers: HTTPFields = [:]) -> Request {
    Request(head: HTTPRequest(method: .get, scheme: "http", authority: "t", path: path, headerFields: headers))
}

@Suite("RequestIDMiddleware")
struct RequestIDMiddlewareTests {
    let echo = HandlerFunction { _, context in .text(context.requestID ?? "none") }

    @Test("keeps a sane incoming id and echoes it")
    func keepsIncoming() async throws {
        let response = try await run(self.echo.wrapped(in: RequestIDMiddleware()), get("/", headers: [.xRequestID: "abc-123_x.y:z"]))
        #expect(response.headers[.xRequestID] == "abc-123_x.y:z")
        #expect(String(buffer: try await response.body.collect()) == "abc-123_x.y:z")
    }

    @Test(
        "replaces missing or unsafe ids with 32 hex digits",
        arguments: [nil, "", "a b", "<script>", "a/b", String(repeating: "a", count: 129)]
    )
    func replaces(incoming: String?) async throws {
        var headers = HTTPFields()
        if let incoming { headers[.xRequestID] = incoming }
        let response = try await run(self.echo.wrapped(in: RequestIDMiddleware()), get("/", headers: headers))
        let id = try #require(response.headers[.xRequestID])
        #expect(id.utf8.count == 32)
        #expect(id.allSatisfy { $0.isHexDigit })
        #expect(id != incoming)
    }

    @Test("generated ids differ")
    func unique() {
        #expect(Set((0..<1000).map { _ in RequestIDMiddleware.generate() }).count == 1000)
    }
}

@Suite("AccessLogMiddleware")
struct AccessLogMiddlewareTests {
    @Test("logs method, path, status, bytes, duration and request id")
    func logsLine() async throws {
        let log = CapturedLog()
        let app = HandlerFunction { _, _ in .text("12345") }
            .wrapped(in: AccessLogMiddleware())
            .wrapped(in: RequestIDMiddleware())
        _ = try await run(app, get("/a/b?q=1", headers: [.xRequestID: "rid-1"]), logger: log.logger)
        let record = try #require(log.records.withLock { $0.first })
        #expect(record.message == "GET /a/b 200")
        #expect(record.metadata["bytes"] == "5")
        #expect(record.metadata["request_id"] == "rid-1")
        #expect(record.metadata["duration_ms"] != nil)
    }

    @Test("logs streamed bodies with the bytes actually written, when the stream ends")
    func logsStream() async throws {
        let log = CapturedLog()
        let app = HandlerFunction { _, _ in
            Response(
                body: .stream { writer in
                    try await writer.write(ByteBuffer(string: "abc"))
                    try await writer.write(ByteBuffer(string: "defg"))
                }
            )
        }.wrapped(in: AccessLogMiddleware())
        let response = try await run(app, get("/s"), logger: log.logger)
        #expect(log.records.withLock { $0.isEmpty })
        _ = try await response.body.collect()
        #expect(log.records.withLock { $0.first?.metadata["bytes"] } == "7")
    }

    @Test("logs thrown errors with their status")
    func logsErrors() async throws {
        let log = CapturedLog()
        let app = HandlerFunction { _, _ in throw HTTPError(.forbidden) }.wrapped(in: AccessLogMiddleware())
        await #expect(throws: HTTPError.self) { try await run(app, get("/x"), logger: log.logger) }
        #expect(log.records.withLock { $0.first?.message } == "GET /x 403")
    }
}

@Suite("ErrorMiddleware")
struct ErrorMiddlewareTests {
    struct Internal: Error { let secret = "stack trace with secrets" }

    @Test("renders HTTPError with its status, message and headers")
    func httpError() async throws {
        let app = HandlerFunction { _, _ in throw HTTPError(.unauthorized, message: "Sign in", headers: [.wwwAuthenticate: "Bearer"]) }
            .wrapped(in: ErrorMiddleware(PlainTextErrorRenderer()))
        let response = try await run(app, get("/"))
        #expect(response.status == .unauthorized)
        #expect(response.headers[.wwwAuthenticate] == "Bearer")
        #expect(String(buffer: try await response.body.collect()) == "Sign in\n")
    }

    @Test("renders unknown errors as a generic 500 and logs the detail")
    func unknownError() async throws {
        let log = CapturedLog()
        let app = HandlerFunction { _, _ in throw Internal() }.wrapped(in: ErrorMiddleware(PlainTextErrorRenderer()))
        let response = try await run(app, get("/"), logger: log.logger)
        #expect(response.status == .internalServerError)
        let body = String(buffer: try await response.body.collect())
        #expect(!body.contains("secrets"))
        #expect(log.records.withLock { $0.contains { $0.level == .error && ($0.metadata["error"] ?? "").contains("secrets") } })
    }
}
