public import HTTPCore
import HTTPTypes
import NIOCore
import NIOPosix
import _NIOFileSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Serves files from a folder, as nginx's `root` + `try_files` + `gzip_static` do: validators and `304`, byte ranges,
/// `HEAD`, precompressed siblings, long caching for fingerprinted names, and nothing outside its root.
///
/// - `ETag` (size and modification time, as nginx writes it) and `Last-Modified`; `If-None-Match` and
///   `If-Modified-Since` answer `304`.
/// - `Range: bytes=…` (one range; `If-Range` honoured) answers `206` with `Content-Range`, `416` when it starts past
///   the end; several ranges get the whole file (`200`), as RFC 9110 allows.
/// - `app.js.br` or `app.js.gz` beside `app.js` is sent instead when the client accepts that coding
///   (`Content-Encoding`, `Vary: Accept-Encoding`).
/// - A name with a fingerprint (`app.3f2b8c1e.js`: a dot- or dash-separated run of 8 or more hex digits) gets
///   ``Configuration/immutableCacheControl``; other files ``Configuration/cacheControl``.
/// - The request path is percent-decoded and checked segment by segment: `..`, encoded slashes, NUL bytes and (by
///   default) dot files answer `404`; a symbolic link that leads out of the root answers `404`; a directory redirects
///   to its `/` form and serves its index file.
/// - The bytes are read with NIO's non-blocking file system in chunks and written as the client takes them.
///
/// ```swift
/// var site = PrefixRouter()
/// site.location("/search/static/", rewrite: .strip, try FileServer(root: "public"))
/// ```
public struct FileServer: HTTPHandler {
    /// How files are served; every value has a safe default.
    public struct Configuration: Sendable {
        /// The file served for a directory (`index.html`); `nil` answers `404` for directories.
        public var indexFile: String? = "index.html"
        /// `Cache-Control` for files without a fingerprint; `nil` sends none (clients revalidate with the validators).
        public var cacheControl: String? = nil
        /// `Cache-Control` for fingerprinted names.
        public var immutableCacheControl: String = "public, max-age=31536000, immutable"
        /// Precompressed siblings to look for, best first: `.br`, then `.gz` (`.zstd` for `.zst` files is there to add).
        public var precompressed: [PrecompressedCoding] = [.brotli, .gzip]
        /// Whether names starting with `.` are served (`.well-known` needs it); off by default.
        public var servesDotFiles: Bool = false
        /// Bytes read and written at a time.
        public var chunkSize: Int = 64 * 1024
        /// Content types by lower-cased extension; unknown extensions are `application/octet-stream`.
        public var contentTypes: [String: String] = FileServer.defaultContentTypes
        /// How long what was learnt about a path (its facts, or that it is missing) is trusted before it is checked
        /// again: a change on disk is seen within this time (nginx's `open_file_cache_valid`). `.zero` checks every time.
        public var cacheValidity: Duration = .seconds(1)
        /// Most paths remembered (nginx's `open_file_cache max=`).
        public var cacheEntries: Int = 10_000
        /// Files up to this size are kept in memory while unchanged.
        public var memoryCacheFileBytes: Int = 64 * 1024
        /// Most bytes kept in memory in all.
        public var memoryCacheTotalBytes: Int = 16 << 20

        /// The defaults.
        public init() {}
    }

    /// A coding a precompressed sibling may have.
    public enum PrecompressedCoding: String, Sendable, CaseIterable {
        /// `app.js.br`, `Content-Encoding: br`.
        case brotli = "br"
        /// `app.js.gz`, `Content-Encoding: gzip`.
        case gzip
        /// `app.js.zst`, `Content-Encoding: zstd` (not looked for by default: add it to
        /// ``Configuration/precompressed`` when the build writes such files).
        case zstd

        var suffix: String {
            switch self {
            case .brotli: ".br"
            case .gzip: ".gz"
            case .zstd: ".zst"
            }
        }
    }

    /// The folder served, with its symbolic links resolved.
    public let root: String
    /// The settings.
    public let configuration: Configuration
    let cache: FileCache

    /// Serves `root`.
    /// - Throws: ``FileServerError`` when `root` is not a directory.
    public init(root: String, configuration: Configuration = Configuration()) throws {
        guard let resolved = Self.realPath(root) else { throw FileServerError.notADirectory(root) }
        var status = stat()
        guard stat(resolved, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else { throw FileServerError.notADirectory(root) }
        self.root = resolved
        self.configuration = configuration
        self.cache = FileCache(
            validity: configuration.cacheValidity,
            maxEntries: configuration.cacheEntries,
            maxFileBytes: configuration.memoryCacheFileBytes,
            maxTotalBytes: configuration.memoryCacheTotalBytes
        )
    }

    public func handle(_ request: Request, context: RequestContext) async throws -> Response {
        guard request.method == .get || request.method == .head else {
            throw HTTPError(.methodNotAllowed, headers: [.allow: "GET, HEAD"])
        }
        guard let segments = self.segments(of: request.path) else { throw HTTPError(.notFound) }
        var path = self.root + (segments.isEmpty ? "" : "/" + segments.joined(separator: "/"))
        guard var info = try await self.inspect(path) else { throw HTTPError(.notFound) }
        if info.isDirectory {
            guard let index = self.configuration.indexFile else { throw HTTPError(.notFound) }
            if !request.path.hasSuffix("/") {
                let location = String(request.path) + "/" + (request.queryString.map { "?" + $0 } ?? "")
                return Response(status: .movedPermanently, headers: [.location: location])
            }
            path += "/" + index
            guard let indexInfo = try await self.inspect(path), !indexInfo.isDirectory else { throw HTTPError(.notFound) }
            info = indexInfo
        }
        let name = path.split(separator: "/").last.map(String.init) ?? ""
        var headers = HTTPFields()
        headers[.contentType] = self.contentType(for: name)
        headers[.xContentTypeOptions] = "nosniff"
        if let cacheControl = Self.isFingerprinted(name) ? self.configuration.immutableCacheControl : self.configuration.cacheControl {
            headers[.cacheControl] = cacheControl
        }

        var file = info
        if let (sibling, coding) = try await self.precompressedVariant(of: info, request: request, headers: &headers) {
            file = sibling
            headers[.contentEncoding] = coding.rawValue
        }
        let etag = file.etag
        headers[.eTag] = etag
        headers[.lastModified] = file.lastModified
        headers[.acceptRanges] = "bytes"

        if Self.notModified(request.headers, etag: etag, modified: file.modified) {
            return Response(status: .notModified, headers: headers)
        }
        var range = 0..<file.size
        var status = HTTPResponse.Status.ok
        if request.method == .get, let header = request.headers[.range],
            Self.rangeStillValid(request.headers[.ifRange], etag: etag, modified: file.modified)
        {
            switch Self.byteRange(header, size: file.size) {
            case .whole:
                break
            case .unsatisfiable:
                var refused = HTTPFields()
                refused[.contentRange] = "bytes */\(file.size)"
                return Response(status: .rangeNotSatisfiable, headers: refused)
            case .range(let part):
                range = part
                status = .partialContent
                headers[.contentRange] = "bytes \(part.lowerBound)-\(part.upperBound - 1)/\(file.size)"
            }
        }
        if request.method == .head {
            return Response(status: status, headers: headers, body: .stream(contentLength: range.count) { _ in })
        }
        if self.cache.keeps(size: file.size), let contents = try await self.smallFile(file) {
            return Response(
                status: status,
                headers: headers,
                body: .bytes(contents.getSlice(at: contents.readerIndex + range.lowerBound, length: range.count)!)
            )
        }
        let chunkSize = max(1, self.configuration.chunkSize)
        let filePath = file.path
        let expected = range.count
        let bytes = Int64(range.lowerBound)..<Int64(range.upperBound)
        let body = ResponseBody.stream(contentLength: expected) { writer in
            // The resolved path, not following a link that might have been put in its place since it was checked.
            try await FileSystem.shared.withFileHandle(
                forReadingAt: FilePath(filePath),
                options: OpenOptions.Read(followSymbolicLinks: false, closeOnExec: true)
            ) { handle in
                var written = 0
                for try await chunk in handle.readChunks(in: bytes, chunkLength: .bytes(Int64(chunkSize))) {
                    written += chunk.readableBytes
                    try await writer.write(chunk)
                }
                // The file shrank while it was sent: the promised length cannot be kept, so the connection is cut.
                guard written == expected else { throw FileServerError.changedWhileSending(filePath) }
            }
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// The request path's segments, percent-decoded; `nil` for any that could leave the root or name a hidden file.
    func segments(of rawPath: Substring) -> [String]? {
        var segments: [String] = []
        for raw in rawPath.split(separator: "/", omittingEmptySubsequences: true) {
            let segment = PercentDecoding.decode(raw.utf8, plusAsSpace: false)
            if segment == "." { continue }
            if segment == ".." || segment.contains("/") || segment.contains("\\") || segment.utf8.contains(0) { return nil }
            if segment.hasPrefix("."), !self.configuration.servesDotFiles { return nil }
            segments.append(segment)
        }
        return segments
    }

    /// What the server needs to know about a file.
    struct FileFacts: Sendable {
        /// Its path with every link resolved (inside the root).
        var path: String
        var isDirectory: Bool
        var size: Int
        /// Modification time, seconds since 1970.
        var modified: Int
        var modifiedNanoseconds: Int
        /// `"<mtime hex>-<size hex>"`, as nginx writes it; made once, when the facts are read, not per request.
        let etag: String
        /// `modified` as an IMF-fixdate.
        let lastModified: String

        init(path: String, isDirectory: Bool, size: Int, modified: Int, modifiedNanoseconds: Int) {
            self.path = path
            self.isDirectory = isDirectory
            self.size = size
            self.modified = modified
            self.modifiedNanoseconds = modifiedNanoseconds
            self.etag = "\"\(String(modified, radix: 16))-\(String(size, radix: 16))\""
            self.lastModified = HTTPDate.format(epochSeconds: modified)
        }

        /// Whether `other` describes the same bytes (size and modification time to the nanosecond).
        func sameVersion(as other: FileFacts) -> Bool {
            self.size == other.size && self.modified == other.modified && self.modifiedNanoseconds == other.modifiedNanoseconds
        }
    }

    /// The whole of a small file, from memory when it is cached and unchanged; `nil` when it changed while read.
    func smallFile(_ file: FileFacts) async throws -> ByteBuffer? {
        if let cached = self.cache.contents(file.path, facts: file) { return cached }
        let contents: ByteBuffer
        do {
            contents = try await FileSystem.shared.withFileHandle(
                forReadingAt: FilePath(file.path),
                options: OpenOptions.Read(followSymbolicLinks: false, closeOnExec: true)
            ) { handle in
                try await handle.readToEnd(maximumSizeAllowed: .bytes(Int64(file.size)))
            }
        } catch {
            return nil  // grew or went since it was checked: the streaming path sends what was promised, or fails
        }
        guard contents.readableBytes == file.size else { return nil }
        self.cache.storeContents(file.path, facts: file, contents: contents)
        return contents
    }

    /// The facts of `path` when it exists, is a regular file or directory, and resolves to a place inside the root;
    /// from the cache while they are fresh.
    func inspect(_ path: String) async throws -> FileFacts? {
        let now = ContinuousClock.now
        if self.cache.enabled, case .some(let facts) = self.cache.facts(path, now: now) { return facts }
        let facts = try await self.inspectOnDisk(path)
        self.cache.store(path, facts: facts, now: now)
        if let facts, facts.path != path { self.cache.store(facts.path, facts: facts, now: now) }
        return facts
    }

    func inspectOnDisk(_ path: String) async throws -> FileFacts? {
        let root = self.root
        return try await NIOThreadPool.singleton.runIfActive {
            guard let resolved = Self.realPath(path), resolved == root || resolved.hasPrefix(root == "/" ? "/" : root + "/") else {
                return nil
            }
            var status = stat()
            guard stat(resolved, &status) == 0 else { return nil }
            let type = status.st_mode & S_IFMT
            guard type == S_IFREG || type == S_IFDIR else { return nil }
            return FileFacts(
                path: resolved,
                isDirectory: type == S_IFDIR,
                size: Int(status.st_size),
                modified: Int(status.st_mtim.tv_sec),
                modifiedNanoseconds: Int(status.st_mtim.tv_nsec)
            )
        }
    }

    static func realPath(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    func contentType(for name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "application/octet-stream" }
        return self.configuration.contentTypes[name[name.index(after: dot)...].lowercased()] ?? "application/octet-stream"
    }

    /// Whether a name carries a content hash: a dot- or dash-separated run of 8 or more hex digits before the extension
    /// (`app.3f2b8c1e.js`, `logo-9F86D081.svg`).
    static func isFingerprinted(_ name: String) -> Bool {
        let parts = name.split(whereSeparator: { $0 == "." || $0 == "-" }).dropLast()
        return parts.contains { $0.count >= 8 && $0.allSatisfy(\.isHexDigit) }
    }

    /// The best precompressed sibling of `file` the client accepts; `Vary: Accept-Encoding` goes into `headers` when
    /// there is any sibling at all, since the answer then depends on the header.
    func precompressedVariant(
        of file: FileFacts,
        request: Request,
        headers: inout HTTPFields
    ) async throws -> (FileFacts, PrecompressedCoding)? {
        guard !self.configuration.precompressed.isEmpty else { return nil }
        let accepted = AcceptEncoding(request.headers[values: .acceptEncoding])
        var variant: (FileFacts, PrecompressedCoding)?
        for coding in self.configuration.precompressed {
            guard let sibling = try await self.inspect(file.path + coding.suffix), !sibling.isDirectory else { continue }
            headers[.vary] = "Accept-Encoding"
            if variant == nil, accepted.quality(of: coding.rawValue) > 0 { variant = (sibling, coding) }
        }
        return variant
    }

    /// Whether the client's copy is current: `If-None-Match`, else `If-Modified-Since`.
    static func notModified(_ headers: HTTPFields, etag: String, modified: Int) -> Bool {
        let conditions = headers[values: .ifNoneMatch]
        if !conditions.isEmpty { return conditions.contains { EntityTag.ifNoneMatch($0, matches: etag) } }
        if let since = headers[.ifModifiedSince].flatMap(HTTPDate.parse) { return modified <= since }
        return false
    }

    /// Whether a `Range` still applies under `If-Range`: absent, the strong ETag, or exactly the modification date.
    static func rangeStillValid(_ ifRange: String?, etag: String, modified: Int) -> Bool {
        guard let ifRange = ifRange?.trimmingOWS else { return true }
        if ifRange.hasPrefix("\"") { return ifRange == etag }
        if ifRange.hasPrefix("W/") { return false }
        return HTTPDate.parse(ifRange) == modified
    }

    enum RangeOutcome: Equatable {
        case whole
        case unsatisfiable
        case range(Range<Int>)
    }

    /// One `bytes=` range of a file of `size` bytes; a malformed header or several ranges serve the whole file.
    static func byteRange(_ header: String, size: Int) -> RangeOutcome {
        let value = header.trimmingOWS
        guard value.lowercased().hasPrefix("bytes=") else { return .whole }
        let spec = value.dropFirst(6)
        guard !spec.contains(",") else { return .whole }
        let bounds = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingOWS }
        guard bounds.count == 2 else { return .whole }
        func number(_ text: String) -> Int? {
            guard !text.isEmpty, text.count <= 18, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
            return Int(text)
        }
        if bounds[0].isEmpty {
            // The last N bytes.
            guard let suffix = number(bounds[1]) else { return .whole }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .range(max(0, size - suffix)..<size)
        }
        guard let start = number(bounds[0]) else { return .whole }
        guard start < size else { return .unsatisfiable }
        if bounds[1].isEmpty { return .range(start..<size) }
        guard let end = number(bounds[1]), end >= start else { return .whole }
        return .range(start..<min(end + 1, size))
    }

    /// Content types for common web files; text types in UTF-8.
    public static let defaultContentTypes: [String: String] = [
        "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8", "mjs": "text/javascript; charset=utf-8", "json": "application/json",
        "map": "application/json", "txt": "text/plain; charset=utf-8", "md": "text/markdown; charset=utf-8",
        "csv": "text/csv; charset=utf-8", "xml": "application/xml", "svg": "image/svg+xml", "png": "image/png",
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp", "avif": "image/avif",
        "ico": "image/x-icon", "woff": "font/woff", "woff2": "font/woff2", "ttf": "font/ttf", "otf": "font/otf",
        "wasm": "application/wasm", "pdf": "application/pdf", "mp4": "video/mp4", "webm": "video/webm", "mp3": "audio/mpeg",
        "ogg": "audio/ogg", "wav": "audio/wav", "zip": "application/zip", "gz": "application/gzip",
        "webmanifest": "application/manifest+json",
    ]
}

/// Why a ``FileServer`` could not start or finish a file.
public enum FileServerError: Error, CustomStringConvertible {
    /// The root is missing or not a directory.
    case notADirectory(String)
    /// The file became shorter while it was sent; the connection was cut.
    case changedWhileSending(String)

    public var description: String {
        switch self {
        case .notADirectory(let path): "FileServer root \(path) is not a directory"
        case .changedWhileSending(let path): "\(path) changed while it was sent"
        }
    }
}
