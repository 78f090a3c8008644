public import Mustache
public import SSRRendering

/// Renders pages with Mustache templates (hummingbird-project/swift-mustache): a ``PageRenderer`` for teams
/// that keep markup in template files.
///
/// `{{value}}` is HTML-escaped (`&`, `<`, `>`, `"`, `'`); `{{{value}}}` is not — the template's opt-out, like
/// `RawHTML` in the builder. Props are read by reflection (structs, dictionaries, arrays).
///
/// ```swift
/// let library = try await MustacheLibrary(directory: "Templates")
/// let page = TemplatePage("/search/", renderer: MustacheRenderer<SearchProps>(library: library, template: "search")) { context in
///     .props(try await SearchProps.load(context))
/// }
/// ```
public struct MustacheRenderer<Props: Sendable>: PageRenderer {
    /// The templates.
    public let library: MustacheLibrary
    /// The template rendered for every page.
    public let template: String

    /// Creates the renderer.
    public init(library: MustacheLibrary, template: String) {
        self.library = library
        self.template = template
    }

    /// The rendered template.
    /// - Throws: ``MustacheRendererError`` when the library has no such template.
    public func render(_ props: Props, context: PageContext) throws -> RawHTML {
        guard let text = self.library.render(props, withTemplate: self.template) else {
            throw MustacheRendererError(template: self.template)
        }
        return RawHTML(text)
    }
}

/// The library has no template of that name (a 500 error page; the name goes to the log only).
public struct MustacheRendererError: Error, Sendable, CustomStringConvertible {
    /// The missing template's name.
    public let template: String

    public var description: String { "No Mustache template named \(self.template)" }
}
