public import HTTPCore
public import HTTPTypes
public import Validation

/// What an API route returns: data (or none) with a status and headers; wrapped in the envelope for it.
///
/// ```swift
/// return .created(item, location: "/api/items/\(item.id)")
/// return .noContent
/// ```
public struct APIResponse<Data: Encodable & Sendable>: Sendable {
    /// The status.
    public var status: HTTPResponse.Status
    /// Extra headers.
    public var headers: HTTPFields
    /// The payload; `nil` gives `"data":null` (or no body at all for 204).
    public var data: Data?

    /// Creates a response.
    public init(status: HTTPResponse.Status = .ok, headers: HTTPFields = [:], data: Data?) {
        self.status = status
        self.headers = headers
        self.data = data
    }

    /// 200 with `data`.
    public static func ok(_ data: Data) -> Self { Self(data: data) }
    /// 201 with `data` and an optional `Location`.
    public static func created(_ data: Data, location: String? = nil) -> Self {
        Self(status: .created, headers: location.map { [.location: $0] } ?? [:], data: data)
    }
    /// 202 with `data`.
    public static func accepted(_ data: Data) -> Self { Self(status: .accepted, data: data) }
    /// 204 with no body.
    public static var noContent: Self { Self(status: .noContent, data: nil) }

    /// The HTTP response.
    public func response() throws -> Response {
        if self.status == .noContent { return Response(status: .noContent, headers: self.headers) }
        var headers = self.headers
        headers[.contentType] = "application/json"
        let body = try self.data.map { try Envelope.success($0) } ?? Envelope.emptySuccess
        return Response(status: self.status, headers: headers, body: .bytes(body))
    }
}

/// An API route: returns a typed value (or an ``APIResponse``), throws typed errors; the envelope, status
/// and headers are produced for it. Errors are rendered by the mount's renderer (see ``EnvelopeErrorRenderer``).
///
/// ```swift
/// routes.get("/api/search/", handler: APIHandler { request, context in
///     let input = try request.decodeQuery(searchSchema)
///     return catalogue.search(input)          // an Encodable value
/// })
/// ```
///
/// Described with an ``APIOperation``, the handler decodes its input from the declared schema and the route appears in
/// the OpenAPI document and the TypeScript client (product `APIContract`):
/// ```swift
/// routes.get("/api/search/", handler: APIHandler(
///     APIOperation("searchCatalogue", summary: "Search the catalogue"),
///     input: .query(searchSchema), output: .object(resultsSchema)
/// ) { input, _, _ in .ok(catalogue.search(input)) })
/// ```
public struct APIHandler<Data: Encodable & Sendable>: HTTPHandler, OperationDescribing {
    let body: @Sendable (Request, RequestContext) async throws -> APIResponse<Data>
    /// What the route takes and answers, when described.
    public let operation: APIOperation?

    /// A route returning data with `200`.
    public init(_ body: @escaping @Sendable (Request, RequestContext) async throws -> Data) {
        self.body = { request, context in .ok(try await body(request, context)) }
        self.operation = nil
    }

    /// A route choosing its status and headers.
    public init(_ body: @escaping @Sendable (Request, RequestContext) async throws -> APIResponse<Data>) {
        self.body = body
        self.operation = nil
    }

    /// A described route: `input` decoded (every problem a 422) before `body` runs, `data` of the shape `output`.
    public init<Input>(
        _ operation: APIOperation,
        input: APIInput<Input>,
        output: FieldType<Data>,
        _ body: @escaping @Sendable (Input, Request, RequestContext) async throws -> APIResponse<Data>
    ) {
        self.init(operation, input: input.description, output: output.descriptor) { request, context in
            try await body(try await input.decode(request), request, context)
        }
    }

    /// A described route without input, `data` of the shape `output`.
    public init(
        _ operation: APIOperation,
        output: FieldType<Data>,
        _ body: @escaping @Sendable (Request, RequestContext) async throws -> APIResponse<Data>
    ) {
        self.init(operation, input: nil, output: output.descriptor, body)
    }

    init(
        _ operation: APIOperation,
        input: APIInputDescription?,
        output: TypeDescriptor?,
        _ body: @escaping @Sendable (Request, RequestContext) async throws -> APIResponse<Data>
    ) {
        var operation = operation
        operation.input = input
        operation.output = output
        self.operation = operation
        self.body = body
    }

    public func handle(_ request: Request, context: RequestContext) async throws -> Response {
        try await self.body(request, context).response()
    }
}

extension APIHandler where Data == NoData {
    /// A described route whose `data` is `null`: `input` decoded (every problem a 422) before `body` runs.
    public init<Input>(
        _ operation: APIOperation,
        input: APIInput<Input>,
        _ body: @escaping @Sendable (Input, Request, RequestContext) async throws -> APIResponse<NoData>
    ) {
        self.init(operation, input: input.description, output: nil) { request, context in
            try await body(try await input.decode(request), request, context)
        }
    }

    /// A described route without input whose `data` is `null`.
    public init(_ operation: APIOperation, _ body: @escaping @Sendable (Request, RequestContext) async throws -> APIResponse<NoData>) {
        self.init(operation, input: nil, output: nil, body)
    }
}

/// The payload of responses that have none.
public struct NoData: Codable, Sendable {
    /// Creates the empty payload.
    public init() {}
}
