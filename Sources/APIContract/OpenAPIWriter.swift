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
        let parameters = Self.parameters(of: described, components)
        if !parameters.isEmpty { members.append(("parameters", .array(parameters))) }
        if let input = operation.input, let body = Self.requestBody(input, components) { members.append(("requestBody", body)) }
        members.append(("responses", .object(Self.responses(of: described, components))))
        if !described.credentials.isEmpty {
            members.append(("security", .array(described.credentials.map { .object([(Self.schemeName($0), .array([]))]) })))
        }
        return .object(members)
    }

    /// The path parameters, then a query input's fields.
    static func parameters(of described: Operation, _ components: SchemaComponents) -> [OrderedJSON] {
        var parameters: [OrderedJSON] = described.pathParameters.map { name in
            let type = described.operation.pathParameters[name] ?? .string(StringRules(trimmed: false))
            return .object([
                ("name", .string(name)), ("in", .string("path")), ("required", .bool(true)),
                ("schema", .object(type.jsonSchema(components))),
            ])
        }
        guard let input = described.operation.input, input.location == .query else { return parameters }
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
        return parameters
    }

    /// The `requestBody` of a JSON, form or multipart input; `nil` for a query.
    static func requestBody(_ input: APIInputDescription, _ components: SchemaComponents) -> OrderedJSON? {
        let mediaType: String
        var media: [(String, OrderedJSON)]
        switch input.location {
        case .query:
            return nil
        case .json:
            mediaType = "application/json"
            media = [("schema", .object(components.reference(to: input.schema)))]
        case .form:
            mediaType = "application/x-www-form-urlencoded"
            media = [("schema", .object(components.reference(to: input.schema)))]
        case .multipart:
            mediaType = "multipart/form-data"
            // The form's fields plus its files, binary parts (OpenAPI 3.1: `contentMediaType`).
            let binary: OrderedJSON = .object([("type", .string("string")), ("contentMediaType", .string("application/octet-stream"))])
            let properties = input.schema.fields.map { ($0.name, $0.jsonSchema(components)) } + input.files.map { ($0, binary) }
            let required =
                input.schema.fields.filter { $0.presence == .required }.map(\.name)
                + input.files.filter { !input.optionalFiles.contains($0) }
            var schema: [(String, OrderedJSON)] = [("type", .string("object")), ("properties", .object(properties))]
            if !required.isEmpty { schema.append(("required", .array(required.map { .string($0) }))) }
            if input.schema.unknownFields == .reject { schema.append(("additionalProperties", .bool(false))) }
            let encoding = input.files.map { ($0, OrderedJSON.object([("contentType", .string("application/octet-stream"))])) }
            media = [("schema", .object(schema))]
            if !encoding.isEmpty { media.append(("encoding", .object(encoding))) }
        }
        return .object([("required", .bool(true)), ("content", .object([(mediaType, .object(media))]))])
    }

    /// The success envelope around the output, then one error envelope per status with that status's codes.
    static func responses(of described: Operation, _ components: SchemaComponents) -> [(String, OrderedJSON)] {
        let operation = described.operation
        let data: [(String, OrderedJSON)] = operation.output.map { $0.jsonSchema(components) } ?? [("type", .string("null"))]
        let reason = operation.successStatus.reasonPhrase
        var responses: [(String, OrderedJSON)] = [
            (
                String(operation.successStatus.code),
                .object([
                    ("description", .string(reason.isEmpty ? "Success" : reason)),
                    ("content", Self.json(Self.envelope("success", data: .object(data), error: .object([("type", .string("null"))])))),
                ])
            )
        ]
        let errors = described.errors
        var statuses: [Int] = []
        for error in errors where !statuses.contains(error.status.code) { statuses.append(error.status.code) }
        for status in statuses {
            let group = errors.filter { $0.status.code == status }
            var response: [(String, OrderedJSON)] = [
                ("description", .string(group.map { "`\($0.code)`: \($0.description)" }.joined(separator: " ")))
            ]
            if status == 401 {
                let challenge: OrderedJSON = .object([
                    ("description", .string("The challenge (`Bearer`).")), ("schema", .object([("type", .string("string"))])),
                ])
                response.append(("headers", .object([("WWW-Authenticate", challenge)])))
            }
            response.append(("content", Self.json(Self.errorEnvelope(codes: group.map(\.code)))))
            responses.append((String(status), .object(response)))
        }
        return responses
    }

    /// `{"application/json": {"schema": schema}}`.
    static func json(_ schema: [(String, OrderedJSON)]) -> OrderedJSON {
        .object([("application/json", .object([("schema", .object(schema))]))])
    }

    /// The `{status, data, error}` envelope with `status` fixed.
    static func envelope(_ status: String, data: OrderedJSON, error: OrderedJSON) -> [(String, OrderedJSON)] {
        [
            ("type", .string("object")),
            ("required", .array([.string("status"), .string("data"), .string("error")])),
            ("properties", .object([("status", .object([("const", .string(status))])), ("data", data), ("error", error)])),
        ]
    }

    /// The error envelope with `error.code` one of `codes`.
    static func errorEnvelope(codes: [String]) -> [(String, OrderedJSON)] {
        let error: OrderedJSON = .object([
            ("allOf", .array([.object([("$ref", .string("#/components/schemas/APIErrorBody"))])])),
            ("properties", .object([("code", .object([("enum", .array(codes.map { .string($0) }))]))])),
        ])
        return Self.envelope("error", data: .object([("type", .string("null"))]), error: error)
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
