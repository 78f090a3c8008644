/// Turns a page's props into HTML: the seam where a template engine replaces the builder.
///
/// ``TemplatePage`` pairs a loader with any renderer; the `SSRMustache` target ships one for Mustache
/// templates. A renderer's output is written as it is, so a template engine must escape values itself.
///
/// ```swift
/// struct PlainRenderer: PageRenderer {
///     func render(_ name: String, context: PageContext) -> Document {
///         Document(head: Head(title: name)) { h1 { name } }
///     }
/// }
/// let page = TemplatePage("/hello/:name/", renderer: PlainRenderer()) { context in
///     .props(context.parameters["name"] ?? "world")
/// }
/// ```
public protocol PageRenderer<Props>: Sendable {
    /// What the renderer needs.
    associatedtype Props: Sendable
    /// What it produces.
    associatedtype Output: HTML

    /// Renders `props`.
    func render(_ props: Props, context: PageContext) throws -> Output
}

/// A page made of a route, a loader closure and a ``PageRenderer``.
public struct TemplatePage<Renderer: PageRenderer>: Page {
    /// The route pattern.
    public let route: String
    /// `Cache-Control` for rendered pages.
    public let cacheControl: String
    /// The renderer.
    public let renderer: Renderer
    let loader: @Sendable (PageContext) async throws -> PageResult<Renderer.Props>

    /// Creates the page.
    public init(
        _ route: String,
        cacheControl: String = "private, no-cache",
        renderer: Renderer,
        load: @escaping @Sendable (PageContext) async throws -> PageResult<Renderer.Props>
    ) {
        self.route = route
        self.cacheControl = cacheControl
        self.renderer = renderer
        self.loader = load
    }

    public func load(_ context: PageContext) async throws -> PageResult<Renderer.Props> {
        try await self.loader(context)
    }

    public func render(_ props: Renderer.Props, context: PageContext) throws -> Renderer.Output {
        try self.renderer.render(props, context: context)
    }
}
