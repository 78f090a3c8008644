import HTTPCore
import HTTPTypes
import Logging
import NIOCore
import Routing
import Synchronization
import TandemTesting
import Testing

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
    @Test("logs method, path, route template, status, bytes, duration, request id and user agent")
    func logsLine() async throws {
        let log = CapturedLog()
        var routes = TrieRouter.Builder()
        routes.get("/a/:name") { _, _ in .text("12345") }
        let app = try routes.build()
            .wrapped(in: AccessLogMiddleware())
            .wrapped(in: RequestIDMiddleware())
        _ = try await run(app, get("/a/b?q=1", headers: [.xRequestID: "rid-1", .userAgent: "curl/8"]), logger: log.logger)
        let record = try #require(log.records.first)
        #expect(record.message == "GET /a/b 200")
        #expect(record.metadata["route"] == "/a/:name")
        #expect(record.metadata["bytes"] == "5")
        #expect(record.metadata["request_id"] == "rid-1")
        #expect(record.metadata["user_agent"] == "curl/8")
        #expect(record.metadata["client"] == "-")  // no peer in a direct call
        #expect(record.metadata["duration_ms"] != nil)
    }

    /// The stacks a user may build from the two (with error handling between or around them).
    static let orders: [String] = ["log outside id", "id outside log", "log only", "log outside errors outside id"]

    @Test("every order of access log and request id logs the id the response carries", arguments: orders, [nil, "rid-7"])
    func requestIDInEveryOrder(order: String, incoming: String?) async throws {
        let log = CapturedLog()
        let app = HandlerFunction { _, context in .text(context.requestID ?? "none") }
        let errors = ErrorMiddleware(PlainTextErrorRenderer())
        let handler: any HTTPHandler =
            switch order {
            case "log outside id": app.wrapped(in: RequestIDMiddleware()).wrapped(in: AccessLogMiddleware())
            case "id outside log": app.wrapped(in: AccessLogMiddleware()).wrapped(in: RequestIDMiddleware())
            case "log only": app.wrapped(in: AccessLogMiddleware())
            default: app.wrapped(in: RequestIDMiddleware()).wrapped(in: errors).wrapped(in: AccessLogMiddleware())
            }
        var headers = HTTPFields()
        if let incoming { headers[.xRequestID] = incoming }
        let response = try await run(handler, get("/", headers: headers), logger: log.logger)
        let seen = String(buffer: try await response.body.collect())
        let logged = try #require(log.records.first?.metadata["request_id"])
        #expect(logged == seen, "the handler and the log line see one id")
        #expect(logged != "-")
        if let incoming { #expect(logged == incoming) }
        if order != "log only" { #expect(response.headers[.xRequestID] == logged) }
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
        #expect(log.records.isEmpty)
        _ = try await response.body.collect()
        #expect(log.records.first?.metadata["bytes"] == "7")
    }

    @Test("logs thrown errors with their status")
    func logsErrors() async throws {
        let log = CapturedLog()
        let app = HandlerFunction { _, _ in throw HTTPError(.forbidden) }.wrapped(in: AccessLogMiddleware())
        await #expect(throws: HTTPError.self) { try await run(app, get("/x"), logger: log.logger) }
        #expect(log.records.first?.message == "GET /x 403")
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
        #expect(log.records.contains { $0.level == .error && ($0.metadata["error"] ?? "").contains("secrets") })
    }
}
