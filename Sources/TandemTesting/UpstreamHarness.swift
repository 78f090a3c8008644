public import NIOCore
public import NIOEmbedded
public import ProxyClient
import Synchronization

/// Upstream servers without sockets, for the client side of the connection engine: a real ``Upstream`` (its pools,
/// connection handlers and timers) whose connections are `NIOAsyncTestingChannel`s on one testing loop. The test plays
/// the server on each (``UpstreamPeer``) and moves the loop's clock, which is also the pools' clock, when it says so.
/// With ``TestConnection`` in front (a `ReverseProxy` over the harness's upstream), both sides of a proxied exchange
/// run without a socket.
///
/// ```swift
/// try await UpstreamHarness.with { harness in
///     let api = try harness.upstream(.init(responseTimeout: .seconds(5)))
///     async let response = api.send(request, context: context)
///     let peer = try await harness.connection(0)
///     _ = try await peer.request()
///     await harness.advanceTime(by: .seconds(6))   // no answer: the response timeout fires
///     await #expect(throws: UpstreamError.self) { try await response }
/// }
/// ```
public final class UpstreamHarness: Sendable {
    /// The loop every harness connection runs on; `run()` it to let what is due now happen.
    public let loop: NIOAsyncTestingEventLoop
    private let peers = Mutex<[UpstreamPeer]>([])

    private init(loop: NIOAsyncTestingEventLoop) {
        self.loop = loop
    }

    /// Runs `body` with a harness whose loop runs what is due now (as a real loop would) until `body` returns; timers
    /// fire only in ``advanceTime(by:)``.
    public static func with<Result: Sendable>(_ body: (UpstreamHarness) async throws -> Result) async throws -> Result {
        let harness = UpstreamHarness(loop: NIOAsyncTestingEventLoop())
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let loop = harness.loop
            group.addTask { await loop.runDueTasksUntilCancelled() }
            defer { group.cancelAll() }
            let result = try await body(harness)
            for peer in harness.peers.withLock({ $0 }) { await peer.close() }
            return result
        }
    }

    /// An upstream of one server whose connections are opened on this harness.
    public func upstream(_ configuration: Upstream.Configuration = Upstream.Configuration()) throws -> Upstream {
        try Upstream(["http://upstream.test:8080"], configuration: configuration, eventLoopGroup: self.loop) { _ in
            let channel = NIOAsyncTestingChannel(loop: self.loop)
            let peer = UpstreamPeer(channel: channel)
            let reads = peer.reads
            // First in the pipeline, next to where the socket would be: it counts the reads that pass every handler.
            try await self.loop.executeInContext { try channel.pipeline.syncOperations.addHandler(ReadCounter(reads)) }
            try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080))
            self.peers.withLock { $0.append(peer) }
            return channel
        }
    }

    /// Connections opened so far.
    public var opened: Int { self.peers.withLock { $0.count } }

    /// The `index`th connection opened (from 0), once it has been (polled, with a deadline in real time).
    public func connection(_ index: Int, within timeout: Duration = .seconds(20)) async throws -> UpstreamPeer {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let peer = self.peers.withLock({ index < $0.count ? $0[index] : nil }) { return peer }
            guard ContinuousClock.now < deadline else { throw UpstreamHarnessError.noConnection(index) }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Moves the clock of the connections and the pools forward, running every timer that falls due on the way.
    public func advanceTime(by duration: Duration) async {
        await self.loop.advanceTime(by: TimeAmount(duration))
    }
}

/// The server's end of one harness connection: what the client wrote, and what the test answers.
public struct UpstreamPeer: Sendable {
    /// The connection's channel, for what the methods here do not cover (a `read()` asked of it, its pipeline).
    public let channel: NIOAsyncTestingChannel
    let reads = Counter()
    private let input = ChannelOutput()

    init(channel: NIOAsyncTestingChannel) {
        self.channel = channel
    }

    /// Everything the client has written, once `complete` says it is enough (polled, with a deadline in real time).
    public func request(
        within timeout: Duration = .seconds(20),
        until complete: (String) -> Bool = { $0.contains("\r\n\r\n") }
    ) async throws -> String {
        switch try await self.input.poll(self.channel, within: timeout, runningLoop: false, until: complete) {
        case .complete(let text): return text
        case .timedOut(let text): throw UpstreamHarnessError.timedOut(received: text)
        case .fileRegion: throw UpstreamHarnessError.fileRegion
        }
    }

    /// Forgets what the client wrote so far (the next ``request(within:until:)`` sees only what follows).
    public func clear() { self.input.clear() }

    /// Sends bytes from the server.
    public func respond(_ text: String) async throws {
        try await self.respond(ByteBuffer(string: text))
    }

    /// Sends bytes from the server.
    public func respond(_ bytes: ByteBuffer) async throws {
        try await self.channel.writeInbound(bytes)
    }

    /// The server closes the connection (the client sees it end).
    public func close() async {
        try? await self.channel.close()
    }

    /// Whether the client closes the connection within `timeout` (real time; the clock does not move).
    public func isClosed(within timeout: Duration = .seconds(20)) async throws -> Bool {
        try await eventually(timeout: timeout) { !self.channel.isActive }
    }

    /// Whether the connection is still open.
    public var isOpen: Bool { self.channel.isActive }

    /// How many reads the connection has passed down to its socket so far (a paused reader holds them back).
    public var readsAtSocket: Int { self.reads.count }
}

/// Why an ``UpstreamHarness`` could not give what was asked.
public enum UpstreamHarnessError: Error, CustomStringConvertible {
    /// The `index`th connection was not opened in time.
    case noConnection(Int)
    /// The client did not write what was awaited in time; `received` is what it wrote.
    case timedOut(received: String)
    /// The client wrote a file region, which a harness connection cannot read.
    case fileRegion

    public var description: String {
        switch self {
        case .noConnection(let index): "connection \(index) was not opened"
        case .timedOut(let received): "the client did not write what was awaited; it wrote: \(received.debugDescription)"
        case .fileRegion: "the client wrote a file region"
        }
    }
}

/// A count shared between a handler on the loop and the test.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func increment() { self.value.add(1, ordering: .relaxed) }
    var count: Int { self.value.load(ordering: .relaxed) }
}

/// Counts the reads that reach the front of the pipeline.
private final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = Any
    private let reads: Counter

    init(_ reads: Counter) { self.reads = reads }

    func read(context: ChannelHandlerContext) {
        self.reads.increment()
        context.read()
    }
}
