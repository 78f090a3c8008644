public import HTTPCore
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
    @usableFromInline
    enum Chunk: Sendable {
        case bytes(ByteBuffer)
        case deferred(@Sendable (_ chunkSize: Int) async throws -> RenderedHTML)
    }

    /// The size at which a chunk is closed and a new one started.
    public let chunkSize: Int
    @usableFromInline var chunks: [Chunk] = []
    // Bytes collect in a plain buffer and move into a `ByteBuffer` when a chunk closes. A page is hundreds of
    // writes of a few bytes: into a `ByteBuffer` each paid a uniqueness and a dynamic exclusivity check (~10 % of
    // rendering the search page), into an `[UInt8]` a generic `append(contentsOf:)` (13 %).
    @usableFromInline var bytes: HTMLBytes

    /// Creates a writer that closes chunks at `chunkSize` bytes (16 KiB by default).
    public init(chunkSize: Int = 16 * 1024) {
        self.chunkSize = max(chunkSize, 256)
        self.bytes = HTMLBytes(capacity: self.chunkSize + 1024)
    }

    /// Writes `markup` verbatim.
    @inlinable
    public mutating func writeRaw(_ markup: String) {
        // The string's own UTF-8 storage, borrowed: no copy of the string, no retain.
        let done: Void? = markup.utf8.withContiguousStorageIfAvailable { self.append($0) }
        if done == nil { self.append(Array(markup.utf8)) }
        self.closeChunkIfFull()
    }

    /// Writes `markup` verbatim.
    @inlinable
    public mutating func writeRaw(_ markup: StaticString) {
        self.append(UnsafeBufferPointer(start: markup.utf8Start, count: markup.utf8CodeUnitCount))
        self.closeChunkIfFull()
    }

    /// Writes bytes verbatim.
    @inlinable
    public mutating func writeRaw(_ bytes: ByteBuffer) {
        bytes.withUnsafeReadableBytes { self.append($0.assumingMemoryBound(to: UInt8.self)) }
        self.closeChunkIfFull()
    }

    /// Writes `text` with `&`, `<`, `>`, `"` and `'` escaped: safe in element content and in quoted
    /// attribute values.
    @inlinable
    public mutating func writeEscaped(_ text: String) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { self.appendEscaped($0) }
        if done == nil { self.appendEscaped(Array(text.utf8)) }
        self.closeChunkIfFull()
    }

    @inlinable
    mutating func appendEscaped(_ source: UnsafeBufferPointer<UInt8>) {
        var start = 0
        for index in 0..<source.count {
            let replacement: StaticString
            switch source[index] {
            case UInt8(ascii: "&"): replacement = "&amp;"
            case UInt8(ascii: "<"): replacement = "&lt;"
            case UInt8(ascii: ">"): replacement = "&gt;"
            case UInt8(ascii: "\""): replacement = "&quot;"
            case UInt8(ascii: "'"): replacement = "&#39;"
            default: continue
            }
            if index > start { self.append(UnsafeBufferPointer(rebasing: source[start..<index])) }
            self.append(UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
            start = index + 1
        }
        if start < source.count { self.append(UnsafeBufferPointer(rebasing: source[start...])) }
    }

    @inlinable
    mutating func append(_ source: UnsafeBufferPointer<UInt8>) {
        if !isKnownUniquelyReferenced(&self.bytes) { self.bytes = self.bytes.copy() }  // a copied writer writes on its own
        self.bytes.append(source)
    }

    @inlinable
    mutating func append(_ source: [UInt8]) {
        source.withUnsafeBufferPointer { self.append($0) }
    }

    @inlinable
    mutating func appendEscaped(_ source: [UInt8]) {
        source.withUnsafeBufferPointer { self.appendEscaped($0) }
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

    @inlinable
    mutating func closeChunkIfFull() {
        if self.bytes.count >= self.chunkSize { self.closeChunk() }
    }

    @usableFromInline
    mutating func closeChunk() {
        guard self.bytes.count > 0 else { return }
        self.chunks.append(.bytes(ByteBuffer(bytes: UnsafeRawBufferPointer(start: self.bytes.base, count: self.bytes.count))))
        if !isKnownUniquelyReferenced(&self.bytes) { self.bytes = self.bytes.copy() }
        self.bytes.count = 0
    }
}

/// The bytes of the chunk being written: a growable buffer with no per-append generic or exclusivity cost.
/// ``HTMLWriter`` copies it before writing when the writer itself was copied (value semantics).
@usableFromInline
final class HTMLBytes {
    // Unchecked exclusivity: the runtime's checks on these per append were what this type exists to avoid.
    // Safe: only the writer that uniquely owns an instance mutates it, and no access spans a call out.
    @exclusivity(unchecked) @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) @usableFromInline var count = 0
    @exclusivity(unchecked) @usableFromInline var capacity: Int

    @usableFromInline
    init(capacity: Int) {
        self.base = .allocate(capacity: capacity)
        self.capacity = capacity
    }

    deinit {
        self.base.deallocate()
    }

    @usableFromInline
    func copy() -> HTMLBytes {
        let copy = HTMLBytes(capacity: self.capacity)
        copy.base.initialize(from: self.base, count: self.count)
        copy.count = self.count
        return copy
    }

    @inlinable
    func append(_ source: UnsafeBufferPointer<UInt8>) {
        guard let start = source.baseAddress, source.count > 0 else { return }
        if self.count + source.count > self.capacity { self.grow(to: self.count + source.count) }
        (self.base + self.count).initialize(from: start, count: source.count)
        self.count += source.count
    }

    @usableFromInline
    func grow(to minimum: Int) {
        let capacity = max(minimum, self.capacity * 2)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grown.initialize(from: self.base, count: self.count)
        self.base.deallocate()
        self.base = grown
        self.capacity = capacity
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

    /// A response body for the output: in memory with its length when nothing is deferred, otherwise a
    /// chunked stream that renders deferred parts when the client has the bytes before them.
    public func responseBody(chunkSize: Int = 16 * 1024) -> ResponseBody {
        guard let chunks = self.staticChunks else {
            return .stream { writer in try await self.write(chunkSize: chunkSize) { try await writer.write($0) } }
        }
        if chunks.count == 1 { return .bytes(chunks[0]) }
        return .stream(contentLength: chunks.reduce(0) { $0 + $1.readableBytes }) { writer in
            for chunk in chunks { try await writer.write(chunk) }
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
