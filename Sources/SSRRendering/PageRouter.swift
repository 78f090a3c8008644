public import HTTPCore
public import HTTPTypes
public import Routing

/// A set of pages served as one `HTTPHandler`: each page on its route (`GET`, `HEAD`, `POST`), the 404 error
/// page for any other path, error pages for whatever escapes.
///
/// ```swift
/// var site = PageRouter.Builder(api: try APIClient.http("http://127.0.0.1:8000"), errorPages: SiteErrorPages())
/// site.add(SearchPage())
/// site.add(LoginPage())
/// let web = try site.build()
/// try await HTTPServer(handler: web, configuration: .init(port: 3000)).run()
/// ```
public struct PageRouter<Errors: ErrorPages>: HTTPHandler {
    let router: TrieRouter
    /// The error pages.
    public let errorPages: Errors
    /// Headers added to every response that does not set them itself.
    public let securityHeaders: HTTPFields

    public func handle(_ request: Request, context: RequestContext) async throws -> Response {
        var response: Response
        do {
            response = try await self.router.handle(request, context: context)
        } catch {
            response = ErrorPageRenderer(self.errorPages).response(for: error, request: request, context: context)
        }
        for field in self.securityHeaders where response.headers[field.name] == nil {
            response.headers.append(field)
        }
        return response
    }

    /// The default ``Builder/securityHeaders``: no MIME sniffing, no framing by other sites, no full URLs in
    /// `Referer` to other origins (what Django's security middleware sends by default).
    public static var defaultSecurityHeaders: HTTPFields {
        [
            .xContentTypeOptions: "nosniff",
            .xFrameOptions: "SAMEORIGIN",
            .referrerPolicy: "strict-origin-when-cross-origin",
        ]
    }

    /// Collects pages (and any other handlers) for a ``PageRouter``.
    public struct Builder {
        /// How pages reach the API.
        public let api: APIClient?
        /// The error pages.
        public let errorPages: Errors
        /// Other routes (static files, health checks) next to the pages.
        public var routes: TrieRouter.Builder
        /// Rendering chunk size.
        public var chunkSize: Int
        /// Headers added to every response unless it sets them (default ``PageRouter/defaultSecurityHeaders``;
        /// add a `Content-Security-Policy` here, or remove entries).
        public var securityHeaders: HTTPFields = PageRouter.defaultSecurityHeaders

        /// Creates a builder.
        public init(api: APIClient?, errorPages: Errors, chunkSize: Int = 16 * 1024) {
            self.api = api
            self.errorPages = errorPages
            self.routes = TrieRouter.Builder()
            self.chunkSize = chunkSize
        }

        /// Adds `page` on its route.
        public mutating func add(_ page: some Page) {
            let handler = PageHandler(page, api: self.api, errorPages: self.errorPages, chunkSize: self.chunkSize)
            self.routes.get(page.route, handler: handler)
            self.routes.post(page.route, handler: handler)
        }

        /// The router; unknown paths get the 404 page.
        /// - Throws: `RouterBuildError` for duplicate or invalid routes.
        public func build() throws -> PageRouter {
            var routes = self.routes
            let errorPages = self.errorPages
            routes.fallback(
                HandlerFunction { request, context in
                    errorPages.response(for: PageError(status: .notFound, path: String(request.path), requestID: context.requestID))
                }
            )
            return PageRouter(router: try routes.build(), errorPages: self.errorPages, securityHeaders: self.securityHeaders)
        }
    }
}

extension PageRouter.Builder where Errors == DefaultErrorPages {
    /// Creates a builder with the default error pages.
    public init(api: APIClient?, chunkSize: Int = 16 * 1024) {
        self.init(api: api, errorPages: DefaultErrorPages(), chunkSize: chunkSize)
    }
}
