import APIEnvelope
import HTTPCore
import HTTPTypes
import NIOCore
import Routing
import TandemTesting
import Testing
import Validation

struct Echo: Encodable, Sendable {
    var name: String
    var quantity: Int
}

let echoSchema = Schema<Echo>("Echo") { s in
    let name = s.field("name", .string())
    let quantity = s.field("quantity", .integer())
    return { Echo(name: $0[name], quantity: $0[quantity]) }
}

/// Described routes: the handler decodes the input its operation declares, before the body runs.
func describedRoutes(_ calls: Probe) -> TrieRouter.Builder {
    var routes = TrieRouter.Builder()
    routes.get(
        "/api/search/",
        handler: APIHandler(APIOperation("search"), input: .query(querySchema), output: .object(echoSchema)) { input, _, _ in
            calls.add("search")
            return .ok(Echo(name: input.query, quantity: input.maxResults))
        }
    )
    routes.post(
        "/api/items/",
        handler: APIHandler(
            APIOperation("create", successStatus: .created),
            input: .json(itemSchema, maxBytes: 64),
            output: .object(echoSchema)
        ) {
            item,
            _,
            _ in
            calls.add("create")
            return .created(Echo(name: item.name, quantity: item.quantity))
        }
    )
    routes.post(
        "/api/form/",
        handler: APIHandler(APIOperation("form"), input: .form(itemSchema)) { _, _, _ in
            calls.add("form")
            return APIResponse<NoData>(data: nil)
        }
    )
    routes.get(
        "/api/items/:id",
        handler: APIHandler(APIOperation("read"), output: .object(echoSchema)) { _, context in
            .ok(Echo(name: "item", quantity: try context.parameters.require("id", as: Int.self)))
        }
    )
    return routes
}

@Suite("Described API routes")
struct APIOperationTests {
    @Test("the operation records the input's location and schema and the output's shape; undescribed handlers have none")
    func recorded() {
        let routes = describedRoutes(Probe()).routes
        let operations = routes.map { ($0.handler as? any OperationDescribing)?.operation }
        #expect(operations.map { $0?.id } == ["search", "create", "form", "read"])
        #expect(operations.map { $0?.input?.location } == [.query, .json, .form, nil])
        #expect(operations[0]?.input?.schema == querySchema.descriptor)
        #expect(operations[0]?.output == .object(echoSchema.descriptor))
        #expect(operations[2]?.output == nil)
        #expect(operations[1]?.successStatus == .created)
        #expect((APIHandler { _, _ in NoData() } as any OperationDescribing).operation == nil)
    }

    @Test(
        "over sockets: input decoded as declared, every problem a 422, wrong media 415, too large 413, bad JSON 400; the body never runs then"
    )
    func decoding() async throws {
        let calls = Probe()
        let app = try describedRoutes(calls).build().wrapped(in: ErrorMiddleware(EnvelopeErrorRenderer()))
        try await withTestServer(app, errorRenderer: EnvelopeErrorRenderer()) { port, _ in
            let ok = try await exchange(port, "GET /api/search/?query=%20nio%20&max_results=3 HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(ok.status == 200)
            #expect(ok.text == #"{"status":"success","data":{"name":"nio","quantity":3},"error":null}"#)

            let invalid = try await exchange(port, "GET /api/search/?max_results=0 HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(invalid.status == 422)
            #expect(
                invalid.text.contains(#"{"loc":["query"],"code":"missing""#)
                    && invalid.text.contains(#"{"loc":["max_results"],"code":"out_of_range""#)
            )

            let created = try await exchange(port, post("/api/items/", "application/json", #"{"name":"pen","quantity":2}"#))
            #expect(created.status == 201)
            #expect(created.text == #"{"status":"success","data":{"name":"pen","quantity":2},"error":null}"#)
            #expect(try await exchange(port, post("/api/items/", "text/plain", #"{"name":"pen"}"#)).status == 415)
            #expect(try await exchange(port, post("/api/items/", "application/json", #"{"name":"pen""#)).status == 400)
            let large = #"{"name":"\#(String(repeating: "p", count: 100))"}"#
            #expect(try await exchange(port, post("/api/items/", "application/json", large)).status == 413)
            let unknown = try await exchange(port, post("/api/items/", "application/json", #"{"name":"","extra":1}"#))
            #expect(unknown.status == 422 && unknown.text.contains("too_short") && unknown.text.contains("unknown_field"))

            #expect(try await exchange(port, post("/api/form/", "application/x-www-form-urlencoded", "name=pen&quantity=3")).status == 200)
            #expect(try await exchange(port, post("/api/form/", "application/x-www-form-urlencoded", "quantity=30")).status == 422)
            #expect(try await exchange(port, "GET /api/items/x HTTP/1.1\r\nHost: t\r\n\r\n").status == 400)
        }
        #expect(calls["search"] == 1 && calls["create"] == 1 && calls["form"] == 1)
    }
}
