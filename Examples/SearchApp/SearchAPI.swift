public import APIContract
import APIEnvelope
public import CookieAuth
import Foundation
public import HTTPCore
import HTTPTypes
import Logging
import Multipart
public import Routing
import Validation

/// The example's API server: search, entries, stats, feedback, login, logout, the signed-in user, and its own contract
/// at `GET /api/openapi.json` (every route is described, so the document is made from the routes).
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
        routes.get(
            "/api/search/",
            handler: APIHandler(
                APIOperation(
                    "searchCatalogue",
                    summary: "Search the catalogue",
                    description: "Entries containing every word of `query` (case-insensitive), in id order.",
                    tags: ["catalogue"]
                ),
                input: .query(Contracts.search),
                output: .object(Contracts.searchResults)
            ) { input, _, _ in .ok(catalogue.search(input)) }
        )
    }

    /// The title and version of the API's contract.
    public static let contractTitle = "Tandem example API"
    /// The contract's version.
    public static let contractVersion = "1.0.0"

    /// The API's contract, read from its routes: what `GET /api/openapi.json` serves and `export-contracts` writes.
    public func contract() throws -> APIContract {
        try Self.contract(of: self.routes())
    }

    private static func contract(of routes: TrieRouter.Builder) throws -> APIContract {
        try APIContract(
            title: Self.contractTitle,
            version: Self.contractVersion,
            description: "The search example's API: every answer is the `{status, data, error}` envelope.",
            routes: routes.routes
        )
    }

    /// Every route, with errors rendered as envelopes:
    /// - `GET /api/search/`, `POST /api/login/` (sets `access_token`), `POST /api/logout/`,
    ///   `GET /api/user/` (bearer token or cookie). (`GET /healthz` is the launcher's, `TandemApp`.)
    public func handler() throws -> some HTTPHandler {
        try self.finish(self.routesWithContract())
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
        var routes = try self.routesWithContract()
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

    /// The routes plus `GET /api/openapi.json`, the contract made from them.
    private func routesWithContract() throws -> TrieRouter.Builder {
        var routes = self.routes()
        routes.get("/api/openapi.json", handler: try Self.contract(of: routes).documentHandler())
        return routes
    }

    private func routes() -> TrieRouter.Builder {
        var routes = TrieRouter.Builder()
        Self.addSearch(to: &routes, catalogue: self.catalogue)
        let catalogue = self.catalogue
        routes.get(
            "/api/entries/:id/",
            handler: APIHandler(
                APIOperation(
                    "getEntry",
                    summary: "One catalogue entry",
                    tags: ["catalogue"],
                    pathParameters: ["id": .integer(minimum: 1, maximum: Int.max)],
                    errors: [APIErrorDescription(.notFound, code: "not_found", "No entry has this id.")]
                ),
                output: .object(Contracts.catalogueEntry)
            ) { _, context in
                guard let entry = catalogue.entry(try context.parameters.require("id", as: Int.self)) else {
                    throw APIError.notFound("No entry has this id")
                }
                return .ok(entry)
            }
        )
        routes.get(
            "/api/catalogue/stats/",
            handler: APIHandler(
                APIOperation("catalogueStats", summary: "Entry counts, in all and per topic", tags: ["catalogue"]),
                output: .object(Contracts.catalogueStats)
            ) { _, _ in .ok(catalogue.stats()) }
        )
        routes.post(
            "/api/feedback/",
            handler: APIHandler(
                APIOperation(
                    "sendFeedback",
                    summary: "Rate or comment on an entry",
                    tags: ["catalogue"],
                    successStatus: .created,
                    errors: [APIErrorDescription(.notFound, code: "not_found", "No entry has this id.")]
                ),
                input: .json(Contracts.feedback, maxBytes: 16 * 1024),
                output: .object(Contracts.feedbackReceipt)
            ) { input, _, _ in
                guard catalogue.entry(input.entryID) != nil else { throw APIError.notFound("No entry has this id") }
                let receipt = FeedbackReceipt(id: UUID(), entryID: input.entryID, kind: input.feedback.kind, receivedAt: Date())
                return .created(receipt)
            }
        )
        routes.post(
            "/api/entries/:id/attachments/",
            handler: APIHandler(
                APIOperation(
                    "attachFile",
                    summary: "Upload a file for an entry",
                    description: "A `multipart/form-data` body: the `file` part (at most 1 MiB) and an optional `caption`.",
                    tags: ["catalogue"],
                    pathParameters: ["id": .integer(minimum: 1, maximum: Int.max)],
                    successStatus: .created,
                    errors: [APIErrorDescription(.notFound, code: "not_found", "No entry has this id.")]
                ),
                input: .multipart(
                    Contracts.attachment,
                    files: ["file"],
                    limits: MultipartLimits(maxParts: 10, maxFileBytes: 1 << 20, maxTotalBytes: 2 << 20)
                ),
                output: .object(Contracts.attachmentReceipt)
            ) { input, _, context in
                let id = try context.parameters.require("id", as: Int.self)
                guard catalogue.entry(id) != nil else { throw APIError.notFound("No entry has this id") }
                let file = input.form.files(named: "file")[0]
                let receipt = AttachmentReceipt(
                    entryID: id,
                    filename: file.filename,
                    contentType: file.contentType,
                    size: file.size,
                    caption: input.fields
                )
                return .created(receipt)
            }
        )
        let users = self.users
        let tokens = self.tokens
        let secure = self.secureCookies
        routes.post(
            "/api/login/",
            handler: APIHandler(
                APIOperation(
                    "login",
                    summary: "Sign in",
                    description: "Sets the `access_token` cookie (HttpOnly) and returns the user.",
                    tags: ["session"],
                    errors: [APIErrorDescription(.unauthorized, code: "unauthorized", "Wrong user name or password.")]
                ),
                input: .json(Contracts.login, maxBytes: 16 * 1024),
                output: .object(Contracts.userInfo)
            ) { login, _, _ in
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
            handler: APIHandler(
                APIOperation("logout", summary: "Sign out", description: "Deletes the `access_token` cookie.", tags: ["session"])
            ) { _, _ in
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
                handler: APIHandler(
                    APIOperation("currentUser", summary: "The signed-in user", tags: ["session"]),
                    output: .object(Contracts.userInfo)
                ) { _, context in
                    guard let subject = context.identity?.subject, let info = users.user(subject) else { throw APIError.unauthorized() }
                    return .ok(info)
                }
            )
        }
        return routes
    }
}
