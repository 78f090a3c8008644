package import HTTPCore
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

extension ReverseProxy: FastPathCapable {
    package func makeFastPath(_ plan: FastPathPlan) -> (any HTTPFastPath)? {
        // A traced upstream needs the async path's task to carry the span's context.
        guard let upstream = self.transport as? Upstream, upstream.tracer == nil else { return nil }
        return ProxyFastPath(proxy: self, upstream: upstream, plan: plan)
    }
}

/// ``ReverseProxy`` on the event loop: a plain `GET` goes out on a warm pooled connection of the same loop,
/// its head written as bytes by the async path's header rules (``ForwardingRules``), and the response is
/// scanned (``ResponseScanner``) and forwarded as the bytes that came, its head rewritten — no task, no
/// `HTTPFields`, no `Response`, no HTTP codec on the upstream side. Whatever it cannot finish
/// cleanly goes back to the async path before a byte was answered: no warm connection, or a first try that
/// failed before the response head (counted as that try, see ``FastPathFallback``). Once the head is out, an
/// upstream failure cuts the client connection, as on the async path.
final class ProxyFastPath: HTTPFastPath {
    let proxy: ReverseProxy
    let upstream: Upstream
    let plan: FastPathPlan
    let timeouts: ExchangeTimeouts

    init(proxy: ReverseProxy, upstream: Upstream, plan: FastPathPlan) {
        self.proxy = proxy
        self.upstream = upstream
        self.plan = plan
        self.timeouts = upstream.configuration.exchangeTimeouts
    }

    func take(_ head: HTTPRequestHead, path: Substring, connection: FastPathConnection) -> Bool {
        for leaves in self.plan.leavesToAsyncPath where leaves(head) { return false }
        let index = self.upstream.choose(excluding: [])
        let server = self.upstream.servers[index]
        guard let upstreamConnection = server.pool.leaseIdle(on: connection.eventLoop) else {
            // No warm connection on this loop: the async path connects one (to the server chosen here).
            connection.fallBack(head, handOff: FastPathFallback(upstream: ObjectIdentifier(self.upstream), server: index))
            return true
        }

        self.upstream.fastPathCounter.add(1, ordering: .relaxed)
        // An id when the request-id middleware or an access log is in the stack, chosen as they choose it (the
        // access log resolves one itself when it runs first); only the request-id middleware answers it.
        var requestID: String?
        if self.plan.requestIDs != nil || !self.plan.accessLogLevels.isEmpty {
            let maxLength = self.plan.requestIDs?.maxLength ?? RequestIDMiddleware.defaultMaxLength
            // The array of every value only when there is one at all (clients rarely send an id).
            let sent = head.headers.first(name: "x-request-id") != nil
            requestID =
                sent ? RequestIDMiddleware.id(for: head.headers["x-request-id"], maxLength: maxLength) : RequestIDMiddleware.generate()
        }
        let authority = head.headers.first(name: "host")
        let hostOverride: String? =
            switch self.proxy.configuration.host.kind {
            case .preserve: nil
            case .upstream: server.url.authority
            case .fixed(let host): host
            }
        let query = head.uri.firstIndex(of: "?").map { head.uri[$0...] } ?? ""
        var writer = RequestHeadWriter(
            method: head.method.rawValue,
            target: server.url.basePath + path + query,
            fields: head.headers.count,
            hostOverride: hostOverride
        )
        ForwardingRules.upstreamRequest(
            head.headers,
            into: &writer,
            peer: connection.clientAddress,
            authority: authority,
            requestID: requestID,
            secure: connection.isSecure,
            configuration: self.proxy.configuration
        )
        let request = writer.finish()

        let exchange = ProxyFastExchange(
            path: self,
            server: index,
            upstreamConnection: upstreamConnection,
            client: connection,
            clientHead: head,
            authority: authority,
            requestID: requestID,
            answersRequestID: self.plan.requestIDs != nil
        )
        guard upstreamConnection.handler.value.startForwarding(request, timeouts: self.timeouts, to: exchange) else {
            server.pool.release(upstreamConnection, reusable: false)
            return false
        }
        connection.observe(exchange)
        connection.metrics?.requestStarted()
        return true
    }
}

/// One request on the fast path, from the request head to the end of the response; lives on the loop.
final class ProxyFastExchange: UpstreamSink, FastPathObserver {
    private let path: ProxyFastPath
    private let server: Int
    private let upstreamConnection: UpstreamConnection
    private let client: FastPathConnection
    private let clientHead: HTTPRequestHead
    private let authority: String?
    private let requestID: String?
    /// The route template the router matched (for metrics).
    private let route: String?
    /// Whether the client's response carries ``requestID`` (the request-id middleware is in the stack).
    private let answersRequestID: Bool
    private let start: ContinuousClock.Instant
    private var status = 0
    /// From sending the request to the upstream's response head.
    private var upstreamTime: Duration?
    private var bytes = 0
    private var headSent = false
    private var done = false
    /// The upstream's body ends with its connection: it is passed on in chunks.
    private var rechunk = false

    init(
        path: ProxyFastPath,
        server: Int,
        upstreamConnection: UpstreamConnection,
        client: FastPathConnection,
        clientHead: HTTPRequestHead,
        authority: String?,
        requestID: String?,
        answersRequestID: Bool
    ) {
        self.path = path
        self.server = server
        self.upstreamConnection = upstreamConnection
        self.client = client
        self.clientHead = clientHead
        self.authority = authority
        self.requestID = requestID
        self.answersRequestID = answersRequestID
        self.route = client.route
        self.start = .now
    }

    private var pool: ConnectionPool { self.path.upstream.servers[self.server].pool }

    // MARK: upstream → client

    func upstreamHead(_ head: ResponseScanner.Head) {
        guard !self.done else { return }
        self.status = head.status
        self.headSent = true
        self.upstreamTime = .now - self.start
        self.path.upstream.recordDuration(self.path.upstream.servers[self.server], since: self.start, outcome: .status(head.status))
        // A body delimited by the upstream's close goes to the client chunked, as on the general path (and in
        // nginx): the client's connection need not end with the upstream's.
        self.rechunk = head.framing == .close
        self.client.writeRaw(self.clientHead(for: head))
    }

    /// The upstream's head as the client gets it: its lines through the general path's rules
    /// (``ForwardingRules/clientResponse(_:into:redirects:authority:requestID:secure:keepingFraming:)``), with
    /// `Transfer-Encoding` kept (the body goes on as it came), then `Date` when missing and
    /// `Connection: close` when the connection ends after it.
    private func clientHead(for head: ResponseScanner.Head) -> ByteBuffer {
        var writer = ResponseHeadWriter(head)
        ForwardingRules.clientResponse(
            ResponseHeadFields(head: head),
            into: &writer,
            redirects: self.path.proxy,
            authority: self.authority,
            requestID: self.answersRequestID ? self.requestID : nil,
            secure: self.client.isSecure,
            keepingFraming: true
        ) { writer in
            // What the middleware around adds by its own rules (a compressor's `Vary`), read off the scanned head.
            guard !self.path.plan.responseFields.isEmpty else { return }
            let fields = ResponseHeadFields(head: head)
            for rule in self.path.plan.responseFields {
                if let field = rule(fields) { writer.add(field) }
            }
        }
        return writer.finish(
            addingDate: !head.lines.contains { $0.kind == .date },
            chunked: head.framing == .close,
            closing: !self.client.keepsAlive
        )
    }

    func upstreamBody(_ buffer: ByteBuffer) {
        guard !self.done, buffer.readableBytes > 0 else { return }
        self.bytes += buffer.readableBytes
        if self.rechunk {
            var size = ByteBuffer()
            size.writeString(String(buffer.readableBytes, radix: 16))
            size.writeStaticString("\r\n")
            self.client.writeRaw(size)
            self.client.writeRaw(buffer)
            self.client.writeRaw(ByteBuffer(staticString: "\r\n"))
        } else {
            self.client.writeRaw(buffer)
        }
        if !self.client.isWritable {
            // Pause before flushing: the flush may drain the socket and report writability at once.
            let upstream = self.upstreamConnection.handler.value
            upstream.pauseReads()
            self.client.flush()
            if self.client.isWritable { upstream.resumeReading() }
        }
    }

    func upstreamReadComplete() {
        guard !self.done, self.headSent else { return }
        self.client.flush()
    }

    func upstreamEnd(reusable: Bool) {
        guard !self.done else { return }
        self.done = true
        let server = self.path.upstream.servers[self.server]
        self.pool.release(self.upstreamConnection, reusable: reusable)
        server.recordSuccess()
        if self.rechunk { self.client.writeRaw(ByteBuffer(staticString: "0\r\n\r\n")) }
        self.client.end()
        self.log()
    }

    func upstreamFailed(_ error: UpstreamError, beforeHead: Bool) {
        guard !self.done else { return }
        self.done = true
        self.pool.release(self.upstreamConnection, reusable: false)
        if !self.headSent {
            self.path.upstream.recordDuration(
                self.path.upstream.servers[self.server],
                since: self.start,
                outcome: .failure(error.metricName)
            )
        }
        if beforeHead {
            // Nothing answered yet: the async path takes over, counting this as its first try.
            var head = self.clientHead
            if let requestID = self.requestID { head.headers.replaceOrAdd(name: HTTPField.Name.xRequestID.rawName, value: requestID) }
            let handOff = FastPathFallback(
                upstream: ObjectIdentifier(self.path.upstream),
                server: self.server,
                failure: FastPathFallback.Failure(error: error, isRetryable: error.isRetryable)
            )
            self.client.metrics?.requestHandedBack()
            self.client.fallBack(head, handOff: handOff)
            return
        }
        self.path.upstream.recordFailure(self.path.upstream.servers[self.server])
        self.client.logger.error("Upstream request failed", metadata: ["error": "\(error)", "path": "\(self.clientHead.uri)"])
        self.client.abort()
        self.log()
    }

    // MARK: client

    func clientBecameWritable() {
        guard !self.done else { return }
        self.upstreamConnection.handler.value.resumeReading()
    }

    func clientClosed() {
        guard !self.done else { return }
        self.done = true
        // The upstream is mid-response: its connection cannot serve anyone else.
        self.pool.release(self.upstreamConnection, reusable: false)
        self.log()
    }

    /// The response ended (or was cut): metrics and the access-log lines, as the async path records them.
    private func log() {
        self.client.metrics?.requestEnded(method: "GET", status: self.status, route: self.route, since: self.start)
        let levels = self.path.plan.accessLogLevels
        guard !levels.isEmpty else { return }
        let logger = self.client.logger
        let uri = self.clientHead.uri
        let path = uri.firstIndex(of: "?").map { String(uri[..<$0]) } ?? uri
        let address = self.path.upstream.servers[self.server].address
        let upstreams = self.upstreamTime.map { [RequestRecord.UpstreamAttempt(address: address, duration: $0)] } ?? []
        let client = self.client.clientAddress(forwardedFor: self.clientHead.headers["x-forwarded-for"])
        for level in levels where logger.logLevel <= level {
            AccessLogMiddleware.log(
                to: logger,
                level: level,
                method: "GET",
                path: path,
                route: self.route,
                status: self.status,
                bytes: self.bytes,
                requestID: self.requestID,
                traceID: nil,
                client: client,
                userAgent: self.clientHead.headers.first(name: "user-agent"),
                upstreams: upstreams,
                since: self.start
            )
        }
    }
}

/// The upstream request head as bytes, written as the forwarding rules produce its fields: no `HTTPHeaders`
/// in between. Several `Cookie` fields become one (RFC 6265 §5.4), as on the general path; a `Host` policy
/// other than `.preserve` replaces the client's.
struct RequestHeadWriter: ForwardedFieldWriter {
    private var buffer: ByteBuffer
    private let hostOverride: String?
    private var cookies: [String] = []
    /// The first `Cookie` field's name as sent: the merged field goes where it stood, spelt as it was.
    private var cookieName = "Cookie"
    /// The fields after the first `Cookie`, written once the merged field is.
    private var afterCookies: ByteBuffer?

    init(method: String, target: String, fields: Int, hostOverride: String?) {
        self.buffer = ByteBufferAllocator().buffer(capacity: 64 + target.utf8.count + (fields + 6) * 48)
        self.hostOverride = hostOverride
        self.buffer.writeString(method)
        self.buffer.writeInteger(UInt8(ascii: " "))
        self.buffer.writeString(target)
        self.buffer.writeStaticString(" HTTP/1.1\r\n")
    }

    mutating func append(_ field: (name: String, value: String)) {
        var name = field.name
        let special: UInt8 = name.withUTF8 { bytes in
            if bytes.count == 6 && equalsIgnoringASCIICase(bytes, "cookie") { return 1 }
            if bytes.count == 4 && equalsIgnoringASCIICase(bytes, "host") { return 2 }
            return 0
        }
        if special == 1 {
            if self.cookies.isEmpty {
                self.cookieName = field.name
                self.afterCookies = ByteBufferAllocator().buffer(capacity: 256)
            }
            self.cookies.append(field.value)
            return
        }
        if special == 2 && self.hostOverride != nil { return }
        self.write(name, field.value)
    }

    mutating func append(_ name: ProxyHeader, _ value: String) {
        self.write(name.nio, value)
    }

    private mutating func write(_ name: String, _ value: String) {
        if self.afterCookies != nil {
            self.afterCookies!.writeHeaderField(name, value)
        } else {
            self.buffer.writeHeaderField(name, value)
        }
    }

    /// The finished head, empty line included.
    mutating func finish() -> ByteBuffer {
        if let host = self.hostOverride { self.write("host", host) }
        if var after = self.afterCookies {
            self.buffer.writeHeaderField(self.cookieName, self.cookies.count == 1 ? self.cookies[0] : self.cookies.joined(separator: "; "))
            self.buffer.writeBuffer(&after)
        }
        self.buffer.writeStaticString("\r\n")
        return self.buffer
    }
}

/// The header lines of a scanned response head, as fields the forwarding rules read (names and values
/// become strings only when a rule needs them).
struct ResponseHeadFields: ForwardedFields {
    struct Field {
        let line: ResponseScanner.Line
        /// The head's bytes, which the line's ranges point into.
        let bytes: ByteBuffer

        func string(_ range: Range<Int>) -> String {
            self.bytes.getString(at: self.bytes.readerIndex + range.lowerBound, length: range.count) ?? ""
        }
    }

    let head: ResponseScanner.Head

    func makeIterator() -> some IteratorProtocol<Field> {
        self.head.lines.lazy.map { [bytes = self.head.bytes] in Field(line: $0, bytes: bytes) }.makeIterator()
    }

    static func name(of field: Field) -> String { field.string(field.line.name) }
    static func value(of field: Field) -> String { field.string(field.line.value) }
    static func kind(of field: Field) -> ForwardingRules.Kind { field.line.kind }
}

extension ResponseHeadFields: FastPathResponseHead {
    var status: Int { self.head.status }

    func values(of name: HTTPField.Name) -> [String] {
        let wanted = name.canonicalName.utf8
        var values: [String] = []
        let bytes = self.head.bytes
        for line in self.head.lines where line.name.count == wanted.count {
            let matches = bytes.withUnsafeReadableBytes { raw in
                zip(raw[line.name], wanted).allSatisfy { byte, lower in
                    (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte) == lower
                }
            }
            if matches { values.append(Field(line: line, bytes: bytes).string(line.value)) }
        }
        return values
    }
}

/// The client's response head as bytes: the upstream's status line (as HTTP/1.1), the lines the rules keep,
/// copied as they came, and the fields they add.
struct ResponseHeadWriter: ForwardedFieldWriter {
    private var buffer: ByteBuffer
    /// 1xx, 204, 304: framing fields are dropped, as NIO's encoder drops them on the general path.
    private let bodyless: Bool

    init(_ head: ResponseScanner.Head) {
        let bytes = head.bytes
        self.bodyless = ResponseFraming.hasNoContent(status: head.status)
        self.buffer = ByteBufferAllocator().buffer(capacity: bytes.readableBytes + 128)
        // The client asked in 1.1. The upstream's reason phrase is not passed on: NIO's parser drops it on the
        // general path and the standard phrase for the code goes out, so the same goes out here (and no byte
        // of a malformed phrase can reach the client).
        self.buffer.writeStaticString("HTTP/1.1 ")
        self.buffer.writeString(String(head.status))
        self.buffer.writeStaticString(" ")
        self.buffer.writeString(HTTPResponseStatus(statusCode: head.status).reasonPhrase)
        self.buffer.writeStaticString("\r\n")
    }

    mutating func append(_ field: ResponseHeadFields.Field) {
        if self.bodyless && (field.line.kind == .contentLength || field.line.kind == .transferEncoding) { return }
        self.buffer.writeBytes(field.bytes.readableBytesView.dropFirst(field.line.range.lowerBound).prefix(field.line.range.count))
    }

    mutating func append(_ name: ProxyHeader, _ value: String) {
        self.buffer.writeHeaderField(name.nio, value)
    }

    /// A field a middleware's rule adds (``FastPathPlan/responseFields``).
    mutating func add(_ field: HTTPField) {
        self.buffer.writeHeaderField(field.name.rawName, field.value)
    }

    /// The finished head, empty line included.
    mutating func finish(addingDate: Bool, chunked: Bool, closing: Bool) -> ByteBuffer {
        if addingDate { self.buffer.writeHeaderField("date", HTTPDate.now()) }
        if chunked { self.buffer.writeHeaderField("transfer-encoding", "chunked") }
        if closing { self.buffer.writeHeaderField("connection", "close") }
        self.buffer.writeStaticString("\r\n")
        return self.buffer
    }
}

extension ByteBuffer {
    /// Writes `name: value` and CRLF.
    fileprivate mutating func writeHeaderField(_ name: String, _ value: String) {
        self.writeString(name)
        self.writeStaticString(": ")
        self.writeString(value)
        self.writeStaticString("\r\n")
    }
}
