import APIEnvelope
public import CookieAuth
public import HTTPCore
import HTTPTypes
import Logging
public import Routing

/// The example's API server: search, login, logout, the signed-in user and a health check.
///
/// ```swift
/// let api = try SearchAPI(tokens: SignedAccessTokens(keys: keys)).handler()
/// ```
public struct SearchAPI: Sendable {
    /// The catalogue searched.
    public let catalogue: Catalogue
    /// Who can sign in.
    public let users: UserDirectory
    /// Issues and verifies `access_token`s.
    public let tokens: SignedAccessTokens
    /// Whether cookies carry `Secure` (off for the plain-http demo on localhost).
    public let secureCookies: Bool

    /// Creates the API.
    public init(catalogue: Catalogue = .standard, users: UserDirectory = .demo, tokens: SignedAccessTokens, secureCookies: Bool = false) {
        self.catalogue = catalogue
        self.users = users
        self.tokens = tokens
        self.secureCookies = secureCookies
    }

    /// Adds `GET /api/search/?query=&max_results=` to `routes`: validated by ``Contracts/search``,
    /// answered with ``SearchResults`` in the envelope (422 with every problem otherwise).
    public static func addSearch(to routes: inout TrieRouter.Builder, catalogue: Catalogue = .standard) {
        routes.get("/api/search/", handler: APIHandler { request, _ in catalogue.search(try request.decodeQuery(Contracts.search)) })
    }

    /// Every route, with errors rendered as envelopes:
    /// - `GET /api/search/`, `POST /api/login/` (sets `access_token`), `POST /api/logout/`,
    ///   `GET /api/user/` (bearer token or cookie). (`GET /healthz` is the launcher's, `TandemApp`.)
    public func handler() throws -> some HTTPHandler {
        try self.finish(self.routes())
    }

    /// The API serving `/api/*` itself and sending every other path to `pages` (the dev proxy:
    /// `pages` is a `ReverseProxy` to the web server). Errors under `pages` are rendered as plain text, the
    /// API's own as envelopes.
    ///
    /// ```swift
    /// let pages = try ReverseProxy(to: "http://127.0.0.1:3000", whenUnavailable: .plainText(.serviceUnavailable, "SSR server not running"))
    /// let app = try SearchAPI(tokens: tokens).handler(proxyingPagesTo: pages)
    /// ```
    public func handler(proxyingPagesTo pages: some HTTPHandler) throws -> some HTTPHandler {
        var routes = self.routes()
        // Unknown API paths stay API answers (404 envelope) instead of reaching the page server.
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            routes.on(method, "/api/**", handler: HandlerFunction { _, _ in throw APIError.notFound("No such API endpoint") })
        }
        routes.fallback(pages.wrapped(in: ErrorMiddleware(PlainTextErrorRenderer())))
        return try self.finish(routes)
    }

    private func finish(_ routes: TrieRouter.Builder) throws -> some HTTPHandler {
        try routes.build()
            .wrapped(in: ErrorMiddleware(EnvelopeErrorRenderer()))
            .wrapped(in: RequestIDMiddleware())
            .wrapped(in: AccessLogMiddleware(level: .debug))
    }

    private func routes() -> TrieRouter.Builder {
        var routes = TrieRouter.Builder()
        Self.addSearch(to: &routes, catalogue: self.catalogue)
        let users = self.users
        let tokens = self.tokens
        let secure = self.secureCookies
        routes.post(
            "/api/login/",
            handler: APIHandler { request, _ -> APIResponse<UserInfo> in
                let login = try await request.decodeJSON(Contracts.login)
                guard let user = users.authenticate(login.username, password: login.password) else {
                    throw APIError.unauthorized("Wrong user name or password")
                }
                let cookie = SetCookie(
                    name: tokens.name,
                    value: tokens.issue(for: Identity(subject: user.username)),
                    maxAge: Int(tokens.lifetime.components.seconds),
                    secure: secure
                )
                var response = APIResponse.ok(user)
                response.headers.append(HTTPField(name: .setCookie, value: try cookie.headerValue()))
                return response
            }
        )
        routes.post(
            "/api/logout/",
            handler: APIHandler { _, _ -> APIResponse<NoData> in
                var response = APIResponse<NoData>(data: nil)
                response.headers.append(
                    HTTPField(name: .setCookie, value: try SetCookie.deletion(of: tokens.name, secure: secure).headerValue())
                )
                return response
            }
        )
        routes.group("/api/user", middleware: [BearerAuthMiddleware(verifier: tokens, cookieName: tokens.name)]) { user in
            user.get(
                "/",
                handler: APIHandler { _, context in
                    guard let subject = context.identity?.subject, let info = users.user(subject) else { throw APIError.unauthorized() }
                    return info
                }
            )
        }
        return routes
    }
}
