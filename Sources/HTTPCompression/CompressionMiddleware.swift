import CompressNIO
public import HTTPCore
import HTTPTypes
public import NIOCore
import NIOHTTP1
import Synchronization

/// Compresses responses with gzip or deflate when the client accepts it (nginx `gzip on`), through compress-nio (zlib);
/// with the package traits `Brotli` and `Zstd`, also with br and zstd, through the system's libbrotli and libzstd.
///
/// - The coding is negotiated from `Accept-Encoding` with its q-values (`gzip;q=0.5, deflate`); ties go to the first
///   of ``Coding`` (br, zstd, gzip, deflate), `*` stands for what is not named, `q=0` refuses.
/// - Only bodies worth it: a type in ``Configuration/contentTypes``, at least ``Configuration/minimumBytes`` (a
///   streamed body of unknown length always qualifies), a status that has a body (not 1xx, 204, 206, 304), no
///   `Content-Encoding` already (an upstream's compressed answer passes untouched: nothing is compressed twice), no
///   `Cache-Control: no-transform`.
/// - `HEAD` gets the fields `GET` would (RFC 9110 §9.3.2): a body the handler made is compressed for its
///   `Content-Length`; a `HEAD` without one (a proxied answer) gets `Content-Encoding` and no `Content-Length`.
/// - `Vary: Accept-Encoding` on every answer of a compressible type, compressed or not, whatever the client accepts
///   (nginx `gzip_vary on`), on the event-loop fast path too, so shared caches keep them apart.
/// - A strong `ETag` becomes weak (`W/"…"`) when the body is compressed, as nginx does: the bytes changed.
/// - Streamed bodies (a page with `Deferred` parts) are compressed as they stream, each chunk flushed, so the
///   browser gets the first part before the slow one is done.
///
/// ```swift
/// let gateway = router.wrapped(in: CompressionMiddleware()).wrapped(in: AccessLogMiddleware())
/// ```
///
/// The gateway's event-loop fast path leaves requests that accept a coding to the async path (where this middleware
/// runs); requests that accept none keep it.
public struct CompressionMiddleware: Middleware {
    /// What is compressed, and how hard.
    public struct Configuration: Sendable {
        /// Media types (without parameters) that are compressed. Default: HTML, CSS, plain text, JavaScript, JSON,
        /// XML, SVG and the problem-details types.
        public var contentTypes: Set<String>
        /// Smallest body compressed, in bytes (nginx `gzip_min_length`). Default 512: below it the header costs more
        /// than it saves.
        public var minimumBytes: Int
        /// 1 (fast) to 9 (small): zlib's level, brotli's quality, zstd's level. Default 5 (nginx `gzip_comp_level`).
        public var level: Int

        /// Creates a configuration.
        public init(
            contentTypes: Set<String> = [
                "text/html", "text/css", "text/plain", "text/javascript", "text/xml", "application/javascript",
                "application/json", "application/problem+json", "application/xml", "application/rss+xml", "image/svg+xml",
            ],
            minimumBytes: Int = 512,
            level: Int = 5
        ) {
            self.contentTypes = contentTypes
            self.minimumBytes = minimumBytes
            self.level = min(9, max(1, level))
        }
    }

    /// A content coding this middleware produces; on equal q-values the first of these the client accepts wins.
    public enum Coding: String, Sendable, CaseIterable {
        #if Brotli
        /// brotli (RFC 7932), with the package trait `Brotli`: the smallest for web text (its built-in dictionary).
        case br
        #endif
        #if Zstd
        /// Zstandard (RFC 8878, RFC 9659), with the package trait `Zstd`.
        case zstd
        #endif
        /// gzip (RFC 1952).
        case gzip
        /// HTTP's `deflate`: the zlib format (RFC 1950).
        case deflate
    }

    /// The configuration.
    public let configuration: Configuration

    /// Creates the middleware.
    public init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public func handle(_ request: Request, context: RequestContext, next: some HTTPHandler) async throws -> Response {
        var response = try await next.handle(request, context: context)
        let facts = ResponseFacts(status: response.status.code, fields: response.headers)
        guard self.isCompressible(facts) else { return response }
        if let vary = Self.varyField(facts) { response.headers.append(vary) }
        guard let coding = Self.negotiate(request.headers[values: .acceptEncoding]) else { return response }
        switch response.body.storage {
        case .bytes(let buffer):
            if let buffer, buffer.readableBytes > 0 {
                // A HEAD whose handler made the body GET would send (the server drops it) is compressed as GET's
                // is: the same fields, `Content-Length` included (RFC 9110 §9.3.2, §8.6).
                guard buffer.readableBytes >= self.configuration.minimumBytes else { return response }
                let output = try self.compress(buffer, as: coding)
                Self.mark(&response, coding: coding)
                response.body = .bytes(output)
            } else if request.method == .head {
                // A HEAD without the body (a proxied one): GET's size is the identity `Content-Length`. When GET would
                // be compressed, its fields are sent and the length, unknown before compressing, is left out.
                if let length = response.headers[.contentLength].flatMap({ Int($0) }), length < self.configuration.minimumBytes {
                    return response
                }
                Self.mark(&response, coding: coding)
                response.body = .stream(contentLength: nil) { _ in }
            }
        case .stream(let length, let write):
            if let length, length < self.configuration.minimumBytes { return response }
            Self.mark(&response, coding: coding)
            response.body = .stream(contentLength: nil) { writer in
                let compressing = CompressingWriter(base: writer, encoder: try self.encoder(for: coding))
                try await write(compressing)
                let tail = try compressing.finish()
                if tail.readableBytes > 0 { try await writer.write(tail) }
            }
        case .upgrade:
            return response
        }
        return response
    }

    /// What decides whether a response is compressed and varies: read from its fields in one pass (each lookup in
    /// `HTTPFields` is a scan), on the async path from `HTTPFields`, on the fast path from the scanned head.
    struct ResponseFacts {
        var status: Int
        var contentType: String?
        var contentEncoding = false
        var noTransform = false
        /// The members of every `Vary` field, lower-cased.
        var vary: [String] = []

        init(status: Int, fields: HTTPFields) {
            self.status = status
            for field in fields {
                self.take(field.name, field.value)
            }
        }

        init(_ head: any FastPathResponseHead) {
            self.status = head.status
            for name in [HTTPField.Name.contentType, .contentEncoding, .cacheControl, .vary] {
                for value in head.values(of: name) { self.take(name, value) }
            }
        }

        private mutating func take(_ name: HTTPField.Name, _ value: String) {
            switch name {
            case .contentEncoding: self.contentEncoding = true
            case .cacheControl where value.lowercased().contains("no-transform"): self.noTransform = true
            case .contentType where self.contentType == nil: self.contentType = value
            case .vary: self.vary += value.split(separator: ",").map { $0.trimmingOWS.lowercased() }
            default: break
            }
        }
    }

    /// Whether a response is of a type, status and form this middleware compresses: then it varies by
    /// `Accept-Encoding`, whether this client's answer is compressed or not.
    func isCompressible(_ facts: ResponseFacts) -> Bool {
        let status = facts.status
        guard status >= 200, status != 204, status != 206, status != 304 else { return false }
        guard !facts.contentEncoding, !facts.noTransform, let contentType = facts.contentType else { return false }
        let type = contentType[..<(contentType.utf8.firstIndex(of: UInt8(ascii: ";")) ?? contentType.endIndex)].trimmingOWS
        // Media types are mostly sent in lower case already: one set lookup, without a lower-cased copy.
        return self.configuration.contentTypes.contains(type) || self.configuration.contentTypes.contains(type.lowercased())
    }

    /// `Vary: Accept-Encoding` for a compressible response that does not say it yet (nor `Vary: *`).
    static func varyField(_ facts: ResponseFacts) -> HTTPField? {
        guard !facts.vary.contains("accept-encoding"), !facts.vary.contains("*") else { return nil }
        return HTTPField(name: .vary, value: "Accept-Encoding")
    }

    /// The coding to use for these `Accept-Encoding` values; `nil` when none of ours is acceptable.
    public static func negotiate(_ values: [String]) -> Coding? {
        let accepted = AcceptEncoding(values)
        var best: (Coding, Double)?
        for coding in Coding.allCases {
            let quality = accepted.quality(of: coding.rawValue)
            if quality > 0, quality > (best?.1 ?? 0) { best = (coding, quality) }
        }
        return best?.0
    }

    /// `bytes` compressed whole with `coding` at the configured level, as a response body is (say, to keep a
    /// compressed copy of something served often).
    ///
    /// ```swift
    /// let gzipped = try CompressionMiddleware().compress(ByteBuffer(string: "<p>hello</p>"), as: .gzip)
    /// ```
    public func compress(_ bytes: ByteBuffer, as coding: Coding) throws -> ByteBuffer {
        try self.encoder(for: coding, size: bytes.readableBytes).encode(bytes, finish: true)
    }

    /// A new stream of `coding` at the configured level; `size` is the whole input's, when it is known.
    private func encoder(for coding: Coding, size: Int? = nil) throws -> any StreamEncoder {
        let level = self.configuration.level
        switch coding {
        case .gzip: return try ZlibStreamEncoder(.gzip(configuration: ZlibConfiguration(compressionLevel: Int32(level))))
        // HTTP's "deflate" is the zlib format (RFC 9110 §8.4.1.2).
        case .deflate: return try ZlibStreamEncoder(.zlib(configuration: ZlibConfiguration(compressionLevel: Int32(level))))
        #if Brotli
        case .br: return try BrotliStreamEncoder(quality: level, size: size)
        #endif
        #if Zstd
        case .zstd: return try ZstdStreamEncoder(level: level, size: size)
        #endif
        }
    }

    private static func mark(_ response: inout Response, coding: Coding) {
        response.headers[.contentEncoding] = coding.rawValue
        response.headers[.contentLength] = nil
        if let etag = response.headers[.eTag], !etag.hasPrefix("W/") { response.headers[.eTag] = "W/" + etag }
    }
}

extension CompressionMiddleware: FastPathMiddleware {
    /// Requests that accept one of our codings go to the async path, where responses are compressed; the others keep
    /// the fast path, whose compressible responses get `Vary: Accept-Encoding` by the async path's rule (a shared
    /// cache must not give this identity answer to a client that accepts gzip).
    package func contribute(to plan: inout FastPathPlan) {
        plan.leavesToAsyncPath.append { head in Self.negotiate(head.headers["accept-encoding"]) != nil }
        plan.responseFields.append { head in
            let facts = ResponseFacts(head)
            return self.isCompressible(facts) ? Self.varyField(facts) : nil
        }
    }
}

/// Compresses each chunk a streamed body writes, flushing it so the client can decode it at once.
private final class CompressingWriter: ResponseBodyWriter {
    private let base: any ResponseBodyWriter
    /// The compressed stream (not `Sendable`): only touched under this lock.
    private let encoder: Mutex<any StreamEncoder>

    init(base: any ResponseBodyWriter, encoder: sending any StreamEncoder) {
        self.base = base
        self.encoder = Mutex(encoder)
    }

    func write(_ buffer: ByteBuffer) async throws {
        let output = try self.encoder.withLock { try $0.encode(buffer, finish: false) }
        if output.readableBytes > 0 { try await self.base.write(output) }
    }

    /// Ends the compressed stream: the bytes that close it.
    func finish() throws -> ByteBuffer {
        try self.encoder.withLock { try $0.encode(ByteBuffer(), finish: true) }
    }
}
