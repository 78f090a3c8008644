import APIEnvelope
import HTTPCore
import HTTPTypes
import NIOCore
import Routing
import TandemTesting
import Testing
import Validation

struct Query: Sendable {
    var query: String
    var maxResults: Int
}

struct NewItem: Sendable, Encodable {
    var name: String
    var quantity: Int
}

let querySchema = Schema<Query>("SearchSchema") { s in
    let query = s.field("query", .string(minLength: 1, maxLength: 200, trimmed: true))
    let maxResults = s.field("max_results", .integer(1...100), default: 10)
    return { Query(query: $0[query], maxResults: $0[maxResults]) }
}

let itemSchema = Schema<NewItem>("NewItem", unknownFields: .reject) { s in
    let name = s.field("name", .string(minLength: 1, maxLength: 20))
    let quantity = s.field("quantity", .integer(1...9), default: 1)
    return { NewItem(name: $0[name], quantity: $0[quantity]) }
}

struct Results: Encodable, Sendable {
    var query: String
    var total: Int
}

struct Leaky: Error { let text = "connection string postgres://admin:secret@db" }

/// A raw request with a correct `Content-Length`.
func post(_ path: String, _ contentType: String, _ body: String) -> String {
    "POST \(path) HTTP/1.1\r\nHost: t\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
}

func exchange(_ port: Int, _ raw: String) async throws -> RawHTTPResponse {
    try await RawHTTPClient.roundTrip(port: port, raw)
}

@Suite("API mount over sockets")
struct APIHandlerTests {
    var configuration:
        HTTPServer<MiddlewareHandler<RequestIDMiddleware, MiddlewareHandler<ErrorMiddleware<EnvelopeErrorRenderer>, TrieRouter>>>
            .Configuration
    {
        var configuration = HTTPServer<
            MiddlewareHandler<RequestIDMiddleware, MiddlewareHandler<ErrorMiddleware<EnvelopeErrorRenderer>, TrieRouter>>
        >.Configuration(port: 0)
        configuration.limits.maxBodyBytes = 1000
        return configuration
    }

    func withAPI(_ body: (Int) async throws -> Void) async throws {
        var routes = TrieRouter.Builder()
        routes.get(
            "/api/search/",
            handler: APIHandler { request, _ in
                let input = try request.decodeQuery(querySchema)
                return Results(query: input.query, total: input.maxResults)
            }
        )
        routes.post(
            "/api/items/",
            handler: APIHandler { request, _ -> APIResponse<NewItem> in
                .created(try await request.decodeJSON(itemSchema), location: "/api/items/1")
            }
        )
        routes.post("/api/form/", handler: APIHandler { request, _ in try await request.decodeForm(itemSchema) })
        routes.delete("/api/items/:id", handler: APIHandler { _, _ -> APIResponse<NoData> in .noContent })
        routes.get("/api/boom/", handler: APIHandler { _, _ -> NoData in throw Leaky() })
        let app = try routes.build().wrapped(in: ErrorMiddleware(EnvelopeErrorRenderer())).wrapped(in: RequestIDMiddleware())
        try await withTestServer(app, configuration: self.configuration, errorRenderer: EnvelopeErrorRenderer()) { port, _ in
            try await body(port)
        }
    }

    @Test("a typed route answers 200 with the envelope")
    func success() async throws {
        try await self.withAPI { port in
            let response = try await exchange(port, "GET /api/search/?query=%20swift%20&max_results=5 HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(response.status == 200)
            #expect(response.header("content-type") == "application/json")
            #expect(response.text == #"{"status":"success","data":{"query":"swift","total":5},"error":null}"#)
        }
    }

    @Test("invalid input is 422 with every problem")
    func validation() async throws {
        try await self.withAPI { port in
            let response = try await exchange(port, "GET /api/search/?max_results=500 HTTP/1.1\r\nHost: t\r\nX-Request-ID: rid-9\r\n\r\n")
            #expect(response.status == 422)
            #expect(
                response.text
                    == #"{"status":"error","data":null,"error":{"code":"validation_failed","message":"The input is not valid","details":[{"loc":["query"],"code":"missing","message":"Field required"},{"loc":["max_results"],"code":"out_of_range","message":"Must be between 1 and 100"}],"request_id":"rid-9"}}"#
            )
        }
    }

    @Test(
        "router, body and parse failures come out as envelopes with the right status",
        arguments: [
            ("GET /api/nope HTTP/1.1\r\nHost: t\r\n\r\n", 404, "not_found"),
            ("PUT /api/search/ HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n", 405, "method_not_allowed"),
            (post("/api/items/", "application/json", #"{"name":1"#), 400, "invalid_json"),
            (post("/api/items/", "text/plain", "hi"), 415, "unsupported_media_type"),
            (
                "POST /api/items/ HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n", 413,
                "payload_too_large"
            ),
            (
                "POST /api/items/ HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "258\r\n\(String(repeating: " ", count: 600))\r\n258\r\n\(String(repeating: " ", count: 600))\r\n", 413,
                "payload_too_large"
            ),
            (post("/api/items/", "application/json; charset=utf-8", #"{"name":"","color":"r"}"#), 422, "validation_failed"),
        ]
    )
    func failures(raw: String, status: Int, code: String) async throws {
        try await self.withAPI { port in
            let response = try await exchange(port, raw)
            #expect(response.status == status)
            #expect(response.header("content-type") == "application/json")
            #expect(response.text.hasPrefix(#"{"status":"error","data":null,"error":{"code":"\#(code)""#))
            if status == 405 { #expect(response.header("allow") == "GET, HEAD") }
        }
    }

    @Test("an unexpected error is a generic 500 with the request id, never its text")
    func internalError() async throws {
        try await self.withAPI { port in
            let response = try await exchange(port, "GET /api/boom/ HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(response.status == 500)
            let id = try #require(response.header("x-request-id"))
            #expect(
                response.text
                    == #"{"status":"error","data":null,"error":{"code":"internal_error","message":"Internal server error","details":[],"request_id":"\#(id)"}}"#
            )
            #expect(!response.text.contains("secret"))
        }
    }

    @Test("201 with Location, 204 without a body, and form bodies")
    func statuses() async throws {
        try await self.withAPI { port in
            let created = try await exchange(port, post("/api/items/", "application/json", #"{"name":"pen","quantity":2}"#))
            #expect(created.status == 201)
            #expect(created.header("location") == "/api/items/1")
            #expect(created.text == #"{"status":"success","data":{"name":"pen","quantity":2},"error":null}"#)
            let deleted = try await exchange(port, "DELETE /api/items/1 HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(deleted.status == 204)
            #expect(deleted.body.isEmpty)
            let form = try await exchange(port, post("/api/form/", "application/x-www-form-urlencoded", "name=red+pen&quantity=3"))
            #expect(form.status == 200)
            #expect(form.text == #"{"status":"success","data":{"name":"red pen","quantity":3},"error":null}"#)
        }
    }

    @Test("a mount can render the same errors as RFC 9457 problem details")
    func problemDetails() async throws {
        var routes = TrieRouter.Builder()
        routes.get("/api/search/", handler: APIHandler { request, _ in try request.decodeQuery(querySchema).query })
        let app = try routes.build().wrapped(in: ErrorMiddleware(ProblemDetailsRenderer()))
        try await withTestServer(app) { port in
            let response = try await exchange(port, "GET /api/search/?query= HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(response.status == 422)
            #expect(response.header("content-type") == "application/problem+json")
            #expect(response.text.contains(#""code":"validation_failed""#))
            #expect(response.text.contains(#""loc":["query"],"code":"too_short""#))
        }
    }
}
