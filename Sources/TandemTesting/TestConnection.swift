public import HTTPCore
public import NIOCore
import NIOEmbedded

/// One server connection without a socket: the server's own pipeline (request decoder, timeouts, connection
/// handler, fast path) and handler chain on a `NIOAsyncTestingChannel`, whose clock moves only when the test says.
///
/// Timing cases — the request-head, body and idle timeouts, a handler slower than its client — become deterministic:
/// ``advanceTime(by:)`` moves the connection's clock, and nothing depends on how loaded the machine is.
///
/// ```swift
/// var configuration = HTTPServer<TrieRouter>.Configuration()
/// configuration.requestBodyTimeout = .seconds(30)
/// try await TestConnection.with(router, configuration: configuration) { connection in
///     try await connection.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n01234")
///     await connection.advanceTime(by: .seconds(31))
///     #expect(try await connection.received { $0.contains("\r\n\r\n") }.hasPrefix("HTTP/1.1 408"))
///     #expect(try await connection.closes())
/// }
/// ```
public struct TestConnection: Sendable {
    let channel: NIOAsyncTestingChannel
    private let output = ChannelOutput()

    /// Runs `body` with a connection to a server of `handler` and `configuration` (its address and port unused),
    /// then closes it and waits until the server has finished with it.
    public static func with<Handler: HTTPHandler, Result: Sendable>(
        _ handler: Handler,
        configuration: HTTPServer<Handler>.Configuration = .init(),
        errorRenderer: any ErrorRenderer = PlainTextErrorRenderer(),
        _ body: (TestConnection) async throws -> Result
    ) async throws -> Result {
        let server = HTTPServer(handler: handler, configuration: configuration, errorRenderer: errorRenderer)
        let channel = NIOAsyncTestingChannel()
        // The pipeline first, then the connection becomes active: as the server accepts one.
        let served = try await channel.testingEventLoop.executeInContext { try server.connection(onUnacceptedChannel: channel) }
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40_000))
        let connection = TestConnection(channel: channel)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await server.serve(served) }
            // The loop runs what is due now — the connection task's jobs, which it enqueues on itself — as a real
            // loop would; only its clock waits for the test (timers fire in ``advanceTime(by:)``).
            let loop = channel.testingEventLoop
            group.addTask { await loop.runDueTasksUntilCancelled() }
            // Whatever `body` did, the connection closes and its task ends (a handler still waiting is cancelled).
            defer { group.cancelAll() }
            do {
                let result = try await body(connection)
                try? await channel.close()
                return result
            } catch {
                try? await channel.close()
                throw error
            }
        }
    }

    /// Sends bytes from the client.
    public func send(_ text: String) async throws {
        try await self.send(ByteBuffer(string: text))
    }

    /// Sends bytes from the client.
    public func send(_ bytes: ByteBuffer) async throws {
        try await self.channel.writeInbound(bytes)
    }

    /// The client closes its sending side (a half-close); the server may still answer.
    public func closeInput() async {
        self.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        await self.channel.testingEventLoop.run()
    }

    /// Moves the connection's clock forward, running every timer that falls due on the way.
    public func advanceTime(by duration: Duration) async {
        await self.channel.testingEventLoop.advanceTime(by: TimeAmount(duration))
    }

    /// Everything the server has written so far, once `complete` says it is enough (polled with a deadline of
    /// `timeout` in real time, for the connection's task to run; the connection's clock does not move).
    /// - Throws: ``TestConnectionError/timedOut(received:)`` when it never is.
    public func received(
        within timeout: Duration = .seconds(20),
        until complete: (String) -> Bool = { !$0.isEmpty }
    ) async throws
        -> String
    {
        switch try await self.output.poll(self.channel, within: timeout, runningLoop: true, until: complete) {
        case .complete(let text): return text
        case .timedOut(let text): throw TestConnectionError.timedOut(received: text)
        case .fileRegion: throw TestConnectionError.fileRegion
        }
    }

    /// Whether the server closes the connection within `timeout` (real time; the connection's clock does not move).
    public func closes(within timeout: Duration = .seconds(20)) async throws -> Bool {
        try await eventually(timeout: timeout) {
            await self.channel.testingEventLoop.run()
            return !self.channel.isActive
        }
    }

    /// Whether the connection is still open.
    public var isOpen: Bool { self.channel.isActive }
}

/// Why a ``TestConnection`` could not give what was asked.
public enum TestConnectionError: Error, CustomStringConvertible {
    /// The server did not write what was awaited in time; `received` is what it wrote.
    case timedOut(received: String)
    /// The server wrote a file region, which a test connection cannot read.
    case fileRegion

    public var description: String {
        switch self {
        case .timedOut(let received): "the server did not answer as awaited; it wrote: \(received.debugDescription)"
        case .fileRegion: "the server wrote a file region"
        }
    }
}
