public import NIOCore

/// Where HTML is written: `ByteBuffer` chunks of about ``chunkSize`` bytes, escaping on the way in.
///
/// Content types call it from ``HTML/render(into:)``; pages never build one `String` of the whole page.
/// Parts that must wait for something (``Deferred``) become placeholders that the response stream fills
/// in order, after the bytes before them are already on their way to the client.
///
/// ```swift
/// struct Badge: HTML {
///     let label: String
///     func render(into writer: inout HTMLWriter) {
///         writer.writeRaw("<span class=\"badge\">")
///         writer.writeEscaped(label)
///         writer.writeRaw("</span>")
///     }
/// }
/// ```
public struct HTMLWriter {
    /// A finished part of the output.
    enum Chunk: Sendable {
        case bytes(ByteBuffer)
        case deferred(@Sendable (_ chunkSize: Int) async throws -> RenderedHTML)
    }

    /// The size at which a chunk is closed and a new one started.
    public let chunkSize: Int
    private var chunks: [Chunk] = []
    private var buffer: ByteBuffer

    /// Creates a writer that closes chunks at `chunkSize` bytes (16 KiB by default).
    public init(chunkSize: Int = 16 * 1024) {
        self.chunkSize = max(chunkSize, 256)
        self.buffer = ByteBuffer()
        self.buffer.reserveCapacity(self.chunkSize + 1024)
    }

    /// Writes `markup` verbatim.
    public mutating func writeRaw(_ markup: String) {
        self.buffer.writeString(markup)
        self.closeChunkIfFull()
    }

    /// Writes `markup` verbatim.
    public mutating func writeRaw(_ markup: StaticString) {
        self.buffer.writeStaticString(markup)
        self.closeChunkIfFull()
    }

    /// Writes bytes verbatim.
    public mutating func writeRaw(_ bytes: ByteBuffer) {
        var bytes = bytes
        self.buffer.writeBuffer(&bytes)
        self.closeChunkIfFull()
    }

    /// Writes `text` with `&`, `<`, `>`, `"` and `'` escaped: safe in element content and in quoted
    /// attribute values.
    public mutating func writeEscaped(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for index in 0..<bytes.count {
                let replacement: StaticString
                switch bytes[index] {
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case UInt8(ascii: "\""): replacement = "&quot;"
                case UInt8(ascii: "'"): replacement = "&#39;"
                default: continue
                }
                if index > start { self.buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<index]))) }
                self.buffer.writeStaticString(replacement)
                start = index + 1
            }
            if start < bytes.count { self.buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start...]))) }
        }
        self.closeChunkIfFull()
    }

    /// Leaves a place for content that is rendered later, by `render`, once the bytes before it are sent.
    mutating func writeDeferred(_ render: @escaping @Sendable (_ chunkSize: Int) async throws -> RenderedHTML) {
        self.closeChunk()
        self.chunks.append(.deferred(render))
    }

    /// The output so far; the writer is empty afterwards.
    public mutating func finish() -> RenderedHTML {
        self.closeChunk()
        defer { self.chunks = [] }
        return RenderedHTML(chunks: self.chunks)
    }

    private mutating func closeChunkIfFull() {
        if self.buffer.readableBytes >= self.chunkSize { self.closeChunk() }
    }

    private mutating func closeChunk() {
        guard self.buffer.readableBytes > 0 else { return }
        self.chunks.append(.bytes(self.buffer))
        self.buffer = ByteBuffer()
        self.buffer.reserveCapacity(self.chunkSize + 1024)
    }
}

/// Rendered HTML: byte chunks, possibly with parts still to be rendered (``Deferred``).
public struct RenderedHTML: Sendable {
    let chunks: [HTMLWriter.Chunk]

    /// Renders `content`.
    public init(_ content: some HTML, chunkSize: Int = 16 * 1024) {
        var writer = HTMLWriter(chunkSize: chunkSize)
        content.render(into: &writer)
        self = writer.finish()
    }

    init(chunks: [HTMLWriter.Chunk]) {
        self.chunks = chunks
    }

    /// The bytes when nothing is deferred; `nil` when some part renders later.
    public var staticChunks: [ByteBuffer]? {
        var buffers: [ByteBuffer] = []
        buffers.reserveCapacity(self.chunks.count)
        for chunk in self.chunks {
            guard case .bytes(let buffer) = chunk else { return nil }
            buffers.append(buffer)
        }
        return buffers
    }

    /// Writes every chunk in order, rendering deferred parts when their turn comes.
    /// - Parameter write: called once per chunk; it may wait (back-pressure).
    public func write(chunkSize: Int = 16 * 1024, _ write: (ByteBuffer) async throws -> Void) async throws {
        for chunk in self.chunks {
            switch chunk {
            case .bytes(let buffer): try await write(buffer)
            case .deferred(let render): try await render(chunkSize).write(chunkSize: chunkSize, write)
            }
        }
    }

    /// All the bytes in one buffer (deferred parts rendered first).
    public func collect() async throws -> ByteBuffer {
        var all = ByteBuffer()
        try await self.write { chunk in
            var chunk = chunk
            all.writeBuffer(&chunk)
        }
        return all
    }
}
