import CompressNIO
public import HTTPCore
import HTTPTypes
import NIOCore
import NIOHTTP1
import Synchronization

/// Compresses responses with gzip or deflate when the client accepts it (nginx `gzip on`), through compress-nio (zlib).
///
/// - The coding is negotiated from `Accept-Encoding` with its q-values (`gzip;q=0.5, deflate`); gzip wins ties,
///   `*` stands for what is not named, `q=0` refuses.
/// - Only bodies worth it: a type in ``Configuration/contentTypes``, at least ``Configuration/minimumBytes`` (a
///   streamed body of unknown length always qualifies), a status that has a body (not 1xx, 204, 206, 304), no
///   `Content-Encoding` already (an upstream's compressed answer passes untouched: nothing is compressed twice), no
///   `Cache-Control: no-transform`, not `HEAD`.
/// - `Vary: Accept-Encoding` on every answer of a compressible type, compressed or not, so caches keep them apart.
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
        /// zlib level, 1 (fast) to 9 (small). Default 5 (nginx `gzip_comp_level`).
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

    /// A content coding this middleware produces.
    public enum Coding: String, Sendable, CaseIterable {
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
        guard self.isCompressible(response) else { return response }
        Self.addVary(to: &response)
        guard request.method != .head, let coding = Self.negotiate(request.headers[values: .acceptEncoding]) else { return response }
        let algorithm = self.algorithm(for: coding)
        switch response.body.storage {
        case .bytes(let buffer):
            guard let buffer, buffer.readableBytes >= self.configuration.minimumBytes else { return response }
            var input = buffer
            var output = ByteBuffer()
            output.reserveCapacity(buffer.readableBytes / 2 + 64)
            let compressor = algorithm.compressor
            compressor.window = nil
            try compressor.startStream()
            try Self.deflate(compressor, &input, into: &output, flush: .finish)
            try compressor.finishStream()
            Self.mark(&response, coding: coding)
            response.body = .bytes(output)
        case .stream(let length, let write):
            if let length, length < self.configuration.minimumBytes { return response }
            Self.mark(&response, coding: coding)
            response.body = .stream(contentLength: nil) { writer in
                let compressing = try CompressingWriter(base: writer, algorithm: algorithm)
                try await write(compressing)
                let tail = try compressing.finish()
                if tail.readableBytes > 0 { try await writer.write(tail) }
            }
        case .upgrade:
            return response
        }
        return response
    }

    /// Whether `response` is of a type, status and form this middleware compresses.
    func isCompressible(_ response: Response) -> Bool {
        let status = response.status.code
        guard status >= 200, status != 204, status != 206, status != 304 else { return false }
        // One pass over the fields instead of a lookup for each of the three (each lookup is a scan).
        var contentType: String?
        for field in response.headers {
            switch field.name {
            case .contentEncoding: return false
            case .cacheControl where field.value.lowercased().contains("no-transform"): return false
            case .contentType where contentType == nil: contentType = field.value
            default: continue
            }
        }
        guard let contentType else { return false }
        let type = contentType[..<(contentType.utf8.firstIndex(of: UInt8(ascii: ";")) ?? contentType.endIndex)].trimmingOWS
        // Media types are mostly sent in lower case already: one set lookup, without a lower-cased copy.
        return self.configuration.contentTypes.contains(type) || self.configuration.contentTypes.contains(type.lowercased())
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

    private func algorithm(for coding: Coding) -> CompressionAlgorithm {
        let configuration = ZlibConfiguration(compressionLevel: Int32(self.configuration.level))
        switch coding {
        case .gzip: return .gzip(configuration: configuration)
        case .deflate: return .zlib(configuration: configuration)  // HTTP's "deflate" is the zlib format (RFC 9110 §8.4.1.2)
        }
    }

    /// Compresses `input` into `output`, growing `output` as zlib asks.
    static func deflate(
        _ compressor: any NIOCompressor,
        _ input: inout ByteBuffer,
        into output: inout ByteBuffer,
        flush: CompressNIOFlush
    ) throws {
        output.reserveCapacity(output.writerIndex + compressor.maxSize(from: input) + 64)
        while true {
            do {
                try compressor.streamDeflate(from: &input, to: &output, flush: flush)
                return
            } catch let error as CompressNIOError where error == .bufferOverflow {
                output.reserveCapacity(output.capacity * 2 + 1024)
            }
        }
    }

    private static func mark(_ response: inout Response, coding: Coding) {
        response.headers[.contentEncoding] = coding.rawValue
        response.headers[.contentLength] = nil
        if let etag = response.headers[.eTag], !etag.hasPrefix("W/") { response.headers[.eTag] = "W/" + etag }
    }

    private static func addVary(to response: inout Response) {
        let present = response.headers[values: .vary].flatMap { $0.split(separator: ",").map { $0.trimmingOWS.lowercased() } }
        guard !present.contains("accept-encoding"), !present.contains("*") else { return }
        response.headers.append(HTTPField(name: .vary, value: "Accept-Encoding"))
    }
}

extension CompressionMiddleware: FastPathMiddleware {
    /// Requests that accept one of our codings go to the async path, where responses are compressed; the others keep
    /// the fast path.
    package func contribute(to plan: inout FastPathPlan) {
        plan.leavesToAsyncPath.append { head in Self.negotiate(head.headers["accept-encoding"]) != nil }
    }
}

/// Compresses each chunk a streamed body writes, flushing it so the client can decode it at once.
private final class CompressingWriter: ResponseBodyWriter {
    private let base: any ResponseBodyWriter
    /// The zlib stream (a class of compress-nio's, not `Sendable`): only touched under this lock.
    private let compressor: Mutex<any NIOCompressor>

    init(base: any ResponseBodyWriter, algorithm: CompressionAlgorithm) throws {
        self.base = base
        let compressor = algorithm.compressor
        try compressor.startStream()
        self.compressor = Mutex(compressor)
    }

    func write(_ buffer: ByteBuffer) async throws {
        let output = try self.compressor.withLock { compressor in
            var input = buffer
            var output = ByteBuffer()
            try CompressionMiddleware.deflate(compressor, &input, into: &output, flush: .sync)
            return output
        }
        if output.readableBytes > 0 { try await self.base.write(output) }
    }

    /// Ends the zlib stream: the bytes that close it.
    func finish() throws -> ByteBuffer {
        try self.compressor.withLock { compressor in
            var empty = ByteBuffer()
            var tail = ByteBuffer()
            try CompressionMiddleware.deflate(compressor, &empty, into: &tail, flush: .finish)
            try compressor.finishStream()
            return tail
        }
    }
}
