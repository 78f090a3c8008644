import APIEnvelope
import HTTPCore
import HTTPTypes
import Validation

extension APIContract {
    /// The OpenAPI 3.1 document, pretty-printed and deterministic (commit it; a test can compare).
    ///
    /// Schemas are JSON Schema 2020-12, OpenAPI 3.1's dialect, written by the same code as ``SchemaDescriptor/jsonSchema()``,
    /// so the document, the standalone schema files and the decoder agree. Every named shape is a component; every
    /// response is the `{status, data, error}` envelope, errors with their codes as an `enum`.
    public func openAPI() -> String {
        let components = SchemaComponents()
        let envelopeSchemas = Self.envelopeComponents()
        var paths: [(String, OrderedJSON)] = []
        for operation in self.operations {
            let entry = (operation.method.rawValue.lowercased(), self.operationObject(operation, components))
            if let index = paths.firstIndex(where: { $0.0 == operation.path }), case .object(var methods) = paths[index].1 {
                methods.append(entry)
                paths[index].1 = .object(methods)
            } else {
                paths.append((operation.path, .object([entry])))
            }
        }
        var info: [(String, OrderedJSON)] = [("title", .string(self.title)), ("version", .string(self.version))]
        if let description { info.append(("description", .string(description))) }
        var document: [(String, OrderedJSON)] = [("openapi", .string("3.1.0")), ("info", .object(info))]
        if !self.servers.isEmpty { document.append(("servers", .array(self.servers.map { .object([("url", .string($0))]) }))) }
        document.append(("paths", .object(paths)))
        var componentMembers: [(String, OrderedJSON)] = [
            ("schemas", .object(envelopeSchemas + components.schemas.map { ($0.name, $0.schema) }))
        ]
        let schemes = self.securitySchemes()
        if !schemes.isEmpty { componentMembers.append(("securitySchemes", .object(schemes.map { ($0.name, $0.object) }))) }
        document.append(("components", .object(componentMembers)))
        return OrderedJSON.object(document).printed() + "\n"
    }

    private func operationObject(_ described: Operation, _ components: SchemaComponents) -> OrderedJSON {
        let operation = described.operation
        var members: [(String, OrderedJSON)] = [("operationId", .string(operation.id))]
        if let summary = operation.summary { members.append(("summary", .string(summary))) }
        if let description = operation.description { members.append(("description", .string(description))) }
        if !operation.tags.isEmpty { members.append(("tags", .array(operation.tags.map { .string($0) }))) }
        if operation.deprecated { members.append(("deprecated", .bool(true))) }

        var parameters: [OrderedJSON] = described.pathParameters.map { name in
            let type = operation.pathParameters[name] ?? .string(StringRules(trimmed: false))
            return .object([
                ("name", .string(name)), ("in", .string("path")), ("required", .bool(true)),
                ("schema", .object(type.jsonSchema(components))),
            ])
        }
        if let input = operation.input, input.location == .query {
            parameters += input.schema.fields.map { field in
                var schema = field.type.jsonSchema(components)
                if case .defaultValue(let value) = field.presence { schema.append(("default", OrderedJSON(value))) }
                var parameter: [(String, OrderedJSON)] = [("name", .string(field.name)), ("in", .string("query"))]
                if let description = field.description { parameter.append(("description", .string(description))) }
                parameter.append(("required", .bool(field.presence == .required)))
                if case .array = field.type { parameter += [("style", .string("form")), ("explode", .bool(true))] }
                parameter.append(("schema", .object(schema)))
                return .object(parameter)
            }
        }
        if !parameters.isEmpty { members.append(("parameters", .array(parameters))) }

        if let input = operation.input, input.location != .query {
            var schema: [(String, OrderedJSON)] = []
            let mediaType: String
            var encoding: [(String, OrderedJSON)] = []
            switch input.location {
            case .json:
                mediaType = "application/json"
                schema = components.reference(to: input.schema)
            case .form:
                mediaType = "application/x-www-form-urlencoded"
                schema = components.reference(to: input.schema)
            case .multipart:
                mediaType = "multipart/form-data"
                // The form's fields plus its files, binary parts (OpenAPI 3.1: `contentMediaType`).
                var properties = input.schema.fields.map { ($0.name, $0.jsonSchema(components)) }
                for file in input.files {
                    properties.append(
                        (file, .object([("type", .string("string")), ("contentMediaType", .string("application/octet-stream"))]))
                    )
                    encoding.append((file, .object([("contentType", .string("application/octet-stream"))])))
                }
                let required = input.schema.fields.filter { $0.presence == .required }.map { OrderedJSON.string($0.name) }
                let requiredFiles = input.files.filter { !input.optionalFiles.contains($0) }.map { OrderedJSON.string($0) }
                schema = [("type", .string("object")), ("properties", .object(properties))]
                if !(required + requiredFiles).isEmpty { schema.append(("required", .array(required + requiredFiles))) }
                if input.schema.unknownFields == .reject { schema.append(("additionalProperties", .bool(false))) }
            case .query: mediaType = ""
            }
            var media: [(String, OrderedJSON)] = [("schema", .object(schema))]
            if !encoding.isEmpty { media.append(("encoding", .object(encoding))) }
            members.append(("requestBody", .object([("required", .bool(true)), ("content", .object([(mediaType, .object(media))]))])))
        }

        var responses: [(String, OrderedJSON)] = []
        let data: [(String, OrderedJSON)] = operation.output.map { $0.jsonSchema(components) } ?? [("type", .string("null"))]
        let success: [(String, OrderedJSON)] = [
            ("type", .string("object")),
            ("required", .array([.string("status"), .string("data"), .string("error")])),
            (
                "properties",
                .object([
                    ("status", .object([("const", .string("success"))])), ("data", .object(data)),
                    ("error", .object([("type", .string("null"))])),
                ])
            ),
        ]
        responses.append(
            (
                String(operation.successStatus.code),
                .object([
                    (
                        "description",
                        .string(operation.successStatus.reasonPhrase.isEmpty ? "Success" : operation.successStatus.reasonPhrase)
                    ),
                    ("content", .object([("application/json", .object([("schema", .object(success))]))])),
                ])
            )
        )
        let errors = described.errors
        var statuses: [Int] = []
        for error in errors where !statuses.contains(error.status.code) { statuses.append(error.status.code) }
        for status in statuses {
            let group = errors.filter { $0.status.code == status }
            let codes = group.map(\.code)
            let description = group.map { "`\($0.code)`: \($0.description)" }.joined(separator: " ")
            var response: [(String, OrderedJSON)] = [("description", .string(description))]
            if status == 401 {
                response.append(
                    (
                        "headers",
                        .object([
                            (
                                "WWW-Authenticate",
                                .object([
                                    ("description", .string("The challenge (`Bearer`).")),
                                    ("schema", .object([("type", .string("string"))])),
                                ])
                            )
                        ])
                    )
                )
            }
            response.append(("content", .object([("application/json", .object([("schema", .object(Self.errorEnvelope(codes: codes)))]))])))
            responses.append((String(status), .object(response)))
        }
        members.append(("responses", .object(responses)))

        if !described.credentials.isEmpty {
            members.append(("security", .array(described.credentials.map { .object([(Self.schemeName($0), .array([]))]) })))
        }
        return .object(members)
    }

    /// The error envelope with `error.code` one of `codes`.
    static func errorEnvelope(codes: [String]) -> [(String, OrderedJSON)] {
        [
            ("type", .string("object")),
            ("required", .array([.string("status"), .string("data"), .string("error")])),
            (
                "properties",
                .object([
                    ("status", .object([("const", .string("error"))])),
                    ("data", .object([("type", .string("null"))])),
                    (
                        "error",
                        .object([
                            ("allOf", .array([.object([("$ref", .string("#/components/schemas/APIErrorBody"))])])),
                            ("properties", .object([("code", .object([("enum", .array(codes.map { .string($0) }))]))])),
                        ])
                    ),
                ])
            ),
        ]
    }

    /// `APIErrorBody` and `ValidationIssue`: what every error envelope carries.
    static func envelopeComponents() -> [(String, OrderedJSON)] {
        let issue: OrderedJSON = .object([
            ("title", .string("ValidationIssue")),
            ("description", .string("One problem with the input.")),
            ("type", .string("object")),
            ("required", .array([.string("loc"), .string("code"), .string("message")])),
            (
                "properties",
                .object([
                    (
                        "loc",
                        .object([
                            ("description", .string("Where: field names and array indexes from the input's root.")),
                            ("type", .string("array")),
                            ("items", .object([("type", .array([.string("string"), .string("integer")]))])),
                        ])
                    ),
                    ("code", .object([("description", .string("What: `missing`, `type`, `too_short`, …")), ("type", .string("string"))])),
                    ("message", .object([("type", .string("string"))])),
                ])
            ),
        ])
        let body: OrderedJSON = .object([
            ("title", .string("APIErrorBody")),
            ("description", .string("The `error` member of an error envelope.")),
            ("type", .string("object")),
            ("required", .array([.string("code"), .string("message"), .string("details"), .string("request_id")])),
            (
                "properties",
                .object([
                    ("code", .object([("description", .string("A stable code clients can switch on.")), ("type", .string("string"))])),
                    ("message", .object([("description", .string("For people; never internals.")), ("type", .string("string"))])),
                    (
                        "details",
                        .object([
                            ("type", .string("array")), ("items", .object([("$ref", .string("#/components/schemas/ValidationIssue"))])),
                        ])
                    ),
                    ("request_id", .object([("type", .array([.string("string"), .string("null")]))])),
                ])
            ),
        ])
        return [("APIErrorBody", body), ("ValidationIssue", issue)]
    }

    func securitySchemes() -> [(name: String, object: OrderedJSON)] {
        var seen: [CredentialScheme] = []
        for scheme in self.operations.flatMap(\.credentials) where !seen.contains(scheme) { seen.append(scheme) }
        return seen.map { scheme in
            let object: OrderedJSON =
                switch scheme {
                case .bearer: .object([("type", .string("http")), ("scheme", .string("bearer"))])
                case .cookie(let name): .object([("type", .string("apiKey")), ("in", .string("cookie")), ("name", .string(name))])
                case .header(let name): .object([("type", .string("apiKey")), ("in", .string("header")), ("name", .string(name))])
                }
            return (Self.schemeName(scheme), object)
        }
    }

    /// A component name for a scheme (`bearer`, `cookie_access_token`, `header_X-API-Key`).
    static func schemeName(_ scheme: CredentialScheme) -> String {
        func safe(_ name: String) -> String {
            String(
                name.unicodeScalars.map {
                    $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0))
                        ? Character($0) : "_"
                }
            )
        }
        return switch scheme {
        case .bearer: "bearer"
        case .cookie(let name): "cookie_" + safe(name)
        case .header(let name): "header_" + safe(name)
        }
    }
}
