import NIOCore
import NIOPosix
import Synchronization

/// A TCP server on 127.0.0.1 that answers each connection's bytes as a script says: for upstream
/// failures an HTTP server would never produce on purpose (closing before answering, hanging, dying
/// mid-body).
///
/// ```swift
/// let upstream = try await ScriptedUpstream { connection, received in
///     connection == 0 ? .close : .respond("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
/// }
/// ```
public final class ScriptedUpstream: Sendable {
    /// What to do with the bytes received so far on a connection.
    public enum Action: Sendable {
        /// Wait for more bytes.
        case wait
        /// Send these bytes (and keep the connection open).
        case respond(String)
        /// Send these bytes, then close.
        case respondAndClose(String)
        /// Close without sending anything.
        case close
        /// Never answer.
        case hang
    }

    /// The port it listens on.
    public let port: Int
    private let channel: any Channel
    private let log = RequestLog()

    /// Every request text answered so far (one entry per answer), in order.
    public var received: [String] { self.log.entries.withLock { $0 } }

    /// Starts the server; `script(connectionIndex, bytesReceivedOnThisConnectionSoFar)` decides.
    public init(_ script: @escaping @Sendable (_ connection: Int, _ received: String) -> Action) async throws {
        let counter = Atomic<Int>(0)
        let log = self.log
        self.channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let index = counter.wrappingAdd(1, ordering: .relaxed).oldValue
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ScriptHandler(index: index, script: script, log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.port = self.channel.localAddress!.port!
    }

    /// `http://127.0.0.1:PORT`.
    public var url: String { "http://127.0.0.1:\(self.port)" }

    /// Stops listening.
    public func close() async {
        try? await self.channel.close()
    }
}

private final class RequestLog: Sendable {
    let entries = Mutex<[String]>([])
}

private final class ScriptHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let index: Int
    let script: @Sendable (Int, String) -> ScriptedUpstream.Action
    let log: RequestLog
    var received = ""
    var done = false

    init(index: Int, script: @escaping @Sendable (Int, String) -> ScriptedUpstream.Action, log: RequestLog) {
        self.index = index
        self.script = script
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.done else { return }
        self.received += String(buffer: self.unwrapInboundIn(data))
        let action = self.script(self.index, self.received)
        if case .wait = action { return }
        let received = self.received
        self.log.entries.withLock { $0.append(received) }
        switch action {
        case .wait:
            break
        case .respond(let text):
            self.received = ""
            context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
        case .respondAndClose(let text):
            self.done = true
            let loopBound = context.loopBound
            context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: text))).whenComplete { _ in loopBound.value.close(promise: nil) }
        case .close:
            self.done = true
            context.close(promise: nil)
        case .hang:
            self.done = true
        }
    }
}
