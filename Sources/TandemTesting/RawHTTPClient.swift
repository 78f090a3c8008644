import Foundation
import HTTPCore
public import NIOCore
import NIOPosix
import Synchronization

/// A deliberately dumb HTTP/1.1 client over a raw TCP socket, for tests that must control every byte:
/// pipelining, malformed input, trickling, half-closed connections.
///
/// ```swift
/// let client = try await RawHTTPClient.connect(port: port)
/// try await client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
/// let response = try await client.readResponse()
/// #expect(response.status == 200)
/// ```
public final class RawHTTPClient {
    private let channel: any Channel
    private var inbound: AsyncStream<ByteBuffer>.AsyncIterator
    private var buffer = ByteBuffer()
    private var sawEOF = false
    /// Off after `setReading(false)`: each wait for bytes then asks the socket for one read, so the client
    /// takes no more than the test asks for and the server meets back-pressure.
    private var autoReading = true

    private init(channel: any Channel, inbound: AsyncStream<ByteBuffer>) {
        self.channel = channel
        self.inbound = inbound.makeAsyncIterator()
    }

    /// Connects to `host:port`.
    public static func connect(host: String = "127.0.0.1", port: Int) async throws -> RawHTTPClient {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(StreamingHandler(continuation: continuation))
                }
            }
            .connect(host: host, port: port).get()
        return RawHTTPClient(channel: channel, inbound: stream)
    }

    /// Connects, sends `raw`, reads one response and closes: the common one-request test.
    public static func roundTrip(port: Int, _ raw: String, timeout: Duration = .seconds(10)) async throws -> RawHTTPResponse {
        let client = try await RawHTTPClient.connect(port: port)
        try await client.send(raw)
        let response = try await client.readResponse(timeout: timeout)
        await client.close()
        return response
    }

    /// Sends raw bytes.
    public func send(_ text: String) async throws {
        try await self.channel.writeAndFlush(ByteBuffer(string: text))
    }

    /// Sends raw bytes.
    public func send(_ bytes: ByteBuffer) async throws {
        try await self.channel.writeAndFlush(bytes)
    }

    /// Sends raw bytes and waits at most `timeout` for the kernel to take them all: `false` when it did not in
    /// time, which means the server stopped reading (the bytes still go out if it reads again).
    public func send(_ bytes: ByteBuffer, within timeout: Duration) async -> Bool {
        let channel = self.channel
        let (seconds, attoseconds) = timeout.components
        return await withCheckedContinuation { continuation in
            channel.eventLoop.execute {
                // Both callbacks run on the channel's loop: the flag needs no lock.
                let settled = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
                let settle: @Sendable (Bool) -> Void = { sent in
                    guard !settled.value else { return }
                    settled.value = true
                    continuation.resume(returning: sent)
                }
                let watchdog = channel.eventLoop.scheduleTask(in: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)) {
                    settle(false)
                }
                channel.writeAndFlush(bytes).whenComplete { result in
                    watchdog.cancel()
                    if case .success = result { settle(true) } else { settle(false) }
                }
            }
        }
    }

    /// Stops reading, then pipelines `request` in batches of 20, each batch once `answered()` has caught up with
    /// all sent so far; stops when it does not catch up within 3 s (the server stopped answering) or after `limit`.
    /// - Returns: how many requests were sent (all of them answered once the client reads again).
    public func pipelineWithoutReading(_ request: String, limit: Int = 20_000, answered: () -> Int) async throws -> Int {
        try await self.setReading(false)
        let batch = String(repeating: request, count: 20)
        var sent = 0
        while sent < limit {
            try await self.send(batch)
            sent += 20
            let deadline = ContinuousClock.now + .seconds(3)
            while answered() < sent && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            if answered() < sent { break }
        }
        return sent
    }

    /// Closes the sending side (TCP half-close).
    public func finishSending() async throws {
        try await self.channel.close(mode: .output)
    }

    /// Closes the connection.
    public func close() async {
        try? await self.channel.close()
    }

    /// Reads one response; for a HEAD request pass `bodyless: true`.
    /// - Throws: ``RawHTTPClientError`` on a timeout or when the server closes first.
    public func readResponse(bodyless: Bool = false, timeout: Duration = .seconds(10)) async throws -> RawHTTPResponse {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let response = try RawHTTPResponse.parse(&self.buffer, bodyless: bodyless, complete: self.sawEOF) {
                return response
            }
            guard !self.sawEOF else { throw RawHTTPClientError.closedBeforeResponse(received: String(buffer: self.buffer)) }
            try await self.readMore(until: deadline)
        }
    }

    /// Stops (or resumes) reading from the socket, so the server sees a slow client.
    public func setReading(_ reading: Bool) async throws {
        try await self.channel.setOption(ChannelOptions.autoRead, value: reading).get()
        self.autoReading = reading
        if reading { self.channel.read() }
    }

    /// Reads a response head and then `Content-Length` body bytes, counting and discarding them
    /// (for bodies too large to keep).
    /// - Returns: the status and the number of body bytes received.
    public func drainResponse(timeout: Duration = .seconds(60)) async throws -> (status: Int, bodyBytes: Int) {
        let deadline = ContinuousClock.now + timeout
        var headEnd: Int?
        while headEnd == nil {
            headEnd = self.buffer.readableBytesView.firstRange(of: [13, 10, 13, 10]).map {
                $0.upperBound - self.buffer.readableBytesView.startIndex
            }
            if headEnd == nil { try await self.readMore(until: deadline) }
        }
        guard let head = self.buffer.readString(length: headEnd!) else { throw RawHTTPClientError.timedOut(received: "") }
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        let lengthLine = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
        let length = lengthLine.flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        var received = 0
        while received < length {
            if self.buffer.readableBytes == 0 {
                guard !self.sawEOF else { break }
                try await self.readMore(until: deadline)
            }
            let take = min(self.buffer.readableBytes, length - received)
            self.buffer.moveReaderIndex(forwardBy: take)
            received += take
            self.buffer.discardReadBytes()
        }
        return (status, received)
    }

    /// Reads exactly `count` raw bytes (after an upgrade, say).
    public func readBytes(count: Int, timeout: Duration = .seconds(10)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while self.buffer.readableBytes < count {
            guard !self.sawEOF else { throw RawHTTPClientError.closedBeforeResponse(received: String(buffer: self.buffer)) }
            try await self.readMore(until: deadline)
        }
        return self.buffer.readString(length: count)!
    }

    /// Reads until the server closes the connection and returns everything unread.
    public func readUntilClosed(timeout: Duration = .seconds(10)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while !self.sawEOF {
            try await self.readMore(until: deadline)
        }
        let text = String(buffer: self.buffer)
        self.buffer.clear()
        return text
    }

    /// Whether the server closed the connection within `timeout`.
    public func isClosedByServer(within timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !self.sawEOF {
            do { try await self.readMore(until: deadline) } catch { return false }
        }
        return true
    }

    /// Waits for the next bytes; a deadline closes the channel, which ends the stream.
    private func readMore(until deadline: ContinuousClock.Instant) async throws {
        let remaining = ContinuousClock.now.duration(to: deadline)
        let timedOut = Mutex(false)
        let channel = self.channel
        let (seconds, attoseconds) = remaining.components
        let watchdog = channel.eventLoop.scheduleTask(in: .nanoseconds(max(0, seconds * 1_000_000_000 + attoseconds / 1_000_000_000))) {
            timedOut.withLock { $0 = true }
            channel.close(promise: nil)
        }
        if !self.autoReading { channel.read() }
        let next = await self.inbound.next()
        watchdog.cancel()
        if var bytes = next {
            self.buffer.writeBuffer(&bytes)
        } else if timedOut.withLock({ $0 }) {
            throw RawHTTPClientError.timedOut(received: String(buffer: self.buffer))
        } else {
            self.sawEOF = true
        }
    }
}

/// Feeds received bytes into an `AsyncStream`; EOF or close finishes it.
private final class StreamingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let continuation: AsyncStream<ByteBuffer>.Continuation

    init(continuation: AsyncStream<ByteBuffer>.Continuation) {
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.continuation.yield(self.unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.continuation.finish()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            self.continuation.finish()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension RawHTTPClient: Sendable {}

/// Failures of ``RawHTTPClient``.
public enum RawHTTPClientError: Error, CustomStringConvertible {
    /// Nothing complete arrived before the deadline.
    case timedOut(received: String)
    /// The server closed the connection before a complete response.
    case closedBeforeResponse(received: String)

    public var description: String {
        switch self {
        case .timedOut(let received): "timed out; received so far: \(received.debugDescription)"
        case .closedBeforeResponse(let received): "closed before a full response; received: \(received.debugDescription)"
        }
    }
}

/// A parsed HTTP/1.1 response.
public struct RawHTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// The header fields in order, names lowercased.
    public var headers: [(name: String, value: String)]
    /// The body bytes (de-chunked).
    public var body: [UInt8]
    /// The status line and header lines as they came (spelling and order kept), without the blank line.
    public var rawHead: String = ""

    /// The body as UTF-8 text.
    public var text: String { String(decoding: self.body, as: UTF8.self) }

    /// The first value of the header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let name = name.lowercased()
        return self.headers.first { $0.name == name }?.value
    }

    /// Every value of the header `name`.
    public func headers(_ name: String) -> [String] {
        let name = name.lowercased()
        return self.headers.filter { $0.name == name }.map(\.value)
    }

    /// Parses one response from the front of `buffer`, consuming it; `nil` when more bytes are needed.
    static func parse(_ buffer: inout ByteBuffer, bodyless: Bool, complete: Bool) throws -> RawHTTPResponse? {
        let bytes = Array(buffer.readableBytesView)
        guard let headEnd = bytes.firstRange(of: [13, 10, 13, 10]) else { return nil }
        let headText = String(decoding: bytes[..<headEnd.lowerBound], as: UTF8.self)
        var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { throw RawHTTPClientError.closedBeforeResponse(received: headText) }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingOWS))
        }
        var response = RawHTTPResponse(status: status, headers: headers, body: [], rawHead: headText)
        var cursor = headEnd.upperBound
        if bodyless || status < 200 || status == 204 || status == 304 {
            // nothing
        } else if response.header("transfer-encoding")?.lowercased().contains("chunked") == true {
            var body: [UInt8] = []
            while true {
                guard let lineEnd = bytes[cursor...].firstRange(of: [13, 10]) else { return nil }
                let sizeText = String(decoding: bytes[cursor..<lineEnd.lowerBound], as: UTF8.self)
                guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else {
                    throw RawHTTPClientError.closedBeforeResponse(received: sizeText)
                }
                cursor = lineEnd.upperBound
                if size == 0 {
                    guard let trailerEnd = bytes[cursor...].firstRange(of: [13, 10]) else { return nil }
                    cursor = trailerEnd.upperBound
                    break
                }
                guard bytes.count >= cursor + size + 2 else { return nil }
                body.append(contentsOf: bytes[cursor..<(cursor + size)])
                cursor += size + 2
            }
            response.body = body
        } else if let length = response.header("content-length").flatMap({ Int($0) }) {
            guard bytes.count >= cursor + length else { return nil }
            response.body = Array(bytes[cursor..<(cursor + length)])
            cursor += length
        } else {
            // Close-delimited.
            guard complete else { return nil }
            response.body = Array(bytes[cursor...])
            cursor = bytes.count
        }
        buffer.moveReaderIndex(forwardBy: cursor)
        return response
    }
}
