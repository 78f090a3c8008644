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
    @inlinable
    public func render(into writer: inout HTMLWriter) {
        self.body.render(into: &writer)
    }
}

/// Text, escaped (`&`, `<`, `>`, `"`, `'`) when written. A `String` in a builder block is a `Text`.
public struct Text: HTML {
    /// The unescaped text.
    public let value: String

    /// Creates text.
    @inlinable
    public init(_ value: String) { self.value = value }

    @inlinable
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
    @inlinable
    public init(_ markup: String) { self.markup = markup }

    @inlinable
    public func render(into writer: inout HTMLWriter) {
        writer.writeRaw(self.markup)
    }
}

/// Nothing at all.
public struct EmptyHTML: HTML {
    /// Creates empty content.
    @inlinable
    public init() {}
    @inlinable
    public func render(into writer: inout HTMLWriter) {}
}

/// Two pieces of content written one after the other: a builder block is a chain of these.
///
/// (A chain of concrete pairs, not a parameter pack: pack tuples need their type metadata built at run time,
/// which cost a third of a page's rendering time in the search page benchmark.)
@frozen
public struct HTMLPair<First: HTML, Second: HTML>: HTML {
    /// The first piece.
    public let first: First
    /// The second piece.
    public let second: Second

    /// Pairs two pieces.
    @inlinable
    public init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
    }

    @inlinable
    public func render(into writer: inout HTMLWriter) {
        self.first.render(into: &writer)
        self.second.render(into: &writer)
    }
}

/// One of two kinds of content (an `if`/`else` or `switch` in a builder block).
@frozen
public enum HTMLEither<First: HTML, Second: HTML>: HTML {
    /// The first branch.
    case first(First)
    /// The second branch.
    case second(Second)

    @inlinable
    public func render(into writer: inout HTMLWriter) {
        switch self {
        case .first(let content): content.render(into: &writer)
        case .second(let content): content.render(into: &writer)
        }
    }
}

extension Optional: HTML where Wrapped: HTML {
    @inlinable
    public func render(into writer: inout HTMLWriter) {
        if let content = self { content.render(into: &writer) }
    }
}

extension Array: HTML where Element: HTML {
    @inlinable
    public func render(into writer: inout HTMLWriter) {
        for content in self { content.render(into: &writer) }
    }
}

/// The result builder behind every HTML block: statements, `if`, `switch`, `for`, strings and numbers.
@resultBuilder
public enum HTMLBuilder {
    /// A piece of content as it is.
    @inlinable
    public static func buildExpression<Content: HTML>(_ content: Content) -> Content { content }
    /// A string becomes escaped ``Text``.
    @inlinable
    public static func buildExpression(_ text: String) -> Text { Text(text) }
    /// A substring becomes escaped ``Text``.
    @inlinable
    public static func buildExpression(_ text: Substring) -> Text { Text(String(text)) }
    /// A number becomes its decimal text.
    @inlinable
    public static func buildExpression(_ number: Int) -> Text { Text(String(number)) }
    /// An empty block.
    @inlinable
    public static func buildBlock() -> EmptyHTML { EmptyHTML() }
    /// The first statement of a block.
    @inlinable
    public static func buildPartialBlock<Content: HTML>(first content: Content) -> Content { content }
    /// The next statement of a block.
    @inlinable
    public static func buildPartialBlock<Accumulated: HTML, Next: HTML>(
        accumulated: Accumulated,
        next: Next
    ) -> HTMLPair<Accumulated, Next> {
        HTMLPair(accumulated, next)
    }
    /// An `if` without `else`.
    @inlinable
    public static func buildOptional<Content: HTML>(_ content: Content?) -> Content? { content }
    /// The `if` branch.
    @inlinable
    public static func buildEither<First: HTML, Second: HTML>(first: First) -> HTMLEither<First, Second> { .first(first) }
    /// The `else` branch.
    @inlinable
    public static func buildEither<First: HTML, Second: HTML>(second: Second) -> HTMLEither<First, Second> { .second(second) }
    /// A `for` loop.
    @inlinable
    public static func buildArray<Content: HTML>(_ content: [Content]) -> [Content] { content }
    /// An `if #available` branch.
    @inlinable
    public static func buildLimitedAvailability<Content: HTML>(_ content: Content) -> Content { content }
}
