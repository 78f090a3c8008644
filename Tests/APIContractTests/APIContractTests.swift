import APIContract
import APIEnvelope
import HTTPCore
import HTTPTypes
import Routing
import TandemTesting
import Testing
import Validation

@Suite("APIContract")
struct APIContractTests {
    @Test("described routes in the router's order, with paths, parameters and the credentials of their groups' middleware")
    func operations() throws {
        let contract = try notesContract()
        #expect(
            contract.operations.map(\.operation.id) == [
                "listNotes", "createNote", "getNote", "renameNote", "uploadFile", "deleteNote", "whoAmI",
            ]
        )
        #expect(
            contract.operations.map(\.path) == [
                "/api/notes/", "/api/notes/", "/api/notes/{id}", "/api/notes/{id}/rename", "/api/notes/{id}/files",
                "/api/admin/notes/{id}", "/api/me/",
            ]
        )
        #expect(contract.operations.map(\.pathParameters) == [[], [], ["id"], ["id"], ["id"], ["id"], []])
        #expect(contract.operations[5].credentials == [.header("X-API-Key")])
        #expect(contract.operations[6].credentials == [.bearer, .cookie("session")])
        #expect(contract.operations[0...4].allSatisfy { $0.credentials.isEmpty })
        #expect(contract.undescribedRoutes == ["GET /api/plain"])
    }

    @Test("each operation's errors: its own, plus those its input, credentials and path parameters imply, once each")
    func errors() throws {
        let contract = try notesContract()
        func errors(_ id: String) -> [String] {
            contract.operations.first { $0.operation.id == id }!.errors.map { "\($0.status.code) \($0.code)" }
        }
        #expect(errors("listNotes") == ["422 validation_failed"])
        #expect(
            errors("createNote") == ["400 invalid_json", "413 payload_too_large", "415 unsupported_media_type", "422 validation_failed"]
        )
        #expect(errors("getNote") == ["400 bad_request", "404 not_found"])
        #expect(
            errors("renameNote") == [
                "400 bad_request", "404 not_found", "413 payload_too_large", "415 unsupported_media_type", "422 validation_failed",
            ]
        )
        #expect(
            errors("uploadFile") == [
                "400 bad_request", "404 not_found", "413 payload_too_large", "415 unsupported_media_type", "422 validation_failed",
            ]
        )
        #expect(errors("deleteNote") == ["400 bad_request", "401 unauthorized", "404 not_found"])
        #expect(errors("whoAmI") == ["401 unauthorized"])
        #expect(
            contract.errorCodes == [
                "bad_request", "internal_error", "invalid_json", "not_found", "payload_too_large", "unauthorized", "unsupported_media_type",
                "validation_failed",
            ]
        )
    }

    @Test("refuses two operations with one id and a declared path parameter the pattern lacks, naming both")
    func refusals() {
        var routes = TrieRouter.Builder()
        routes.get("/a", handler: APIHandler(APIOperation("same")) { _, _ in APIResponse<NoData>(data: nil) })
        routes.get(
            "/b/:id",
            handler: APIHandler(APIOperation("same", pathParameters: ["key": .boolean])) { _, _ in APIResponse<NoData>(data: nil) }
        )
        do {
            _ = try APIContract(title: "t", version: "1", routes: routes.routes)
            Issue.record("accepted")
        } catch {
            #expect(
                error.problems == [
                    "operation id 'same' is used by GET /a and GET /b/:id",
                    "GET /b/:id declares path parameter 'key', which its pattern lacks",
                ]
            )
        }
    }

    @Test("the document handler serves the document as JSON with an ETag, and 304 to a client that has it")
    func documentHandler() async throws {
        let contract = try notesContract()
        var routes = notesRoutes()
        routes.get("/api/openapi.json", handler: contract.documentHandler())
        let app = try routes.build()
        try await withTestServer(app) { port in
            let response = try await RawHTTPClient.roundTrip(port: port, "GET /api/openapi.json HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(response.status == 200)
            #expect(response.header("content-type") == "application/json")
            #expect(response.header("cache-control") == "no-cache")
            #expect(response.text == contract.openAPI())
            let etag = try #require(response.header("etag"))
            let again = try await RawHTTPClient.roundTrip(
                port: port,
                "GET /api/openapi.json HTTP/1.1\r\nHost: t\r\nIf-None-Match: W/\"x\", \(etag)\r\n\r\n"
            )
            #expect(again.status == 304 && again.text.isEmpty)
            let changed = try await RawHTTPClient.roundTrip(
                port: port,
                "GET /api/openapi.json HTTP/1.1\r\nHost: t\r\nIf-None-Match: \"other\"\r\n\r\n"
            )
            #expect(changed.status == 200)
        }
    }
}
