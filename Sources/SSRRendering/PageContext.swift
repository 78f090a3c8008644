public import CookieAuth
public import HTTPCore
public import HTTPTypes
public import Logging
import NIOCore
import Synchronization

/// Everything a page's loader and renderer know about the request, plus ``api`` for calling the API on the
/// user's behalf and a place for response headers (cookies the API set, `Vary`, …).
///
/// ```swift
/// func load(_ context: PageContext) async throws -> PageResult<Props> {
///     let query = context.query["query"] ?? ""
///     let results = try await context.api.get("/api/search/", query: ["query": query], as: SearchResults.self)
///     return .props(Props(query: query, results: results))
/// }
/// ```
public final class PageContext: Sendable {
    /// The incoming request (its body is read at most once, e.g. by ``form(maxBytes:)``).
    public let request: Request
    /// The server's context: logger, request id, route parameters, remote address, storage.
    public let requestContext: RequestContext
    /// Calls the API for this request (forwarding the user's token, request id and language).
    public let api: PageAPI
    let responseFields: ResponseFields

    /// Creates a context; the page router makes one per request, tests may make their own.
    public init(request: Request, requestContext: RequestContext, api: APIClient?) {
        self.request = request
        self.requestContext = requestContext
        self.responseFields = ResponseFields()
        self.api = PageAPI(client: api, request: request, requestContext: requestContext, responseFields: self.responseFields)
    }

    /// The query parameters.
    public var query: QueryParameters { self.request.query }
    /// The route parameters (`:id` → `parameters["id"]`).
    public var parameters: Parameters { self.requestContext.parameters }
    /// The request's cookies.
    public var cookies: Cookies { self.request.cookies }
    /// The request's logger.
    public var logger: Logger { self.requestContext.logger }
    /// The request id, when the server assigned one.
    public var requestID: String? { self.requestContext.requestID }

    /// Adds a header to the page's response (kept for rendered pages and redirects, dropped for error pages).
    public func addResponseHeader(_ field: HTTPField) {
        self.responseFields.append(field)
    }

    /// Sets a cookie on the page's response.
    /// - Throws: `SetCookieError` for an invalid cookie.
    public func setCookie(_ cookie: SetCookie) throws {
        self.addResponseHeader(HTTPField(name: .setCookie, value: try cookie.headerValue()))
    }

    /// Headers added so far.
    public var responseHeaders: HTTPFields { self.responseFields.fields }

    /// The `application/x-www-form-urlencoded` body of a form post.
    /// - Throws: 415 for another content type, 413 past `maxBytes`.
    public func form(maxBytes: Int = 64 * 1024) async throws -> QueryParameters {
        if let type = self.request.headers[.contentType]?.split(separator: ";").first?.trimmingOWS.lowercased(),
            type != "application/x-www-form-urlencoded"
        {
            throw HTTPError(.unsupportedMediaType, message: "Forms are sent as application/x-www-form-urlencoded")
        }
        let body = try await self.request.body.collect(upTo: maxBytes)
        return QueryParameters(parsing: String(buffer: body))
    }
}

/// Response headers collected while a page loads (shared by the context and its API client).
final class ResponseFields: Sendable {
    private let storage = Mutex(HTTPFields())

    func append(_ field: HTTPField) { self.storage.withLock { $0.append(field) } }

    var fields: HTTPFields { self.storage.withLock { $0 } }
}
