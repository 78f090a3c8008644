/// Content that waits for something (a slow API call, say) while the page before it is already streaming.
///
/// The bytes written before a `Deferred` are sent first; its `load` runs when the stream reaches it, and its
/// content follows. A page containing one is sent chunked, without an `ETag`. The status code is sent before
/// `load` runs, so a failure inside it can only cut the connection (never a truncated page that looks whole):
/// load whatever decides the status in the page's loader instead.
///
/// ```swift
/// Deferred { try await recommendations(for: user) } content: { items in
///     ul { for item in items { li { item.title } } }
/// }
/// ```
public struct Deferred<Value: Sendable, Content: HTML>: HTML {
    let load: @Sendable () async throws -> Value
    let content: @Sendable (Value) -> Content

    /// Creates the placeholder.
    /// - Parameters:
    ///   - load: produces the value, when the stream gets here.
    ///   - content: the HTML for the value.
    public init(
        _ load: @escaping @Sendable () async throws -> Value,
        @HTMLBuilder content: @escaping @Sendable (Value) -> Content
    ) {
        self.load = load
        self.content = content
    }

    public func render(into writer: inout HTMLWriter) {
        let load = self.load
        let content = self.content
        writer.writeDeferred { chunkSize in
            let value = try await load()
            return RenderedHTML(content(value), chunkSize: chunkSize)
        }
    }
}
