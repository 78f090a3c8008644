public import HTTPTypes
public import NIOCore
import Synchronization

/// An HTTP response: status, header fields and a ``ResponseBody``.
///
/// ```swift
/// return Response(status: .created, headers: [.location: "/items/7"], body: ResponseBody(string: "made"))
/// return .text("not here", status: .notFound)
/// ```
public struct Response: Sendable {
    /// The status code and reason.
    public var status: HTTPResponse.Status
    /// Header fields; the server adds `Content-Length`, `Date` and `Connection` as needed.
    public var headers: HTTPFields
    /// The body.
    public var body: ResponseBody

    /// Creates a response.
    public init(status: HTTPResponse.Status = .ok, headers: HTTPFields = [:], body: ResponseBody = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A `text/plain; charset=utf-8` response.
    public static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(string: text))
    }

    /// A response with `bytes` and the given content type.
    public static func bytes(_ bytes: ByteBuffer, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .bytes(bytes))
    }

    /// A redirect to `location` (a path or an absolute URL), with no body: `302 Found` by default (Django's
    /// `redirect()`); `.seeOther` (303) after a form post, `.movedPermanently` (301) or `.permanentRedirect` (308)
    /// for a moved resource, `.temporaryRedirect` (307) to keep the method and body.
    ///
    /// ```swift
    /// routes.post("/bookmarks/") { request, _ in
    ///     … // save
    ///     return .redirect(to: "/bookmarks/", status: .seeOther)
    /// }
    /// ```
    public static func redirect(to location: String, status: HTTPResponse.Status = .found) -> Response {
        // A CR or LF cannot reach the field: swift-http-types replaces them, so no header can be injected.
        Response(status: status, headers: [.location: location], body: .empty)
    }
}

/// Where a streaming ``ResponseBody`` writes its bytes.
///
/// `write` returns once the bytes are accepted; it waits while the client is slower than the producer.
public protocol ResponseBodyWriter: Sendable {
    /// Writes one chunk.
    /// - Throws: when the connection is gone.
    func write(_ buffer: ByteBuffer) async throws
}

/// A response body: nothing, bytes in memory, or a stream written by a closure.
///
/// ```swift
/// let body = ResponseBody.stream { writer in
///     for chunk in chunks { try await writer.write(chunk) }
/// }
/// ```
public struct ResponseBody: Sendable {
    package enum Storage: Sendable {
        case bytes(ByteBuffer?)
        case stream(contentLength: Int?, @Sendable (any ResponseBodyWriter) async throws -> Void)
        case upgrade(@Sendable (UpgradedConnection) async throws -> Void)
    }

    package let storage: Storage

    /// No body (`Content-Length: 0`).
    public static var empty: ResponseBody { ResponseBody(storage: .bytes(nil)) }

    /// A body held in memory.
    public static func bytes(_ buffer: ByteBuffer) -> ResponseBody { ResponseBody(storage: .bytes(buffer)) }

    /// A body written by `write`; chunked unless `contentLength` is given.
    public static func stream(
        contentLength: Int? = nil,
        _ write: @escaping @Sendable (any ResponseBodyWriter) async throws -> Void
    ) -> ResponseBody {
        ResponseBody(storage: .stream(contentLength: contentLength, write))
    }

    /// For a `101 Switching Protocols` response: after the head, the connection carries raw bytes and
    /// `handler` owns it; the connection closes when `handler` returns.
    public static func upgrade(_ handler: @escaping @Sendable (UpgradedConnection) async throws -> Void) -> ResponseBody {
        ResponseBody(storage: .upgrade(handler))
    }

    /// A UTF-8 string body.
    public init(string: String) {
        self.storage = .bytes(ByteBuffer(string: string))
    }

    private init(storage: Storage) {
        self.storage = storage
    }

    /// The body's length when it is known before writing.
    public var contentLength: Int? {
        switch self.storage {
        case .bytes(let buffer): buffer?.readableBytes ?? 0
        case .stream(let length, _): length
        case .upgrade: 0
        }
    }

    /// The in-memory bytes, when the body is not a stream.
    public var bytes: ByteBuffer? {
        if case .bytes(let buffer) = self.storage { return buffer ?? ByteBuffer() }
        return nil
    }

    /// Writes the whole body to `writer` (in-memory bodies as one chunk).
    public func write(to writer: some ResponseBodyWriter) async throws {
        switch self.storage {
        case .bytes(let buffer):
            if let buffer, buffer.readableBytes > 0 { try await writer.write(buffer) }
        case .stream(_, let write):
            try await write(writer)
        case .upgrade:
            break
        }
    }

    /// Reads the whole body into memory (for tests and in-process transports).
    /// - Throws: ``HTTPError`` 413 past `maxBytes`, or what the stream throws.
    public func collect(upTo maxBytes: Int = .max) async throws -> ByteBuffer {
        let collector = CollectingWriter(limit: maxBytes)
        try await self.write(to: collector)
        return collector.buffer
    }
}

/// Accumulates a streamed body in memory.
private final class CollectingWriter: ResponseBodyWriter {
    private let collected = Mutex(ByteBuffer())
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    var buffer: ByteBuffer { self.collected.withLock { $0 } }

    func write(_ buffer: ByteBuffer) async throws {
        try self.collected.withLock { collected in
            guard collected.readableBytes + buffer.readableBytes <= self.limit else {
                throw HTTPError.contentTooLarge(limit: self.limit)
            }
            var buffer = buffer
            collected.writeBuffer(&buffer)
        }
    }
}
