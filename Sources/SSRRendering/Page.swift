/// A server-rendered page: a route, a loader that fetches what the page needs and decides the outcome,
/// and a renderer. The status and headers are decided before the first body byte, so a missing item is a
/// real 404 and a failed API call a real 502.
///
/// ```swift
/// struct ItemPage: Page {
///     var route: String { "/items/:id/" }
///
///     func load(_ context: PageContext) async throws -> PageResult<Item> {
///         do { return .props(try await context.api.get("/api/items/\(context.parameters["id"] ?? "")/")) }
///         catch let error as APIError where error.status == .notFound { return .notFound }
///     }
///
///     func render(_ item: Item, context: PageContext) -> Document {
///         Document(head: Head(title: item.name, description: item.summary)) {
///             h1 { item.name }
///             p { item.summary }
///         }
///     }
/// }
/// ```
public protocol Page: Sendable {
    /// What the loader hands the renderer.
    associatedtype Props: Sendable
    /// What the renderer returns: a ``Document`` usually, or any ``HTML`` (a template engine's output).
    associatedtype Output: HTML

    /// The route pattern, with `:name` parameters and `*` / `**` wildcards as in a `TrieRouter`.
    var route: String { get }

    /// `Cache-Control` for rendered pages. By default `private, no-cache`: browsers keep the page and
    /// revalidate it with its `ETag`; shared caches do not store it (pages may show signed-in data).
    var cacheControl: String { get }

    /// Whether a rendered page gets a strong `ETag` and `If-None-Match` gets a 304. On by default; a page
    /// that streams (``Deferred``) never has one.
    var usesETag: Bool { get }

    /// Loads what a `GET` (or `HEAD`) needs and decides the outcome.
    func load(_ context: PageContext) async throws -> PageResult<Props>

    /// Handles a `POST` to the page (a form). By default 405 Method Not Allowed.
    func submit(_ context: PageContext) async throws -> PageResult<Props>

    /// Renders `props`.
    func render(_ props: Props, context: PageContext) throws -> Output
}

extension Page {
    public var cacheControl: String { "private, no-cache" }

    public var usesETag: Bool { true }

    public func submit(_ context: PageContext) async throws -> PageResult<Props> {
        throw PageMethodNotAllowed()
    }
}

/// A page without a `submit` was posted to.
struct PageMethodNotAllowed: Error {}
