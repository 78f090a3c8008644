import CompressNIO
import HTTPCompression
import HTTPCore
import HTTPTypes
import Logging
import NIOCore
import ProxyClient
import Routing
import Synchronization
import TandemTesting
import Testing

#if Brotli
import CBrotli
#endif
#if Zstd
import CZstd
#endif

@Suite("Response compression")
struct CompressionMiddlewareTests {
    static let page = String(repeating: "<p>Tandem renders pages and serves their API.</p>\n", count: 60)
    /// 256 KiB of random bytes: they do not compress, so the output outgrows the first buffer each library is given
    /// and its loop must run again.
    static let large: [UInt8] = {
        var generator = SystemRandomNumberGenerator()
        return (0..<256 * 1024).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }()

    /// A site behind the middleware: `/page` (HTML with a strong ETag), `/small`, `/png`, `/encoded` (already br),
    /// `/notransform`, `/missing` (404 HTML).
    func withSite(_ body: (Int) async throws -> Void) async throws {
        var routes = TrieRouter.Builder()
        routes.get("/page") { _, _ in
            var response = Response.bytes(ByteBuffer(string: Self.page), contentType: "text/html; charset=utf-8")
            response.headers[.eTag] = "\"abc\""
            return response
        }
        routes.get("/small") { _, _ in .bytes(ByteBuffer(string: "<p>hi</p>"), contentType: "text/html") }
        routes.get("/large") { _, _ in .bytes(ByteBuffer(bytes: Self.large), contentType: "text/plain") }
        routes.get("/png") { _, _ in .bytes(ByteBuffer(repeating: 7, count: 4000), contentType: "image/png") }
        routes.get("/encoded") { _, _ in
            var response = Response.bytes(ByteBuffer(string: Self.page), contentType: "text/html")
            response.headers[.contentEncoding] = "br"
            return response
        }
        routes.get("/notransform") { _, _ in
            var response = Response.bytes(ByteBuffer(string: Self.page), contentType: "text/html")
            response.headers[.cacheControl] = "public, no-transform"
            return response
        }
        try await withTestServer(try routes.build().wrapped(in: CompressionMiddleware())) { port in try await body(port) }
    }

    func get(_ port: Int, _ path: String, _ headers: [String] = [], method: String = "GET") async throws -> RawHTTPResponse {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: t\r\n"
        for header in headers { request += header + "\r\n" }
        let client = try await RawHTTPClient.connect(port: port)
        do {
            try await client.send(request + "\r\n")
            let answer = try await client.readResponse(bodyless: method == "HEAD")
            await client.close()
            return answer
        } catch {
            await client.close()
            throw error
        }
    }

    static func inflate(_ bytes: [UInt8], _ algorithm: CompressionAlgorithm) throws -> String {
        var buffer = ByteBuffer(bytes: bytes)
        return String(buffer: try buffer.decompress(with: algorithm))
    }

    /// The codings of the package traits this build has (nil without the trait).
    #if Brotli
    static let brotli: CompressionMiddleware.Coding? = .br
    #else
    static let brotli: CompressionMiddleware.Coding? = nil
    #endif
    #if Zstd
    static let zstd: CompressionMiddleware.Coding? = .zstd
    #else
    static let zstd: CompressionMiddleware.Coding? = nil
    #endif

    @Test("Accept-Encoding is negotiated with q-values: on a tie br, then zstd, then gzip wins; * stands for the rest, q=0 refuses")
    func negotiation() {
        let cases: [([String], CompressionMiddleware.Coding?)] = [
            (["gzip, deflate"], .gzip), (["deflate"], .deflate), (["deflate;q=1, gzip;q=0.5"], .deflate),
            (["gzip;q=0"], nil), (["gzip;q=0, deflate;q=0.1"], .deflate), (["*"], Self.brotli ?? Self.zstd ?? .gzip),
            (["*;q=0.3, gzip;q=0, br;q=0, zstd;q=0"], .deflate), (["identity"], nil), ([], nil), (["GZIP"], .gzip),
            (["gzip;q=nonsense"], nil), (["x-gzip"], .gzip), ([" gzip ; q=0.5 "], .gzip),
            // The traits' codings: taken when this build has them, otherwise the next acceptable one.
            (["gzip, deflate, br, zstd"], Self.brotli ?? Self.zstd ?? .gzip), (["br, zstd"], Self.brotli ?? Self.zstd),
            (["br", "deflate"], Self.brotli ?? .deflate), (["zstd;q=0.9, gzip"], .gzip),
            (["BR;q=0.5, zstd;q=0.6"], Self.zstd ?? Self.brotli), (["zstd, gzip;q=0.8"], Self.zstd ?? .gzip),
            (["br;q=0, zstd;q=0, gzip;q=0.1"], .gzip),
        ]
        for (values, expected) in cases {
            #expect(CompressionMiddleware.negotiate(values) == expected, "\(values)")
        }
    }

    /// Decodes `bytes` of `coding` as a client would as they arrive: a stream that has not ended yet gives what it
    /// decoded so far.
    static func decode(_ bytes: [UInt8], _ coding: CompressionMiddleware.Coding) throws -> String {
        String(decoding: try Self.decodeBytes(bytes, coding), as: UTF8.self)
    }

    static func decodeBytes(_ bytes: [UInt8], _ coding: CompressionMiddleware.Coding) throws -> [UInt8] {
        switch coding {
        case .gzip, .deflate:
            let decompressor = (coding == .gzip ? CompressionAlgorithm.gzip() : .zlib()).decompressor
            try decompressor.startStream()
            var input = ByteBuffer(bytes: bytes)
            var output = ByteBuffer()
            output.reserveCapacity(1 << 20)
            try decompressor.streamInflate(from: &input, to: &output)
            return Array(output.readableBytesView)
        #if Brotli
        case .br:
            let state = BrotliDecoderCreateInstance(nil, nil, nil)!
            defer { BrotliDecoderDestroyInstance(state) }
            var output = [UInt8](repeating: 0, count: 1 << 20)
            let written = try bytes.withUnsafeBufferPointer { input in
                try output.withUnsafeMutableBufferPointer { out in
                    var availableIn = input.count
                    var nextIn = input.baseAddress
                    var availableOut = out.count
                    var nextOut = out.baseAddress
                    let result = BrotliDecoderDecompressStream(state, &availableIn, &nextIn, &availableOut, &nextOut, nil)
                    guard result != BROTLI_DECODER_RESULT_ERROR else { throw CompressionTestFailure("not brotli") }
                    return out.count - availableOut
                }
            }
            return Array(output[..<written])
        #endif
        #if Zstd
        case .zstd:
            let context = ZSTD_createDCtx()!
            defer { ZSTD_freeDCtx(context) }
            var output = [UInt8](repeating: 0, count: 1 << 20)
            let written = try bytes.withUnsafeBufferPointer { input in
                try output.withUnsafeMutableBufferPointer { out in
                    var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
                    var target = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                    while source.pos < source.size {
                        let result = ZSTD_decompressStream(context, &target, &source)
                        if ZSTD_isError(result) != 0 { throw CompressionTestFailure(String(cString: ZSTD_getErrorName(result))) }
                    }
                    return target.pos
                }
            }
            return Array(output[..<written])
        #endif
        }
    }

    @Test("a page is compressed for a client that accepts it: the bytes round-trip, Vary is set, the ETag weakened")
    func compressed() async throws {
        try await self.withSite { port in
            // Every coding of this build (gzip and deflate always; br and zstd with their traits).
            for coding in CompressionMiddleware.Coding.allCases {
                let answer = try await self.get(port, "/page", ["Accept-Encoding: \(coding.rawValue)"])
                #expect(answer.status == 200)
                #expect(answer.header("content-encoding") == coding.rawValue)
                #expect(answer.header("vary") == "Accept-Encoding")
                #expect(answer.header("etag") == "W/\"abc\"")
                #expect(answer.body.count < Self.page.utf8.count / 4, "\(coding)")
                #expect(try Self.decode(answer.body, coding) == Self.page, "\(coding)")
            }
            for coding in CompressionMiddleware.Coding.allCases {
                let answer = try await self.get(port, "/large", ["Accept-Encoding: \(coding.rawValue)"])
                #expect(answer.header("content-encoding") == coding.rawValue)
                #expect(try Self.decodeBytes(answer.body, coding) == Self.large, "\(coding)")
            }
            let plain = try await self.get(port, "/page")
            #expect(plain.header("content-encoding") == nil)
            #expect(plain.header("vary") == "Accept-Encoding")
            #expect(plain.header("etag") == "\"abc\"")
            #expect(plain.text == Self.page)
        }
    }

    @Test("nothing is compressed twice, nor below the minimum, nor of another type, nor against no-transform")
    func untouched() async throws {
        try await self.withSite { port in
            let gzip = ["Accept-Encoding: gzip"]
            let encoded = try await self.get(port, "/encoded", gzip)
            #expect(encoded.header("content-encoding") == "br")
            #expect(encoded.text == Self.page)
            let small = try await self.get(port, "/small", gzip)
            #expect(small.header("content-encoding") == nil && small.header("vary") == "Accept-Encoding")
            let png = try await self.get(port, "/png", gzip)
            #expect(png.header("content-encoding") == nil && png.header("vary") == nil && png.body.count == 4000)
            let notransform = try await self.get(port, "/notransform", gzip)
            #expect(notransform.header("content-encoding") == nil)
            let missing = try await self.get(port, "/nowhere", gzip)
            #expect(missing.status == 404)
        }
    }

    @Test(
        "HEAD answers with the fields GET would (RFC 9110 §9.3.2): coding, Vary, weak ETag and GET's Content-Length",
        arguments: CompressionMiddleware.Coding.allCases
    )
    func head(coding: CompressionMiddleware.Coding) async throws {
        try await self.withSite { port in
            let accept = ["Accept-Encoding: \(coding.rawValue)"]
            for path in ["/page", "/small", "/png", "/notransform", "/large"] {
                let get = try await self.get(port, path, accept)
                let head = try await self.get(port, path, accept, method: "HEAD")
                #expect(head.status == get.status && head.body.isEmpty, "\(path)")
                for field in ["content-encoding", "vary", "etag", "content-length", "content-type", "transfer-encoding"] {
                    #expect(
                        head.header(field) == get.header(field),
                        "\(path) \(field): HEAD \(head.header(field) ?? "-"), GET \(get.header(field) ?? "-")"
                    )
                }
            }
            let page = try await self.get(port, "/page", accept, method: "HEAD")
            #expect(page.header("content-encoding") == coding.rawValue && page.header("etag") == "W/\"abc\"")
        }
    }

    @Test(
        "a streamed body is compressed as it streams: each chunk is flushed and decodes on its own",
        arguments: CompressionMiddleware.Coding.allCases
    )
    func streamed(coding: CompressionMiddleware.Coding) async throws {
        let first = String(repeating: "<header>before the slow part</header>", count: 40)
        let second = String(repeating: "<main>the slow part</main>", count: 40)
        let handler = HandlerFunction { _, _ in
            var response = Response(status: .ok)
            response.headers[.contentType] = "text/html"
            response.body = .stream { writer in
                try await writer.write(ByteBuffer(string: first))
                try await writer.write(ByteBuffer(string: second))
            }
            return response
        }
        var request = Request(head: HTTPRequest(method: .get, scheme: nil, authority: "t", path: "/"))
        request.headers[.acceptEncoding] = coding.rawValue
        let response = try await CompressionMiddleware().handle(request, context: RequestContext(logger: Logger(label: "t")), next: handler)
        #expect(response.headers[.contentEncoding] == coding.rawValue)
        #expect(response.body.contentLength == nil)
        guard case .stream(_, let write) = response.body.storage else {
            Issue.record("not streamed")
            return
        }
        let collected = Collected()
        try await write(collected)
        let chunks = collected.chunks
        #expect(chunks.count == 3)  // two flushed chunks and the stream's end
        // The first chunk alone decodes to the first part: the browser can render it before the second exists.
        #expect(try Self.decode(Array(chunks[0].readableBytesView), coding) == first)
        let whole = chunks.reduce(into: [UInt8]()) { $0 += Array($1.readableBytesView) }
        #expect(try Self.decode(whole, coding) == first + second)
    }

    @Test("through a gateway: requests that accept no coding keep the event-loop fast path; an upstream's gzip passes untouched")
    func gateway() async throws {
        let upstream = HandlerFunction { request, _ in
            if request.path == "/gz" {
                var compressed = ByteBuffer(string: Self.page)
                var response = Response.bytes(try compressed.compress(with: .gzip()), contentType: "text/html")
                response.headers[.contentEncoding] = "gzip"
                return response
            }
            switch request.path {
            case "/png": return .bytes(ByteBuffer(repeating: 7, count: 4000), contentType: "image/png")
            case "/small": return .bytes(ByteBuffer(string: "<p>hi</p>"), contentType: "text/html")
            case "/varied":
                var response = Response.bytes(ByteBuffer(string: Self.page), contentType: "text/html")
                response.headers[.vary] = "Cookie, accept-encoding"
                return response
            default: return .bytes(ByteBuffer(string: Self.page), contentType: "text/html")
            }
        }
        try await withTestServer(upstream) { upstreamPort in
            let proxy = try ReverseProxy(to: "http://127.0.0.1:\(upstreamPort)")
            var router = PrefixRouter()
            router.location("/", proxy)
            let gateway = router.wrapped(in: CompressionMiddleware()).wrapped(in: RequestIDMiddleware())
            try await withTestServer(gateway) { port, server in
                #expect(server.hasEventLoopFastPath)
                let upstreamOf = proxy.transport as! Upstream
                for _ in 0..<4 {
                    let plain = try await self.get(port, "/page")
                    #expect(plain.header("content-encoding") == nil && plain.text == Self.page)
                }
                #expect(upstreamOf.fastPathRequests > 0)  // warm connections by now: plain GETs take the fast path
                // Whatever the client accepts, a compressible answer varies by Accept-Encoding, on the fast path too:
                // a shared cache must not give this identity answer to a client that accepts gzip.
                var refusing = [
                    "Accept-Encoding: identity", "Accept-Encoding: gzip;q=0", "accept-encoding: GZIP;Q=0, deflate;q=0",
                    "Accept-Encoding: identity;q=0, *;q=0", "Accept-Encoding: x-unknown", "X-None: 1",
                ]
                if Self.brotli == nil { refusing.append("Accept-Encoding: br") }
                for header in refusing {
                    // A request takes the fast path when its connection's event loop has a warm upstream connection;
                    // a new client connection may land on a loop that has none yet. Try until one did (bounded).
                    var tookFastPath = false
                    for _ in 0..<20 where !tookFastPath {
                        let fast = upstreamOf.fastPathRequests
                        let answer = try await self.get(port, "/page", [header])
                        #expect(answer.header("content-encoding") == nil && answer.text == Self.page, "\(header)")
                        #expect(answer.header("vary") == "Accept-Encoding", "\(header): \(answer.header("vary") ?? "no Vary")")
                        tookFastPath = upstreamOf.fastPathRequests > fast
                    }
                    #expect(tookFastPath, "\(header) never took the fast path")
                }
                let png = try await self.get(port, "/png")
                #expect(png.header("vary") == nil && png.body.count == 4000)
                let varied = try await self.get(port, "/varied")
                #expect(varied.headers.filter { $0.name.lowercased() == "vary" }.map(\.value) == ["Cookie, accept-encoding"])
                // HEAD through the gateway: the fields GET sends, without a length it cannot know before compressing.
                let coding = Self.brotli ?? .gzip
                let head = try await self.get(port, "/page", ["Accept-Encoding: gzip, br"], method: "HEAD")
                #expect(head.status == 200 && head.body.isEmpty)
                #expect(head.header("content-encoding") == coding.rawValue && head.header("vary") == "Accept-Encoding")
                #expect(head.header("content-length") == nil)
                let smallHead = try await self.get(port, "/small", ["Accept-Encoding: gzip"], method: "HEAD")
                #expect(smallHead.header("content-encoding") == nil && smallHead.header("content-length") == "9")
                let before = upstreamOf.fastPathRequests
                let compressed = try await self.get(port, "/page", ["Accept-Encoding: gzip, br"])
                #expect(compressed.header("content-encoding") == coding.rawValue)
                #expect(try Self.decode(compressed.body, coding) == Self.page)
                let already = try await self.get(port, "/gz", ["Accept-Encoding: gzip"])
                #expect(already.header("content-encoding") == "gzip")
                #expect(try Self.inflate(already.body, .gzip()) == Self.page)
                #expect(upstreamOf.fastPathRequests == before)  // requests that accept a coding never do
            }
        }
    }
}

struct CompressionTestFailure: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// A body writer that keeps what it is given.
private final class Collected: ResponseBodyWriter {
    private let stored = Mutex<[ByteBuffer]>([])
    var chunks: [ByteBuffer] { self.stored.withLock { $0 } }
    func write(_ buffer: ByteBuffer) async throws { self.stored.withLock { $0.append(buffer) } }
}
