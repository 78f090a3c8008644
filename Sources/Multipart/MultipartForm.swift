public import HTTPCore
import HTTPTypes
public import NIOCore
import _NIOFileSystem

/// Limits for reading a `multipart/form-data` body, each with a safe default; crossing one is `413`.
///
/// ```swift
/// var limits = MultipartLimits()
/// limits.maxFileBytes = 50 << 20      // 50 MiB uploads
/// ```
public struct MultipartLimits: Sendable, Hashable {
    /// Most parts (fields and files). Default 100.
    public var maxParts: Int
    /// Most bytes of one part's header lines. Default 8 KiB.
    public var maxPartHeaderBytes: Int
    /// Most bytes of one field that is not a file. Default 64 KiB.
    public var maxFieldBytes: Int
    /// Most bytes of one file. Default 10 MiB.
    public var maxFileBytes: Int
    /// Most bytes of the whole body. Default 20 MiB (the server's own `maxBodyBytes` applies too: raise both).
    public var maxTotalBytes: Int
    /// File bytes kept in memory; a larger file goes to a temporary file, removed when its ``UploadedFile`` is
    /// released. Default 256 KiB.
    public var memoryThreshold: Int

    /// The defaults, each overridable.
    public init(
        maxParts: Int = 100,
        maxPartHeaderBytes: Int = 8 * 1024,
        maxFieldBytes: Int = 64 * 1024,
        maxFileBytes: Int = 10 << 20,
        maxTotalBytes: Int = 20 << 20,
        memoryThreshold: Int = 256 * 1024
    ) {
        self.maxParts = maxParts
        self.maxPartHeaderBytes = maxPartHeaderBytes
        self.maxFieldBytes = maxFieldBytes
        self.maxFileBytes = maxFileBytes
        self.maxTotalBytes = maxTotalBytes
        self.memoryThreshold = memoryThreshold
    }
}

/// A `multipart/form-data` body, read whole with limits: its text fields and its files.
///
/// ```swift
/// routes.post("/api/avatar") { request, _ in
///     let form = try await request.multipartForm()
///     guard let file = form.files(named: "avatar").first else { throw HTTPError(.unprocessableContent) }
///     let bytes = try await file.bytes()
///     return .text("\(form["caption"] ?? "") \(file.filename ?? "-") \(bytes.readableBytes)")
/// }
/// ```
public struct MultipartForm: Sendable {
    /// A text field.
    public struct Field: Sendable, Hashable {
        /// The field's name.
        public var name: String
        /// Its value (UTF-8).
        public var value: String
    }

    /// The text fields, in order.
    public var fields: [Field]
    /// The files, in order.
    public var files: [UploadedFile]

    /// The first text field named `name`.
    public subscript(name: String) -> String? { self.fields.first { $0.name == name }?.value }

    /// The files sent under the field name `name`.
    public func files(named name: String) -> [UploadedFile] { self.files.filter { $0.fieldName == name } }
}

/// One uploaded file: in memory, or in a temporary file that is removed when the last reference goes.
public final class UploadedFile: Sendable {
    enum Storage: Sendable {
        case memory(ByteBuffer)
        case file(String)
    }

    /// The form field it was sent under.
    public let fieldName: String
    /// The client's file name, reduced to a safe base name (no directories, no control characters, no leading dots,
    /// at most 255 bytes); `nil` when nothing usable was left. Never use it as a path without your own checks.
    public let filename: String?
    /// The part's `Content-Type`, if it had one (the client's claim, not a fact).
    public let contentType: String?
    /// The number of bytes.
    public let size: Int
    let storage: Storage

    init(fieldName: String, filename: String?, contentType: String?, size: Int, storage: Storage) {
        self.fieldName = fieldName
        self.filename = filename
        self.contentType = contentType
        self.size = size
        self.storage = storage
    }

    /// Where the bytes were spooled, when the file was larger than ``MultipartLimits/memoryThreshold``. The file is
    /// removed when this object is released: ``save(to:)`` it to keep it.
    public var temporaryPath: String? {
        if case .file(let path) = self.storage { return path }
        return nil
    }

    /// The whole file.
    public func bytes() async throws -> ByteBuffer {
        switch self.storage {
        case .memory(let buffer): return buffer
        case .file(let path): return try await ByteBuffer(contentsOf: FilePath(path), maximumSizeAllowed: .bytes(Int64(self.size)))
        }
    }

    /// Writes the file to `path` (a new file; an existing one is not replaced).
    public func save(to path: String) async throws {
        switch self.storage {
        case .memory(let buffer):
            _ = try await FileSystem.shared.withFileHandle(forWritingAt: FilePath(path), options: .newFile(replaceExisting: false)) {
                handle in
                try await handle.write(contentsOf: buffer.readableBytesView, toAbsoluteOffset: 0)
            }
        case .file(let temporary):
            try await FileSystem.shared.copyItem(at: FilePath(temporary), to: FilePath(path))  // the original goes with this object
        }
    }

    deinit {
        if case .file(let path) = self.storage { _ = unlinkFile(path) }
    }
}

extension Request {
    /// Reads a `multipart/form-data` body with `limits`.
    /// - Throws: `HTTPError` — `415` when the body is not `multipart/form-data`, `400` for a missing boundary, a
    ///   malformed or truncated body, or a part without a name, `413` when a limit is crossed.
    public func multipartForm(limits: MultipartLimits = MultipartLimits()) async throws -> MultipartForm {
        guard let contentType = self.headers[.contentType], let boundary = try MultipartReader.boundary(of: contentType) else {
            throw HTTPError(.unsupportedMediaType, message: "Expected multipart/form-data")
        }
        let reader = MultipartReader(boundary: boundary, limits: limits)
        do {
            for try await chunk in self.body {
                try await reader.feed(chunk)
            }
            return try await reader.finish()
        } catch {
            await reader.abandon()
            throw error
        }
    }
}

/// Drives ``FormDataParser`` over the body's chunks: limits, truncation, filenames, spooling. ``parse(_:)`` and
/// ``checkEnd()`` are the synchronous core (the fuzz target drives them); ``feed(_:)`` and ``finish()`` add spooling.
package final class MultipartReader {
    private var parser: FormDataParser
    private let boundary: String
    private let limits: MultipartLimits
    private let collector: Collector
    private var total = 0

    package init(boundary: String, limits: MultipartLimits) {
        self.boundary = boundary
        self.limits = limits
        self.parser = FormDataParser(boundary: boundary, maxHeaderLineBytes: limits.maxPartHeaderBytes)
        self.collector = Collector(limits: limits)
    }

    /// The `boundary` parameter of a `multipart/form-data` content type; `nil` for another type.
    /// - Throws: `HTTPError` 400 when the boundary is missing or malformed (RFC 2046 §5.1.1: 1–70 of its `bchars`, not
    ///   ending in a space), or when a parameter is given twice (RFC 6838 §4.3: a reader that took the first
    ///   `boundary` and one that took the last, as Django does, would read different parts from one body).
    package static func boundary(of contentType: String) throws -> String? {
        let mediaType: MediaType
        do {
            mediaType = try MediaType(parsing: contentType)
        } catch {
            // Refused only for our own type: another type, however malformed, is the caller's to refuse (415).
            guard contentType.trimmingOWS.lowercased().hasPrefix("multipart/form-data") else { return nil }
            if case .repeatedParameter(let name) = error {
                throw HTTPError(.badRequest, message: "multipart/form-data names its \(name) parameter more than once")
            }
            throw HTTPError(.badRequest, message: "multipart/form-data has a malformed Content-Type")
        }
        guard mediaType.essence == "multipart/form-data" else { return nil }
        guard let value = mediaType["boundary"], (1...70).contains(value.utf8.count), value.utf8.allSatisfy(Self.isBoundaryCharacter),
            value.utf8.last != UInt8(ascii: " ")
        else {
            throw HTTPError(.badRequest, message: "multipart/form-data needs a boundary of 1 to 70 characters")
        }
        return value
    }

    /// RFC 2046 §5.1.1 `bchars`: digits, letters, `'()+_,-./:=?` and space.
    private static func isBoundaryCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "'()+_,-./:=? ".utf8.contains(byte)
        }
    }

    func feed(_ chunk: ByteBuffer) async throws {
        try self.parse(chunk)
        try await self.collector.spool()
    }

    /// Parses one chunk of the body (without spooling: files stay in memory until ``feed(_:)`` spools them).
    /// - Throws: `HTTPError` 400 or 413.
    package func parse(_ chunk: ByteBuffer) throws {
        self.total += chunk.readableBytes
        guard self.total <= self.limits.maxTotalBytes else { throw MultipartReader.tooLarge("the body") }
        let (events, failure) = self.parser.parse(chunk)
        for event in events {
            switch event {
            case .header(let name, let value): self.collector.header(name, value)
            case .bodyStart: self.collector.bodyStart()
            case .body(let buffer): self.collector.body(buffer)
            case .partEnd: self.collector.partComplete()
            }
            if let failure = self.collector.failure { throw failure }
        }
        switch failure {
        case .headerTooLong: throw MultipartReader.tooLarge("a part's headers")
        case .malformed: throw HTTPError(.badRequest, message: "Malformed multipart body")
        case nil: break
        }
        if let failure = self.collector.failure { throw failure }
    }

    func finish() async throws -> MultipartForm {
        try self.checkEnd()
        try await self.collector.closeSpool()
        return self.form
    }

    /// The fields and files read so far.
    package var form: MultipartForm { MultipartForm(fields: self.collector.fields, files: self.collector.files) }

    /// Checks that the body ended with its closing boundary.
    /// - Throws: `HTTPError` 400 when it did not.
    package func checkEnd() throws {
        guard self.parser.isFinished else {
            throw HTTPError(.badRequest, message: "The multipart body ended before its closing boundary")
        }
    }

    /// Closes and removes what was spooled for a form that will not be returned.
    func abandon() async {
        await self.collector.abandonSpool()
    }

    static func tooLarge(_ what: String) -> HTTPError {
        HTTPError(.contentTooLarge, message: "The multipart upload is too large: \(what) crossed its limit")
    }
}

/// What the parser reported, part by part (lives in the reading task only).
private final class Collector {
    let limits: MultipartLimits
    var fields: [MultipartForm.Field] = []
    var files: [UploadedFile] = []
    var failure: HTTPError?
    /// A part's headers or body are being read.
    private var inPart = false

    private var parts = 0
    private var headerBytes = 0
    private var name: String?
    private var filename: String??
    private var contentType: String?
    private var bytes = ByteBuffer()
    private var size = 0
    private var spoolPath: String?
    private var spoolHandle: WriteFileHandle?
    private var spooled = 0

    init(limits: MultipartLimits) {
        self.limits = limits
    }

    func header(_ name: String, _ value: String) {
        guard self.failure == nil else { return }
        if !self.inPart { self.startPart() }
        self.headerBytes += name.utf8.count + value.utf8.count + 4
        guard self.headerBytes <= self.limits.maxPartHeaderBytes else { return self.fail(MultipartReader.tooLarge("a part's headers")) }
        switch name.lowercased() {
        case "content-disposition":
            let disposition = Disposition(value)
            guard disposition.type == "form-data", let fieldName = disposition.name else {
                return self.fail(HTTPError(.badRequest, message: "A multipart part needs Content-Disposition: form-data; name=…"))
            }
            self.name = fieldName
            if let filename = disposition.filename { self.filename = .some(Self.sanitize(filename)) }
        case "content-type":
            self.contentType = value
        default:
            break
        }
    }

    /// The part's headers ended (a part may have none: then it has no name, and is refused when it ends).
    func bodyStart() {
        if !self.inPart { self.startPart() }
    }

    func body(_ buffer: ByteBuffer) {
        guard self.failure == nil else { return }
        self.size += buffer.readableBytes
        if self.filename == nil {
            guard self.size <= self.limits.maxFieldBytes else { return self.fail(MultipartReader.tooLarge("a field")) }
        } else {
            guard self.size <= self.limits.maxFileBytes else { return self.fail(MultipartReader.tooLarge("a file")) }
        }
        var buffer = buffer
        self.bytes.writeBuffer(&buffer)
    }

    func partComplete() {
        guard self.failure == nil, self.inPart else { return }
        self.inPart = false
        guard let name = self.name else {
            return self.fail(HTTPError(.badRequest, message: "A multipart part needs Content-Disposition: form-data; name=…"))
        }
        if let filename = self.filename {
            let storage: UploadedFile.Storage = self.spoolPath.map { .file($0) } ?? .memory(self.bytes)
            self.files.append(
                UploadedFile(fieldName: name, filename: filename, contentType: self.contentType, size: self.size, storage: storage)
            )
            if let handle = self.spoolHandle {
                // Its last bytes are written and the handle closed after this chunk (callbacks cannot wait).
                self.finishing.append((handle, Int64(self.spooled), self.bytes))
                self.bytes = ByteBuffer()
            }
            self.spoolHandle = nil
            self.spoolPath = nil
        } else {
            guard let value = String(validating: self.bytes.readableBytesView, as: UTF8.self) else {
                return self.fail(HTTPError(.badRequest, message: "A multipart field is not UTF-8"))
            }
            self.fields.append(MultipartForm.Field(name: name, value: value))
        }
        self.bytes.clear()
    }

    /// Spooled files whose parts ended: their last bytes (at that offset) are written and their handles closed at the
    /// next ``spool()``.
    private var finishing: [(handle: WriteFileHandle, offset: Int64, tail: ByteBuffer)] = []

    private func startPart() {
        self.inPart = true
        self.parts += 1
        if self.parts > self.limits.maxParts { self.fail(MultipartReader.tooLarge("the number of parts")) }
        self.headerBytes = 0
        self.name = nil
        self.filename = nil
        self.contentType = nil
        self.size = 0
        self.spooled = 0
        self.bytes.clear()
    }

    private func fail(_ error: HTTPError) {
        if self.failure == nil { self.failure = error }
    }

    /// Writes a file's bytes beyond the memory threshold to its temporary file (after each chunk: the parser's
    /// callbacks cannot wait).
    func spool() async throws {
        while !self.finishing.isEmpty {
            let (handle, offset, tail) = self.finishing.removeFirst()
            do {
                if tail.readableBytes > 0 { try await handle.write(contentsOf: tail.readableBytesView, toAbsoluteOffset: offset) }
                try await handle.close(makeChangesVisible: true)
            } catch {
                try? await handle.close(makeChangesVisible: false)
                throw error
            }
        }
        guard self.inPart, self.filename != nil, self.bytes.readableBytes > 0,
            self.spoolHandle != nil || self.bytes.readableBytes > self.limits.memoryThreshold
        else { return }
        if self.spoolHandle == nil {
            let path = try await FileSystem.shared.temporaryDirectory.appending("tandem-upload-\(UInt64.random(in: .min ... .max))")
                .string
            self.spoolHandle = try await FileSystem.shared.openFile(
                forWritingAt: FilePath(path),
                options: .newFile(replaceExisting: false, permissions: .ownerReadWrite)
            )
            self.spoolPath = path
        }
        let chunk = self.bytes
        self.bytes.clear()
        try await self.spoolHandle!.write(contentsOf: chunk.readableBytesView, toAbsoluteOffset: Int64(self.spooled))
        self.spooled += chunk.readableBytes
    }

    /// Finishes the spooled files.
    func closeSpool() async throws {
        try await self.spool()
    }

    func abandonSpool() async {
        for (handle, _, _) in self.finishing { try? await handle.close(makeChangesVisible: false) }
        self.finishing.removeAll()
        if let handle = self.spoolHandle {
            self.spoolHandle = nil
            try? await handle.close(makeChangesVisible: false)
        }
        if let path = self.spoolPath { _ = unlinkFile(path) }
        self.files.removeAll()  // their deinit removes their temporary files
    }

    /// A client's file name as a safe base name: the last path component (either slash), without control
    /// characters, quotes or leading dots, at most 255 bytes; `nil` when nothing is left.
    static func sanitize(_ filename: String) -> String? {
        let base = filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var cleaned = String(base.unicodeScalars.filter { $0.value >= 32 && $0.value != 127 && $0 != "\"" && $0 != ":" })
        while cleaned.hasPrefix(".") || cleaned.hasPrefix(" ") { cleaned.removeFirst() }
        while cleaned.utf8.count > 255 { cleaned.removeLast() }
        return cleaned.isEmpty ? nil : cleaned
    }
}

/// `Content-Disposition: form-data; name="field"; filename="a.txt"` (RFC 7578 §4.2; `filename*` preferred, RFC 5987).
struct Disposition {
    var type: String?
    var name: String?
    var filename: String?

    init(_ value: String) {
        var rest = Substring(value)
        self.type = Self.token(&rest)?.lowercased()
        var extended: String?
        while let semicolon = rest.firstIndex(of: ";") {
            rest = rest[rest.index(after: semicolon)...]
            guard let key = Self.token(&rest, until: "=")?.lowercased(), rest.first == "=" else { continue }
            rest = rest.dropFirst()
            let parameter = Self.value(&rest)
            switch key {
            case "name": self.name = parameter
            case "filename": self.filename = parameter
            case "filename*": extended = parameter.flatMap(Self.decodeExtended)
            default: break
            }
        }
        if let extended { self.filename = extended }
    }

    private static func token(_ rest: inout Substring, until stop: Character = ";") -> String? {
        rest = rest.drop { $0 == " " || $0 == "\t" }
        let end = rest.firstIndex { $0 == stop || $0 == ";" } ?? rest.endIndex
        let token = rest[..<end].trimmingOWS
        rest = rest[end...]
        return token.isEmpty ? nil : token
    }

    private static func value(_ rest: inout Substring) -> String? {
        rest = rest.drop { $0 == " " || $0 == "\t" }
        guard rest.first == "\"" else { return self.token(&rest) }
        var value = ""
        var index = rest.index(after: rest.startIndex)
        while index < rest.endIndex {
            let character = rest[index]
            if character == "\\", rest.index(after: index) < rest.endIndex {
                index = rest.index(after: index)
                value.append(rest[index])
            } else if character == "\"" {
                rest = rest[rest.index(after: index)...]
                return value
            } else {
                value.append(character)
            }
            index = rest.index(after: index)
        }
        return nil  // unterminated
    }

    /// `UTF-8''na%C3%AFve.txt` → `naïve.txt`.
    private static func decodeExtended(_ text: String) -> String? {
        let parts = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].lowercased() == "utf-8" else { return nil }
        var bytes: [UInt8] = []
        var utf8 = parts[2].utf8[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%") {
                guard utf8.count >= 2, let high = hexValue(utf8.popFirst()!), let low = hexValue(utf8.popFirst()!) else { return nil }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

#if canImport(Glibc)
import Glibc
private func unlinkFile(_ path: String) -> Int32 { Glibc.unlink(path) }
#elseif canImport(Darwin)
import Darwin
private func unlinkFile(_ path: String) -> Int32 { Darwin.unlink(path) }
#endif
