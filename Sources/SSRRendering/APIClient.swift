import APIEnvelope
public import CookieAuth
public import HTTPCore
public import HTTPTypes
public import NIOCore
public import ProxyClient

/// How pages reach the API: a transport (pooled HTTP to the API's internal address, or an in-process call),
/// the cookie whose token is forwarded as a bearer token, and a response size limit.
///
/// ```swift
/// let api = try APIClient.http("http://127.0.0.1:8000")        // split services
/// let api = APIClient.inProcess(apiRouter)                      // one process
/// ```
public struct APIClient: Sendable {
    /// How requests travel.
    public let transport: any UpstreamTransport
    /// `Host` sent to the API (its own `host:port`).
    public let authority: String
    /// Sends the user's access-token cookie (`access_token`) as `Authorization: Bearer`, to this API only.
    public let forwarding: CookieBearerForwarding
    /// The largest API response body read (larger answers fail the load with a 502).
    public let maxResponseBytes: Int

    /// Creates a client over `transport`; `authority` is the API's `host:port` for the `Host` header, `scheme`
    /// how it is reached (`https` for an API behind TLS).
    public init(
        transport: any UpstreamTransport,
        authority: String,
        scheme: String = "http",
        tokenCookie: String = "access_token",
        maxResponseBytes: Int = 8 << 20
    ) {
        self.transport = transport
        self.authority = authority
        // The transport only ever reaches this API, so its origin is the one internal origin.
        self.origin = scheme + "://" + authority
        self.forwarding = CookieBearerForwarding(cookieName: tokenCookie, internalOrigins: [self.origin])
        self.maxResponseBytes = maxResponseBytes
    }

    /// The scheme + ``authority``: where ``forwarding`` may send the token.
    let origin: String

    /// The upstream settings for page → API calls: a loader waits for its data, so every call has a total
    /// deadline (10 s; a page whose API trickles its answer becomes a 504 error page, not a hung request),
    /// and the response head must come within 10 s.
    public static var defaultConfiguration: Upstream.Configuration {
        Upstream.Configuration(responseTimeout: .seconds(10), totalTimeout: .seconds(10))
    }

    /// A client that calls the API over pooled HTTP/1.1 connections at `baseURL` (`http://host:port`, or
    /// `https://` with ``Upstream/Configuration/tls`` set: a third-party API).
    /// - Parameter configuration: pool, timeouts and TLS; ``defaultConfiguration`` unless given.
    /// - Throws: when `baseURL` is not an `http://` or `https://` URL, or is `https://` without TLS configured.
    public static func http(
        _ baseURL: String,
        configuration: Upstream.Configuration = APIClient.defaultConfiguration,
        tokenCookie: String = "access_token"
    ) throws -> APIClient {
        let upstream = try Upstream([baseURL], configuration: configuration)
        let url = upstream.urls[0]
        return APIClient(transport: upstream, authority: url.authority, scheme: url.scheme, tokenCookie: tokenCookie)
    }

    /// A client that calls `api` directly in this process (errors rendered as envelopes, as the API server would).
    public static func inProcess(_ api: some HTTPHandler, tokenCookie: String = "access_token") -> APIClient {
        APIClient(
            transport: InProcessTransport(api, errorRenderer: EnvelopeErrorRenderer()),
            authority: "api.internal",
            tokenCookie: tokenCookie
        )
    }
}

/// The API client for one page request: forwards the access-token cookie as `Authorization: Bearer`, the
/// request id as `X-Request-ID` and `Accept-Language`; unwraps envelopes; turns error envelopes into
/// ``APIError``s; and can pass the API's `Set-Cookie` on to the browser.
///
/// ```swift
/// let user = try await context.api.get("/api/user/", as: UserInfo.self)
/// let _: UserInfo = try await context.api.post("/api/login/", json: credentials, relayCookies: true)
/// ```
public struct PageAPI: Sendable {
    let client: APIClient?
    let request: Request
    let requestContext: RequestContext
    let responseFields: ResponseFields

    init(client: APIClient?, request: Request, requestContext: RequestContext, responseFields: ResponseFields) {
        self.client = client
        self.request = request
        self.requestContext = requestContext
        self.responseFields = responseFields
    }

    /// `GET path?query` and the envelope's data.
    ///
    /// An error envelope is thrown as ``APIError``; a loader that does not catch it gets an error page with the
    /// API's status (a 422 stays a 422, a 404 a 404; the API's 5xx become 502).
    /// - Throws: ``APIError`` from an error envelope; `UpstreamError` when the API cannot be reached;
    ///   `EnvelopeDecodingError` when the answer is not an envelope of `T`.
    public func get<T: Decodable>(_ path: String, query: KeyValuePairs<String, String> = [:], as type: T.Type = T.self) async throws -> T {
        let response = try await self.send(.get, Self.target(path, query: query.map { ($0.key, Optional($0.value)) }))
        return try await self.decode(response, as: type, relayCookies: false)
    }

    /// `GET path?query` with a computed query: pairs in order, `nil` values left out.
    ///
    /// ```swift
    /// let results: SearchResults = try await context.api.get("/api/search/", query: [("query", q), ("page", page.map(String.init))])
    /// ```
    /// - Throws: as the other `get`s.
    public func get<T: Decodable>(_ path: String, query: [(String, String?)], as type: T.Type = T.self) async throws -> T {
        let response = try await self.send(.get, Self.target(path, query: query))
        return try await self.decode(response, as: type, relayCookies: false)
    }

    /// `GET path?query` with the query made from an `Encodable` value's properties (see
    /// `QueryParameters.pairs(of:)`: scalars, arrays of scalars, `nil` left out).
    ///
    /// ```swift
    /// let results: SearchResults = try await context.api.get("/api/search/", encodingQuery: SearchInput(query: q, maxResults: 20))
    /// ```
    /// - Throws: `EncodingError` for a value that is not flat; otherwise as the other `get`s.
    public func get<T: Decodable>(_ path: String, encodingQuery query: some Encodable, as type: T.Type = T.self) async throws -> T {
        let pairs = try QueryParameters.pairs(of: query).map { ($0.0, Optional($0.1)) }
        return try await self.get(path, query: pairs, as: type)
    }

    /// `POST path` with `json` as the body, and the envelope's data.
    /// - Parameter relayCookies: pass the API's `Set-Cookie` fields on to the page's response (login).
    /// - Throws: as ``get(_:query:as:)``.
    public func post<T: Decodable>(
        _ path: String,
        json: some Encodable,
        as type: T.Type = T.self,
        relayCookies: Bool = false
    ) async throws -> T {
        let body = try JSONWriter.encode(json)
        let response = try await self.send(.post, path, body: body, contentType: "application/json")
        return try await self.decode(response, as: type, relayCookies: relayCookies)
    }

    /// Sends a request as it is and returns the raw response (its body still streaming).
    /// - Throws: `UpstreamError` when the API cannot be reached.
    public func send(
        _ method: HTTPRequest.Method,
        _ target: String,
        body: ByteBuffer? = nil,
        contentType: String? = nil
    ) async throws -> Response {
        guard let client = self.client else { throw UpstreamError.noServers }
        var fields = HTTPFields()
        fields[.accept] = "application/json"
        if let language = self.request.headers[.acceptLanguage] { fields[.acceptLanguage] = language }
        if let requestID = self.requestContext.requestID { fields[.xRequestID] = requestID }
        for field in client.forwarding.headers(from: self.request, to: client.origin) { fields.append(field) }
        if let body {
            fields[.contentType] = contentType ?? "application/octet-stream"
            fields[.contentLength] = String(body.readableBytes)
        }
        let head = HTTPRequest(method: method, scheme: nil, authority: client.authority, path: target, headerFields: fields)
        var context = self.requestContext
        context.parameters = Parameters()
        return try await client.transport.send(Request(head: head, body: body.map { RequestBody(bytes: $0) } ?? .empty), context: context)
    }

    private func decode<T: Decodable>(_ response: Response, as type: T.Type, relayCookies: Bool) async throws -> T {
        let limit = self.client?.maxResponseBytes ?? 0
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw EnvelopeDecodingError.notAnEnvelope(status: response.status, snippet: "(more than \(limit) bytes)")
        }
        if relayCookies {
            for field in response.headers where field.name == .setCookie { self.responseFields.append(field) }
        }
        return try Envelope.decode(type, from: body, status: response.status)
    }

    /// `path` with `query` percent-encoded (`nil` values left out).
    static func target(_ path: String, query: [(String, String?)]) -> String {
        let encoded = QueryParameters.queryString(query)
        guard !encoded.isEmpty else { return path }
        return path + (path.contains("?") ? "&" : "?") + encoded
    }
}
