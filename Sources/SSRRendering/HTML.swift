/// Something that writes HTML: an element, text, a component, a whole ``Document``.
///
/// Text and attribute values are escaped as they are written; ``RawHTML`` is the only way to write
/// markup verbatim. Build content with the ``HTMLBuilder`` result builder:
///
/// ```swift
/// struct ResultList: Component {
///     let results: [SearchResult]
///     var body: some HTML {
///         ul(.class("results")) {
///             for result in results {
///                 li { a(.href(result.url)) { result.title } }
///             }
///         }
///     }
/// }
/// ```
public protocol HTML: Sendable {
    /// Writes this content's bytes into `writer`.
    func render(into writer: inout HTMLWriter)
}

/// A reusable piece of HTML with a `body` written in the builder.
///
/// ```swift
/// struct Greeting: Component {
///     let name: String
///     var body: some HTML { p { "Hello, "; strong { name } } }
/// }
/// ```
public protocol Component: HTML {
    /// The content's type.
    associatedtype Body: HTML
    /// The content.
    @HTMLBuilder var body: Body { get }
}

extension Component {
    public func render(into writer: inout HTMLWriter) {
        self.body.render(into: &writer)
    }
}

/// Text, escaped (`&`, `<`, `>`, `"`, `'`) when written. A `String` in a builder block is a `Text`.
public struct Text: HTML {
    /// The unescaped text.
    public let value: String

    /// Creates text.
    public init(_ value: String) { self.value = value }

    public func render(into writer: inout HTMLWriter) {
        writer.writeEscaped(self.value)
    }
}

/// Markup written verbatim: the only opt-out from escaping. Never put user input in here.
///
/// ```swift
/// RawHTML("<svg viewBox=\"0 0 8 8\"><circle cx=\"4\" cy=\"4\" r=\"4\"/></svg>")
/// ```
public struct RawHTML: HTML {
    /// The markup.
    public let markup: String

    /// Creates raw markup.
    public init(_ markup: String) { self.markup = markup }

    public func render(into writer: inout HTMLWriter) {
        writer.writeRaw(self.markup)
    }
}

/// Nothing at all.
public struct EmptyHTML: HTML {
    /// Creates empty content.
    public init() {}
    public func render(into writer: inout HTMLWriter) {}
}

/// Several pieces of content written one after another (a builder block).
public struct HTMLGroup<each Content: HTML>: HTML {
    let content: (repeat each Content)

    /// Groups `content`.
    public init(_ content: repeat each Content) {
        self.content = (repeat each content)
    }

    public func render(into writer: inout HTMLWriter) {
        for part in repeat each self.content {
            part.render(into: &writer)
        }
    }
}

/// One of two kinds of content (an `if`/`else` or `switch` in a builder block).
public enum HTMLEither<First: HTML, Second: HTML>: HTML {
    /// The first branch.
    case first(First)
    /// The second branch.
    case second(Second)

    public func render(into writer: inout HTMLWriter) {
        switch self {
        case .first(let content): content.render(into: &writer)
        case .second(let content): content.render(into: &writer)
        }
    }
}

extension Optional: HTML where Wrapped: HTML {
    public func render(into writer: inout HTMLWriter) {
        if let content = self { content.render(into: &writer) }
    }
}

extension Array: HTML where Element: HTML {
    public func render(into writer: inout HTMLWriter) {
        for content in self { content.render(into: &writer) }
    }
}

/// The result builder behind every HTML block: statements, `if`, `switch`, `for`, strings and numbers.
@resultBuilder
public enum HTMLBuilder {
    /// A piece of content as it is.
    public static func buildExpression<Content: HTML>(_ content: Content) -> Content { content }
    /// A string becomes escaped ``Text``.
    public static func buildExpression(_ text: String) -> Text { Text(text) }
    /// A substring becomes escaped ``Text``.
    public static func buildExpression(_ text: Substring) -> Text { Text(String(text)) }
    /// A number becomes its decimal text.
    public static func buildExpression(_ number: Int) -> Text { Text(String(number)) }
    /// A block.
    public static func buildBlock<each Content: HTML>(_ content: repeat each Content) -> HTMLGroup<repeat each Content> {
        HTMLGroup(repeat each content)
    }
    /// An `if` without `else`.
    public static func buildOptional<Content: HTML>(_ content: Content?) -> Content? { content }
    /// The `if` branch.
    public static func buildEither<First: HTML, Second: HTML>(first: First) -> HTMLEither<First, Second> { .first(first) }
    /// The `else` branch.
    public static func buildEither<First: HTML, Second: HTML>(second: Second) -> HTMLEither<First, Second> { .second(second) }
    /// A `for` loop.
    public static func buildArray<Content: HTML>(_ content: [Content]) -> [Content] { content }
    /// An `if #available` branch.
    public static func buildLimitedAvailability<Content: HTML>(_ content: Content) -> Content { content }
}
