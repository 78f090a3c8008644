import APIContract
import APIEnvelope
import Foundation
import HTTPCore
import Routing
import TandemTesting
import Testing

/// The document as nested dictionaries, and a path into it.
struct Document {
    let root: [String: Any]

    init(_ text: String) throws {
        self.root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    subscript(_ path: String...) -> Any? { self.root.dig(path) }
}

@Suite("OpenAPI document")
struct OpenAPIWriterTests {
    @Test("openapi-spec-validator accepts the document")
    func valid() async throws {
        let result = try await PythonOpenAPI.validate(document: notesContract().openAPI())
        #expect(result.status == 0, "\(result.output)")
    }

    @Test("info, servers, parameters, bodies of four media types, security and deprecation are as declared")
    func operations() throws {
        let document = try Document(notesContract().openAPI())
        #expect(document["openapi"] as? String == "3.1.0")
        #expect(document["info", "title"] as? String == "Notes" && document["info", "version"] as? String == "2.1.0")
        #expect(document["servers", "0", "url"] as? String == "http://127.0.0.1")
        #expect(
            (document["paths"] as? [String: Any]).map { Set($0.keys) } == [
                "/api/notes/", "/api/notes/{id}", "/api/notes/{id}/rename", "/api/notes/{id}/files", "/api/admin/notes/{id}", "/api/me/",
            ]
        )

        let list = "/api/notes/"
        #expect(document["paths", list, "get", "operationId"] as? String == "listNotes")
        #expect(document["paths", list, "get", "parameters", "0", "name"] as? String == "priority")
        #expect(document["paths", list, "get", "parameters", "0", "explode"] as? Bool == true)
        #expect(document["paths", list, "get", "parameters", "0", "schema", "items", "enum"] as? [String] == ["low", "high"])
        #expect(document["paths", list, "get", "parameters", "1", "schema", "default"] as? Int == 20)
        #expect(document["paths", list, "get", "parameters", "1", "required"] as? Bool == false)

        let getNote = document["paths", "/api/notes/{id}", "get"]
        #expect((getNote as? [String: Any])?["parameters"].map { "\($0)" }?.contains("path") == true)
        #expect(document["paths", "/api/notes/{id}", "get", "parameters", "0", "in"] as? String == "path")
        #expect(document["paths", "/api/notes/{id}", "get", "parameters", "0", "schema", "type"] as? String == "integer")
        #expect(document["paths", "/api/notes/{id}", "get", "parameters", "0", "required"] as? Bool == true)

        #expect(
            document["paths", list, "post", "requestBody", "content", "application/json", "schema", "$ref"] as? String
                == "#/components/schemas/NewNote"
        )
        #expect(
            document[
                "paths",
                "/api/notes/{id}/rename",
                "post",
                "requestBody",
                "content",
                "application/x-www-form-urlencoded",
                "schema",
                "$ref"
            ]
                as? String == "#/components/schemas/Rename"
        )
        let multipart = ["paths", "/api/notes/{id}/files", "post", "requestBody", "content", "multipart/form-data"]
        func at(_ extra: String...) -> Any? { document.root.dig(multipart + extra) }
        #expect(at("schema", "required") as? [String] == ["file"])
        #expect(at("schema", "additionalProperties") as? Bool == false)
        #expect(at("schema", "properties", "file", "contentMediaType") as? String == "application/octet-stream")
        #expect(at("schema", "properties", "caption", "type") as? [String] == ["string", "null"])
        #expect(at("encoding", "file", "contentType") as? String == "application/octet-stream")

        #expect(document["paths", "/api/admin/notes/{id}", "delete", "security"] as? [[String: [String]]] == [["header_X-API-Key": []]])
        #expect(document["paths", "/api/me/", "get", "security"] as? [[String: [String]]] == [["bearer": []], ["cookie_session": []]])
        #expect(document["paths", "/api/me/", "get", "deprecated"] as? Bool == true)
        #expect(document["paths", list, "get", "security"] == nil)
        #expect(document["components", "securitySchemes", "bearer", "scheme"] as? String == "bearer")
        #expect(document["components", "securitySchemes", "cookie_session", "in"] as? String == "cookie")
        #expect(document["components", "securitySchemes", "header_X-API-Key", "name"] as? String == "X-API-Key")
    }

    @Test("responses: the success envelope around the output, one error envelope per status with its codes, WWW-Authenticate on 401")
    func responses() throws {
        let document = try Document(notesContract().openAPI())
        let create = ["paths", "/api/notes/", "post", "responses"]
        #expect((document.root.dig(create) as? [String: Any]).map { Set($0.keys) } == ["201", "400", "413", "415", "422"])
        #expect(
            document.root.dig(create + ["201", "content", "application/json", "schema", "properties", "data", "$ref"]) as? String
                == "#/components/schemas/Note"
        )
        #expect(
            document.root.dig(create + ["201", "content", "application/json", "schema", "properties", "status", "const"]) as? String
                == "success"
        )
        #expect(
            document.root.dig(
                create + ["422", "content", "application/json", "schema", "properties", "error", "properties", "code", "enum"]
            )
                as? [String] == ["validation_failed"]
        )
        #expect(
            document[
                "paths",
                "/api/admin/notes/{id}",
                "delete",
                "responses",
                "200",
                "content",
                "application/json",
                "schema",
                "properties",
                "data",
                "type"
            ] as? String == "null"
        )
        #expect(
            document["paths", "/api/admin/notes/{id}", "delete", "responses", "401", "headers", "WWW-Authenticate", "schema", "type"]
                as? String == "string"
        )
        #expect(document["components", "schemas", "APIErrorBody", "required"] as? [String] == ["code", "message", "details", "request_id"])
    }

    @Test("components: each shape once, a name clash kept apart, the union with a discriminator mapping, optional refs nullable")
    func components() throws {
        let document = try Document(notesContract().openAPI())
        let schemas = try #require(document["components", "schemas"] as? [String: Any])
        #expect(
            Set(schemas.keys) == [
                "APIErrorBody", "ValidationIssue", "NoteList", "Note", "Body", "TextBody", "ChecklistBody", "Author", "NewNote", "Rename",
                "Rename2", "Upload",
            ]
        )
        #expect(document["components", "schemas", "Rename", "properties", "title", "type"] as? String == "string")
        #expect(document["components", "schemas", "Rename2", "properties", "note", "$ref"] as? String == "#/components/schemas/Note")
        #expect(document["components", "schemas", "Body", "discriminator", "propertyName"] as? String == "type")
        #expect(
            document["components", "schemas", "Body", "discriminator", "mapping"] as? [String: String] == [
                "text": "#/components/schemas/TextBody", "checklist": "#/components/schemas/ChecklistBody",
            ]
        )
        #expect(document["components", "schemas", "TextBody", "properties", "type", "enum"] as? [String] == ["text"])
        #expect(document["components", "schemas", "TextBody", "required"] as? [String] == ["type", "text"])
        #expect(document["components", "schemas", "Note", "properties", "labels", "additionalProperties", "type"] as? String == "string")
        #expect(document["components", "schemas", "Note", "properties", "created_at", "format"] as? String == "date-time")
        #expect(
            document["components", "schemas", "Note", "properties", "author", "anyOf"] as? [[String: String]] == [
                ["$ref": "#/components/schemas/Author"], ["type": "null"],
            ]
        )
        // Deterministic: the same routes give the same bytes.
        #expect(try notesContract().openAPI() == (try notesContract().openAPI()))
    }

    @Test("what the server answers, successes and errors alike, matches the document's response schemas (Python jsonschema)")
    func liveResponses() async throws {
        let app = try notesRoutes().build().wrapped(in: ErrorMiddleware(EnvelopeErrorRenderer()))
        var cases: [[String: Any]] = []
        try await withTestServer(app, errorRenderer: EnvelopeErrorRenderer()) { port, _ in
            func record(_ method: String, _ path: String, _ raw: String) async throws {
                let response = try await RawHTTPClient.roundTrip(port: port, raw)
                let body = try JSONSerialization.jsonObject(with: Data(response.text.utf8))
                cases.append(["method": method, "path": path, "status": response.status, "body": body])
            }
            func json(_ method: String, _ target: String, _ body: String, _ extra: String = "") -> String {
                "\(method) \(target) HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\(extra)\r\n\(body)"
            }
            let newNote = #"{"title":"  Plan ","priority":"high","body":{"type":"checklist","items":["a","b"]},"labels":{"k":"v"}}"#
            try await record("post", "/api/notes/", json("POST", "/api/notes/", newNote))
            try await record("post", "/api/notes/", json("POST", "/api/notes/", #"{"title":"Two","body":{"type":"text","text":"t"}}"#))
            try await record("post", "/api/notes/", json("POST", "/api/notes/", #"{"title":"","body":{"type":"poem"},"x":1}"#))
            try await record("post", "/api/notes/", json("POST", "/api/notes/", #"{"title":"#))
            try await record(
                "post",
                "/api/notes/",
                "POST /api/notes/ HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}"
            )
            try await record("get", "/api/notes/", "GET /api/notes/?priority=high&priority=low&limit=5 HTTP/1.1\r\nHost: t\r\n\r\n")
            try await record("get", "/api/notes/", "GET /api/notes/?limit=500 HTTP/1.1\r\nHost: t\r\n\r\n")
            try await record("get", "/api/notes/{id}", "GET /api/notes/1 HTTP/1.1\r\nHost: t\r\n\r\n")
            try await record("get", "/api/notes/{id}", "GET /api/notes/2 HTTP/1.1\r\nHost: t\r\n\r\n")
            try await record("get", "/api/notes/{id}", "GET /api/notes/99 HTTP/1.1\r\nHost: t\r\n\r\n")
            try await record("get", "/api/notes/{id}", "GET /api/notes/abc HTTP/1.1\r\nHost: t\r\n\r\n")
            let form = "title=Renamed"
            try await record(
                "post",
                "/api/notes/{id}/rename",
                "POST /api/notes/1/rename HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\n\r\n\(form)"
            )
            let upload = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n--b--\r\n"
            try await record(
                "post",
                "/api/notes/{id}/files",
                "POST /api/notes/1/files HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: \(upload.utf8.count)\r\n\r\n\(upload)"
            )
            let noFile = "--b\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\nhi\r\n--b--\r\n"
            try await record(
                "post",
                "/api/notes/{id}/files",
                "POST /api/notes/1/files HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: \(noFile.utf8.count)\r\n\r\n\(noFile)"
            )
            try await record("delete", "/api/admin/notes/{id}", "DELETE /api/admin/notes/2 HTTP/1.1\r\nHost: t\r\n\r\n")
            try await record(
                "delete",
                "/api/admin/notes/{id}",
                "DELETE /api/admin/notes/2 HTTP/1.1\r\nHost: t\r\nX-API-Key: secret\r\n\r\n"
            )
            try await record("get", "/api/me/", "GET /api/me/ HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer valid\r\n\r\n")
            try await record("get", "/api/me/", "GET /api/me/ HTTP/1.1\r\nHost: t\r\nCookie: session=wrong\r\n\r\n")
        }
        #expect(
            cases.map { $0["status"] as? Int } == [
                201, 201, 422, 400, 415, 200, 422, 200, 200, 404, 400, 200, 201, 422, 401, 200, 200, 401,
            ]
        )
        let result = try await PythonOpenAPI.checkResponses(document: notesContract().openAPI(), cases: cases)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.split(separator: "\n").count == cases.count)
    }
}

extension Dictionary where Key == String, Value == Any {
    /// The value at `path`, through objects and (by index) arrays.
    func dig(_ path: [String]) -> Any? {
        var node: Any? = self
        for key in path {
            if let index = Int(key), let array = node as? [Any] {
                node = array.indices.contains(index) ? array[index] : nil
            } else {
                node = (node as? [String: Any])?[key]
            }
        }
        return node
    }
}
