public import APIEnvelope
public import HTTPCore
public import HTTPTypes
public import Routing
import Validation

/// An API's whole contract, read from its routes: every described route (an ``APIHandler`` with an ``APIOperation``)
/// with its input, output, errors and credentials. It writes the OpenAPI 3.1 document (``openAPI()``) and the
/// TypeScript declarations with a typed `fetch` client (``typeScript(header:)``), and serves the document
/// (``documentHandler()``).
///
/// ```swift
/// var routes = TrieRouter.Builder()
/// routes.get("/api/search/", handler: APIHandler(APIOperation("searchCatalogue"), input: .query(searchSchema),
///                                                output: .object(resultsSchema)) { input, _, _ in .ok(search(input)) })
/// let contract = try APIContract(title: "Search API", version: "1.0.0", routes: routes.routes)
/// routes.get("/api/openapi.json", handler: contract.documentHandler())
/// ```
public struct APIContract: Sendable {
    /// One described route.
    public struct Operation: Sendable {
        /// The method.
        public var method: HTTPRequest.Method
        /// The router's pattern (`/api/entries/:id/`).
        public var pattern: String
        /// The description.
        public var operation: APIOperation
        /// How a request may authenticate (from the route's `AuthenticatingMiddleware`); empty when anonymous.
        public var credentials: [CredentialScheme]
        /// The pattern's `:name` segments, in order.
        public var pathParameters: [String]

        /// The OpenAPI path: `:id` as `{id}`.
        public var path: String {
            let segments = self.pattern.split(separator: "/", omittingEmptySubsequences: true).map { segment in
                segment.first == ":" ? "{\(segment.dropFirst())}" : String(segment)
            }
            return "/" + segments.joined(separator: "/") + (self.pattern.hasSuffix("/") && !segments.isEmpty ? "/" : "")
        }

        /// The errors this route may answer with: the handler's own, then those its input, credentials and path imply.
        public var errors: [APIErrorDescription] {
            var errors = self.operation.errors
            func add(_ status: HTTPResponse.Status, _ code: String, _ description: String) {
                guard !errors.contains(where: { $0.status == status && $0.code == code }) else { return }
                errors.append(APIErrorDescription(status, code: code, description))
            }
            if !self.pathParameters.isEmpty { add(.badRequest, "bad_request", "A path parameter is not valid.") }
            if !self.credentials.isEmpty { add(.unauthorized, "unauthorized", "No valid credentials.") }
            if let input = self.operation.input {
                switch input.location {
                case .query:
                    break
                case .json:
                    add(.badRequest, "invalid_json", "The body is not valid JSON.")
                    add(.contentTooLarge, "payload_too_large", "The body is larger than the route accepts.")
                    add(.unsupportedMediaType, "unsupported_media_type", "The body is not application/json.")
                case .form:
                    add(.contentTooLarge, "payload_too_large", "The body is larger than the route accepts.")
                    add(.unsupportedMediaType, "unsupported_media_type", "The body is not application/x-www-form-urlencoded.")
                case .multipart:
                    add(.badRequest, "bad_request", "The body is not well-formed multipart/form-data.")
                    add(.contentTooLarge, "payload_too_large", "A part, a file or the body is larger than the route accepts.")
                    add(.unsupportedMediaType, "unsupported_media_type", "The body is not multipart/form-data.")
                }
                add(.unprocessableContent, "validation_failed", "The input breaks the schema; `details` lists every problem.")
            }
            return errors.sorted { ($0.status.code, $0.code) < ($1.status.code, $1.code) }
        }
    }

    /// The title.
    public var title: String
    /// The API's version (not OpenAPI's).
    public var version: String
    /// More, in CommonMark.
    public var description: String?
    /// Base URLs the API is served at (`https://api.example.com`); none means the document's own origin.
    public var servers: [String]
    /// The described routes, in the router's order.
    public var operations: [Operation]
    /// Routes without a description (plain handlers, wildcards): `METHOD pattern` each. A test can require it empty
    /// under `/api/`.
    public var undescribedRoutes: [String]

    /// Reads the contract from a router's routes.
    /// - Throws: ``APIContractError`` when two operations share an id or a declared path parameter is not in the
    ///   pattern.
    public init(
        title: String,
        version: String,
        description: String? = nil,
        servers: [String] = [],
        routes: [RouteEntry]
    ) throws(APIContractError) {
        self.title = title
        self.version = version
        self.description = description
        self.servers = servers
        self.operations = []
        self.undescribedRoutes = []
        var problems: [String] = []
        var ids: [String: String] = [:]
        for route in routes {
            let name = "\(route.method.rawValue) \(route.pattern)"
            guard let operation = (route.handler as? any OperationDescribing)?.operation, !route.pattern.contains("*") else {
                self.undescribedRoutes.append(name)
                continue
            }
            if let other = ids[operation.id] {
                problems.append("operation id '\(operation.id)' is used by \(other) and \(name)")
            }
            ids[operation.id] = name
            for declared in operation.pathParameters.keys.sorted() where !route.parameterNames.contains(declared) {
                problems.append("\(name) declares path parameter '\(declared)', which its pattern lacks")
            }
            let credentials = route.middleware.flatMap { ($0 as? any AuthenticatingMiddleware)?.credentialSchemes ?? [] }
            self.operations.append(
                Operation(
                    method: route.method,
                    pattern: route.pattern,
                    operation: operation,
                    credentials: credentials,
                    pathParameters: route.parameterNames
                )
            )
        }
        guard problems.isEmpty else { throw APIContractError(problems: problems) }
    }

    /// Every error code the contract documents, sorted.
    public var errorCodes: [String] {
        Array(Set(self.operations.flatMap { $0.errors.map(\.code) } + ["internal_error"])).sorted()
    }

    /// Serves ``openAPI()`` as `application/json`, with an `ETag` so clients can revalidate.
    ///
    /// ```swift
    /// routes.get("/api/openapi.json", handler: contract.documentHandler())
    /// ```
    public func documentHandler() -> some HTTPHandler {
        let document = self.openAPI()
        let etag = "\"\(String(fnv1a(document), radix: 16))\""
        return HandlerFunction { request, _ in
            if let condition = request.headers[.ifNoneMatch], EntityTag.ifNoneMatch(condition, matches: etag) {
                return Response(status: .notModified, headers: [.eTag: etag])
            }
            return Response(
                status: .ok,
                headers: [.contentType: "application/json", .eTag: etag, .cacheControl: "no-cache"],
                body: ResponseBody(string: document)
            )
        }
    }
}

/// Why routes do not make a contract.
public struct APIContractError: Error, Hashable, CustomStringConvertible {
    /// One line per problem.
    public let problems: [String]
    public var description: String { "Invalid API contract:\n" + self.problems.joined(separator: "\n") }
}

/// FNV-1a over the UTF-8 bytes: a stable, dependency-free ETag for a generated document.
func fnv1a(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash &*= 0x0000_0100_0000_01b3
    }
    return hash
}
