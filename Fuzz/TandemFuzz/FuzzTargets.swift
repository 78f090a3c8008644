import APIEnvelope
import CookieAuth
import Foundation
import HTTPCore
import HTTPTypes
import Multipart
import NIOCore
import NIOEmbedded
import NIOHTTP1
import ProxyClient
import Routing
import Validation

// libFuzzer targets for every parser that reads what a client or an upstream sends. One binary; the target is
// chosen by `TANDEM_FUZZ_TARGET` (Fuzz/run.sh sets it). Each target checks properties, not just "no crash":
// a property that fails traps, and libFuzzer saves the input as a crash artifact. Every crash found becomes a
// regression test in the module's test target.

/// The targets by name.
let targets: [String: @Sendable (UnsafeRawBufferPointer) -> Void] = [
    "path": fuzzPath,
    "response": fuzzResponse,
    "request": fuzzRequest,
    "cookie": fuzzCookie,
    "query": fuzzQuery,
    "schema": fuzzSchema,
    "signed": fuzzSigned,
    "json": fuzzJSON,
    "multipart": fuzzMultipart,
    "origin": fuzzOrigin,
    "address": fuzzAddress,
    "fields": fuzzFields,
]

// Set once, before libFuzzer's first call, on its only thread.
nonisolated(unsafe) var selected: (@Sendable (UnsafeRawBufferPointer) -> Void)?

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    let name = ProcessInfo.processInfo.environment["TANDEM_FUZZ_TARGET"] ?? ""
    guard let target = targets[name] else {
        print("TANDEM_FUZZ_TARGET must be one of: \(targets.keys.sorted().joined(separator: ", "))")
        exit(2)
    }
    selected = target
    return 0
}

/// `TANDEM_FUZZ_REPEAT=N` runs each input N times: with one input file, a leak shows as growing memory.
let repeats = Int(ProcessInfo.processInfo.environment["TANDEM_FUZZ_REPEAT"] ?? "") ?? 1

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    for _ in 0..<repeats { selected?(UnsafeRawBufferPointer(start: data, count: size)) }
    return 0
}

/// `PathNormalizer`: a normalised path is a fixed point that `isNormalized` recognises, and a path it calls
/// normal normalises to itself (the gateway recursed forever when these two disagreed).
func fuzzPath(_ data: UnsafeRawBufferPointer) {
    let path = "/" + String(decoding: data, as: UTF8.self)
    if let normal = try? PathNormalizer.normalize(path) {
        precondition(PathNormalizer.isNormalized(normal), "not a fixed point: \(path.debugDescription) -> \(normal.debugDescription)")
        precondition((try? PathNormalizer.normalize(normal)) == normal, "normalize is not idempotent on \(path.debugDescription)")
        precondition(!normal.contains("/../") && !normal.hasSuffix("/.."), "a climbing segment survived in \(normal.debugDescription)")
    }
    if PathNormalizer.isNormalized(path) {
        precondition((try? PathNormalizer.normalize(path)) == path, "isNormalized but changed: \(path.debugDescription)")
    }
}

/// `ResponseScanner`: the same response cut at a fuzzer-chosen point gives the same events as whole; a body
/// never exceeds what the framing allows; nothing after the end is consumed.
func fuzzResponse(_ data: UnsafeRawBufferPointer) {
    guard let cut = data.first else { return }
    let bytes = Array(data.dropFirst())
    func scan(_ pieces: [ArraySlice<UInt8>]) -> (events: [String], failed: Bool, leftover: Int) {
        var scanner = ResponseScanner(maxHeadBytes: 4096)
        var events: [String] = []
        var body: [UInt8] = []
        var pending = ByteBuffer()
        for piece in pieces {
            pending.writeBytes(piece)
            do {
                while let event = try scanner.next(&pending) {
                    switch event {
                    case .head(let head):
                        events.append("head \(head.status) \(head.framing) \(head.keepAlive)")
                    case .body(let buffer):
                        body += buffer.readableBytesView
                    case .end:
                        events.append("end")
                    }
                    if scanner.isDone { break }
                }
            } catch {
                return (events, true, 0)
            }
            if scanner.isDone { break }
        }
        if !scanner.isDone, scanner.connectionClosed() { events.append("end at close") }
        events.append("body \(body.count) \(body.hashValue)")
        return (events, false, pending.readableBytes)
    }
    let split = bytes.isEmpty ? 0 : Int(cut) % (bytes.count + 1)
    let whole = scan([bytes[...]])
    let pieces = scan([bytes[..<split], bytes[split...]])
    precondition(whole.failed == pieces.failed, "refusal depends on where the bytes were cut")
    if !whole.failed {
        precondition(whole.events == pieces.events, "events depend on where the bytes were cut: \(whole.events) vs \(pieces.events)")
    }
}

/// The server's request path without sockets: NIO's decoder and the connection handler (its state machine,
/// queue, limits) on an embedded channel, fed the input in two reads. No crash, no unbounded buffer, and what
/// the server writes back is HTTP.
func fuzzRequest(_ data: UnsafeRawBufferPointer) {
    guard let cut = data.first else { return }
    let bytes = Array(data.dropFirst())
    let channel = EmbeddedChannel()
    var configuration = HTTPServer<HandlerFunction>.Configuration(port: 0)
    configuration.limits.maxHeaderBytes = 1024
    configuration.limits.maxBodyBytes = 2048
    configuration.limits.maxPipelinedRequests = 4
    let connection = HTTPServer<HandlerFunction>.fuzzingPipeline(channel, configuration: configuration)
    let split = bytes.isEmpty ? 0 : Int(cut) % (bytes.count + 1)
    for piece in [bytes[..<split], bytes[split...]] where !piece.isEmpty {
        var buffer = channel.allocator.buffer(capacity: piece.count)
        buffer.writeBytes(piece)
        _ = try? channel.writeInbound(buffer)
        precondition(connection.queuedRequests <= 4, "more pipelined requests queued than the limit")
    }
    var written: [UInt8] = []
    while let buffer = try? channel.readOutbound(as: ByteBuffer.self) { written += buffer.readableBytesView }
    // With no task to serve requests, only the server's own answers go out: `100 Continue` and parse errors.
    let interim = "HTTP/1.1 100 Continue\r\n\r\n".utf8
    let answers = written.starts(with: interim) ? Array(written.dropFirst(interim.count)) : written
    precondition(answers.isEmpty || answers.starts(with: "HTTP/1.1 4".utf8), "the server wrote something that is not an error response")
    // Run what the handlers scheduled (the close after an error answer), then tear down.
    channel.embeddedEventLoop.run()
    _ = try? channel.finish(acceptAlreadyClosed: true)
    channel.embeddedEventLoop.run()
}

/// Cookie parsing tolerates any header value and never loses the name/value split.
func fuzzCookie(_ data: UnsafeRawBufferPointer) {
    let text = String(decoding: data, as: UTF8.self)
    let cookies = Cookies(parsing: text.split(separator: "\n").map(String.init))
    for (name, value) in cookies {
        precondition(!name.contains(";") && !value.contains(";"), "a cookie pair kept a separator")
        precondition(cookies.all(name).contains(value))
    }
}

/// Query parsing: any string, and its re-encoding parses back to the same pairs.
func fuzzQuery(_ data: UnsafeRawBufferPointer) {
    let query = QueryParameters(parsing: String(decoding: data, as: UTF8.self))
    let encoded = query.map { QueryParameters.percentEncoded($0.name) + "=" + QueryParameters.percentEncoded($0.value) }
        .joined(separator: "&")
    let again = QueryParameters(parsing: encoded)
    precondition(Array(query.map { "\($0.name)=\($0.value)" }) == Array(again.map { "\($0.name)=\($0.value)" }), "encode/parse round trip")
}

struct FuzzInput: Sendable {
    var name: String
    var count: Int
    var tags: [String]
    var ratio: Double?
}

let fuzzSchema = Schema<FuzzInput>("FuzzSchema") { s in
    let name = s.field("name", .string(minLength: 1, maxLength: 40, pattern: "[a-z]+", trimmed: true))
    let count = s.field("count", .integer(0...1000), default: 1)
    let tags = s.field("tags", .array(.string(maxLength: 10), maxItems: 5))
    let ratio = s.optional("ratio", .number(minimum: 0, maximum: 1))
    return { values in FuzzInput(name: values[name], count: values[count], tags: values[tags], ratio: values[ratio]) }
}

/// Schema decoding of JSON and of query pairs: any input is a value or a list of problems, never a crash; a
/// decoded value satisfies its constraints.
func fuzzSchema(_ data: UnsafeRawBufferPointer) {
    do {
        let value = try fuzzSchema.decode(json: data)
        precondition((1...40).contains(value.name.count) && (0...1000).contains(value.count) && value.tags.count <= 5)
    } catch {
        precondition(!error.issues.isEmpty, "a rejection without a reason")
    }
    let pairs = QueryParameters(parsing: String(decoding: data, as: UTF8.self)).map { ($0.name, $0.value) }
    if let value = try? fuzzSchema.decode(pairs: pairs) {
        precondition((0...1000).contains(value.count))
    }
}

let signer = CookieSigner(keys: try! KeyRing(keys: [Array(repeating: 7, count: 32)]))

/// Signed values: nothing but a value this signer signed verifies, whatever bytes come in.
func fuzzSigned(_ data: UnsafeRawBufferPointer) {
    let text = String(decoding: data, as: UTF8.self)
    if let value = signer.verify(text, name: "session") {
        precondition(text.split(separator: ".").count == 3, "a value without payload, expiry and signature verified: \(value)")
    }
    let signed = signer.sign(text, name: "session", expiresIn: .seconds(60))
    precondition(signer.verify(signed, name: "session") == text, "a signed value did not verify")
    precondition(signer.verify(signed, name: "other") == nil, "a value verified under another name")
}

/// Any JSON value, through the public Decodable API only, so both decoders can be asked for it. Numbers as `Double`
/// only: integer decoding of numbers with fractions or exponents follows JSONDecoder's own rounding rules, which the
/// unit tests hold JSONReader to case by case.
indirect enum AnyJSON: Decodable, Equatable {
    case null, bool(Bool), double(Double), string(String), array([AnyJSON]), object([String: AnyJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([AnyJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: AnyJSON].self))
        }
    }
}

/// `JSONReader` agrees with Foundation's `JSONDecoder`: both accept with the same value, or both refuse.
func fuzzJSON(_ data: UnsafeRawBufferPointer) {
    let mine = try? JSONReader.decode(AnyJSON.self, fromBytes: data)
    // JSONDecoder itself overflows the stack on a few hundred nested containers (a debug build, this probe's
    // recursion): deep documents are JSONReader's alone (its depth limit has a test of its own).
    guard data.lazy.filter({ $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "{") }).count < 64 else { return }
    let theirs = try? JSONDecoder().decode(AnyJSON.self, from: Data(data))
    // Differences on purpose, where JSONDecoder is lax: it stops at a NUL byte and ignores what follows, and it
    // never validates a value it does not decode (the second of repeated keys). JSONReader refuses malformed JSON
    // anywhere; such a refusal stands when Foundation's eager parser also finds the document malformed.
    if mine == nil, theirs != nil {
        if data.contains(0) { return }
        if (try? JSONSerialization.jsonObject(with: Data(data), options: .fragmentsAllowed)) == nil { return }
    }
    // And where JSONDecoder is wrong: it refuses `0e5` (RFC 8259 allows it; JSONSerialization and JSONDecoder's own
    // `0e+1` agree). An acceptance stands when Foundation's eager parser accepts the document too.
    if mine != nil, theirs == nil, (try? JSONSerialization.jsonObject(with: Data(data), options: .fragmentsAllowed)) != nil {
        return
    }
    precondition(mine == theirs, "JSONReader \(String(describing: mine)) vs JSONDecoder \(String(describing: theirs))")
}

/// `multipart/form-data` bodies (boundary `B`): any bytes are a form or a 400/413, never a crash, and the outcome
/// does not depend on where the body is cut into chunks (the first input byte chooses the cut).
func fuzzMultipart(_ data: UnsafeRawBufferPointer) {
    let bytes = Array(data)
    func outcome(_ pieces: [ArraySlice<UInt8>]) -> String {
        var limits = MultipartLimits(maxParts: 8, maxPartHeaderBytes: 200, maxFieldBytes: 64, maxFileBytes: 256)
        limits.memoryThreshold = .max
        let reader = MultipartReader(boundary: "B", limits: limits)
        do {
            for piece in pieces { try reader.parse(ByteBuffer(bytes: piece)) }
            try reader.checkEnd()
            let form = reader.form
            precondition(form.fields.count + form.files.count <= limits.maxParts, "more parts than the limit")
            precondition(form.files.allSatisfy { $0.size <= limits.maxFileBytes && !($0.filename ?? "").contains("/") })
            return form.fields.map { "\($0.name)=\($0.value)" }.joined(separator: "&") + "|"
                + form.files.map { "\($0.fieldName):\($0.filename ?? "-"):\($0.size)" }.joined(separator: ",")
        } catch let error as HTTPError {
            precondition([400, 413].contains(error.status.code), "unexpected status \(error.status.code)")
            return "error \(error.status.code)"
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }
    let whole = outcome([bytes[...]])
    let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    let split = outcome([bytes[..<cut], bytes[cut...]])
    precondition(whole == split, "chunking changed the outcome: \(whole) vs \(split)")
}

/// CORS origins: any text is a pattern or not, never a crash; an exact origin that parses matches itself.
func fuzzOrigin(_ data: UnsafeRawBufferPointer) {
    let text = String(decoding: data, as: UTF8.self)
    for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
        guard let pattern = OriginPattern(line) else { continue }
        if !line.contains("*") { precondition(pattern.matches(line), "\(line) does not match itself") }
        precondition(!pattern.matches("null"))
    }
}

/// Upstream URLs and the redirect listener's Host check: any text parses or is refused, never a crash; a parsed URL
/// has a scheme, a port in range and a base path without a trailing `/`, and its own rendering parses to the same;
/// an accepted Host names nothing but a host (no path, user, query or space).
func fuzzAddress(_ data: UnsafeRawBufferPointer) {
    let text = String(decoding: data, as: UTF8.self)
    if let url = try? UpstreamURL(text) {
        precondition(url.scheme == "http" || url.scheme == "https")
        precondition((1...65535).contains(url.port), "port \(url.port) out of range")
        precondition(!url.basePath.hasSuffix("/"))
        if !url.basePath.contains("?") {
            let again = try? UpstreamURL(url.description)
            precondition(again == url, "\(url) did not parse back to itself")
        }
    }
    if let host = HTTPSRedirect.host(of: text) {
        precondition(!host.isEmpty)
        precondition(!host.contains { "/?#@ \\\r\n\t".contains($0) }, "host \(host) kept a separator")
    }
}

/// Field values with grammars of their own: `Content-Type` (``MediaType``, what picks a multipart boundary) and W3C
/// trace context. Any text parses or is refused, never a crash; a media type written back from what was read parses
/// to the same; a kept `traceparent` is 55 characters; a kept `tracestate` is within 32 members and 512 characters,
/// each member valid, and the rules kept on it change nothing (one line of the input per `tracestate` field).
func fuzzFields(_ data: UnsafeRawBufferPointer) {
    let text = String(decoding: data, as: UTF8.self)
    if let type = try? MediaType(parsing: text) {
        precondition(type.essence == type.essence.lowercased() && type.essence.contains("/"))
        precondition(Set(type.parameters.map(\.name)).count == type.parameters.count, "a parameter kept twice")
        var written = type.essence
        for (name, value) in type.parameters {
            written +=
                "; \(name)=\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        let again = try? MediaType(parsing: written)
        precondition(again == type, "\(written) did not read back as \(type)")
    }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if let parent = TraceContextFields.traceparent([lines[0]]) {
        precondition(parent.utf8.count == 55 && TraceContextFields.traceparent([parent]) != nil)
    }
    if let state = TraceContextFields.tracestate(Array(lines.dropFirst()), traceparentValid: true) {
        let members = state.split(separator: ",", omittingEmptySubsequences: false)
        precondition(members.count <= TraceContextFields.maxMembers && state.utf8.count <= TraceContextFields.maxLength)
        precondition(TraceContextFields.tracestate([state], traceparentValid: true) == state, "the rules changed what they kept")
    }
}
