public import HTTPCore
public import HTTPTypes
public import Validation

/// What an API route takes and answers, declared once beside its handler: the handler decodes its input with the
/// same schema, and API descriptions (OpenAPI, the TypeScript client; product `APIContract`) are generated from it.
///
/// ```swift
/// routes.get("/api/entries/:id", handler: APIHandler(
///     APIOperation("getEntry", summary: "One catalogue entry", pathParameters: ["id": .integer(minimum: 1, maximum: nil)],
///                  errors: [APIErrorDescription(.notFound, code: "not_found", "No entry has this id")]),
///     output: .object(entrySchema)
/// ) { _, context in .ok(try entry(context.parameters.require("id", as: Int.self))) })
/// ```
public struct APIOperation: Sendable {
    /// A unique, stable name: OpenAPI's `operationId` and the TypeScript client's method (`searchCatalogue`).
    public var id: String
    /// One line for people.
    public var summary: String?
    /// More, in CommonMark.
    public var description: String?
    /// Groups for browsers of the description.
    public var tags: [String]
    /// The shapes of the pattern's `:name` segments; an undeclared one is a string.
    public var pathParameters: [String: TypeDescriptor]
    /// The input (set by the ``APIHandler`` initialisers from the ``APIInput`` they decode).
    public var input: APIInputDescription?
    /// The shape of the envelope's `data` (set by the ``APIHandler`` initialisers); `nil` when it is `null`.
    public var output: TypeDescriptor?
    /// The status of a success.
    public var successStatus: HTTPResponse.Status
    /// The errors the handler itself throws. Those implied by the route are added by the generators: 422, 400, 413
    /// and 415 from the input, 401 from an `AuthenticatingMiddleware`, 400 from path parameters.
    public var errors: [APIErrorDescription]
    /// Whether clients should stop using it.
    public var deprecated: Bool

    /// Describes an operation.
    public init(
        _ id: String,
        summary: String? = nil,
        description: String? = nil,
        tags: [String] = [],
        pathParameters: [String: TypeDescriptor] = [:],
        successStatus: HTTPResponse.Status = .ok,
        errors: [APIErrorDescription] = [],
        deprecated: Bool = false
    ) {
        self.id = id
        self.summary = summary
        self.description = description
        self.tags = tags
        self.pathParameters = pathParameters
        self.successStatus = successStatus
        self.errors = errors
        self.deprecated = deprecated
    }
}

/// An error response an operation may give: its status, its stable code and when.
///
/// ```swift
/// APIErrorDescription(.conflict, code: "cart_empty", "The cart has no items")
/// ```
public struct APIErrorDescription: Sendable, Hashable {
    /// The status.
    public var status: HTTPResponse.Status
    /// The envelope's `error.code`.
    public var code: String
    /// When it happens, for people.
    public var description: String

    /// Describes an error response.
    public init(_ status: HTTPResponse.Status, code: String, _ description: String) {
        self.status = status
        self.code = code
        self.description = description
    }
}

/// Where an operation's input comes from, and its schema.
public struct APIInputDescription: Sendable, Hashable {
    /// Where the input is read from.
    public enum Location: String, Sendable, Hashable {
        /// The query string.
        case query
        /// An `application/json` body.
        case json
        /// An `application/x-www-form-urlencoded` body.
        case form
        /// A `multipart/form-data` body.
        case multipart
    }

    /// Where the input is read from.
    public var location: Location
    /// The fields.
    public var schema: SchemaDescriptor
    /// Field names that carry files (multipart only).
    public var files: [String]
    /// Those of ``files`` that may be left out.
    public var optionalFiles: [String]

    /// Describes an input.
    public init(_ location: Location, schema: SchemaDescriptor, files: [String] = [], optionalFiles: [String] = []) {
        self.location = location
        self.schema = schema
        self.files = files
        self.optionalFiles = optionalFiles
    }
}

/// How an ``APIHandler`` reads its input, and what it tells API descriptions about it: the same schema does both.
///
/// ```swift
/// APIHandler(APIOperation("search"), input: .query(searchSchema), output: .object(resultsSchema)) { input, _, _ in
///     .ok(catalogue.search(input))
/// }
/// ```
public struct APIInput<Value: Sendable>: Sendable {
    /// What API descriptions say about it; `nil` for none.
    public let description: APIInputDescription?
    let decode: @Sendable (Request) async throws -> Value

    /// An input read by `decode` and described by `description` (how other modules add kinds, `multipart/form-data`).
    public init(description: APIInputDescription?, decode: @escaping @Sendable (Request) async throws -> Value) {
        self.description = description
        self.decode = decode
    }

    /// The query string, values coerced leniently; 422 with every problem.
    public static func query(_ schema: Schema<Value>) -> APIInput<Value> {
        APIInput(description: APIInputDescription(.query, schema: schema.descriptor)) { try $0.decodeQuery(schema) }
    }

    /// A JSON body: 415 for another `Content-Type`, 413 past `maxBytes`, 400 for malformed JSON, 422 with every problem.
    public static func json(_ schema: Schema<Value>, maxBytes: Int = 1 << 20) -> APIInput<Value> {
        APIInput(description: APIInputDescription(.json, schema: schema.descriptor)) { try await $0.decodeJSON(schema, maxBytes: maxBytes) }
    }

    /// An `application/x-www-form-urlencoded` body: 415 for another `Content-Type`, 413 past `maxBytes`, 422 with every
    /// problem.
    public static func form(_ schema: Schema<Value>, maxBytes: Int = 1 << 20) -> APIInput<Value> {
        APIInput(description: APIInputDescription(.form, schema: schema.descriptor)) { try await $0.decodeForm(schema, maxBytes: maxBytes) }
    }
}

/// A handler that describes its operation; API descriptions find it among a router's routes.
public protocol OperationDescribing: Sendable {
    /// The operation, when described.
    var operation: APIOperation? { get }
}
