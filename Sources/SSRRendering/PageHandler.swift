import CookieAuth
import Crypto
public import HTTPCore
import HTTPTypes
import NIOCore

/// Serves one ``Page``: runs its loader (`GET`/`HEAD`) or form handler (`POST`), renders the outcome and
/// answers errors with the error pages. Mount it on any router; ``PageRouter`` does that for a set of pages.
///
/// ```swift
/// var routes = TrieRouter.Builder()
/// routes.get("/about/", handler: PageHandler(AboutPage(), api: api))
/// ```
public struct PageHandler<P: Page, Errors: ErrorPages>: HTTPHandler {
    /// The page.
    public let page: P
    /// How the page reaches the API.
    public let api: APIClient?
    /// The error pages.
    public let errorPages: Errors
    /// Rendering chunk size.
    public let chunkSize: Int

    /// Creates the handler.
    public init(_ page: P, api: APIClient?, errorPages: Errors, chunkSize: Int = 16 * 1024) {
        self.page = page
        self.api = api
        self.errorPages = errorPages
        self.chunkSize = chunkSize
    }

    public func handle(_ request: Request, context: RequestContext) async throws -> Response {
        let pageContext = PageContext(request: request, requestContext: context, api: self.api)
        do {
            let result: PageResult<P.Props>
            switch request.method {
            case .get, .head: result = try await self.page.load(pageContext)
            case .post: result = try await self.page.submit(pageContext)
            default: throw PageMethodNotAllowed()
            }
            switch result.kind {
            case .notFound:
                return self.errorPages.response(for: PageError(status: .notFound, path: String(request.path), requestID: context.requestID))
            case .redirect(let location, let status):
                var headers = pageContext.responseHeaders
                headers[.location] = location
                headers[.cacheControl] = "no-store"
                return Response(status: status, headers: headers, body: .empty)
            case .render(let status, let props):
                let output = try self.page.render(props, context: pageContext)
                return self.response(
                    status: status,
                    rendered: RenderedHTML(output, chunkSize: self.chunkSize),
                    request: request,
                    pageContext
                )
            }
        } catch {
            let pageError = PageError(error, path: String(request.path), requestID: context.requestID, logger: context.logger)
            var headers = HTTPFields()
            if pageError.status == .methodNotAllowed { headers[.allow] = "GET, HEAD" }
            return self.errorPages.response(for: pageError, headers: headers)
        }
    }

    private func response(status: HTTPResponse.Status, rendered: RenderedHTML, request: Request, _ context: PageContext) -> Response {
        var headers = context.responseHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = self.page.cacheControl
        // Only a page rendered in full can be validated; one with deferred parts streams without an ETag.
        if self.page.usesETag, status == .ok, let chunks = rendered.staticChunks {
            let etag = Self.etag(of: chunks)
            headers[.eTag] = etag
            if let condition = request.headers[.ifNoneMatch], EntityTag.ifNoneMatch(condition, matches: etag) {
                var notModified = HTTPFields()
                notModified[.eTag] = etag
                notModified[.cacheControl] = self.page.cacheControl
                for field in headers where field.name == .setCookie || field.name == .vary { notModified.append(field) }
                return Response(status: .notModified, headers: notModified)
            }
        }
        return Response(status: status, headers: headers, body: rendered.responseBody(chunkSize: self.chunkSize))
    }

    /// A strong validator: the first 15 bytes (120 bits) of the body's SHA-256, base64url, quoted.
    static func etag(of chunks: [ByteBuffer]) -> String {
        var hasher = SHA256()
        for chunk in chunks { chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) } }
        return "\"" + CookieSigner.base64URL(Array(hasher.finalize()).prefix(15)) + "\""
    }
}
