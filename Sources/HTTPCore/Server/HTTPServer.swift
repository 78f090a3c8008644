public import Logging
public import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
public import ServiceLifecycle
import Synchronization

/// An HTTP/1.1 server on SwiftNIO that answers every request with `handler`.
///
/// It is a `Service`: run it in a `ServiceGroup` and SIGTERM/SIGINT stop it gracefully — it stops accepting,
/// lets requests in flight finish, and closes idle keep-alive connections.
///
/// ```swift
/// let router = TrieRouter()
/// router.get("/hello") { _, _ in .text("Hello!") }
/// let server = HTTPServer(handler: router, configuration: .init(port: 8080))
/// let group = ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
public final class HTTPServer<Handler: HTTPHandler>: Service, Sendable {
    /// The handler answering requests.
    public let handler: Handler
    /// Address, limits and timeouts.
    public let configuration: Configuration
    /// Renders errors the server itself raises (413 before the handler runs) and errors that escape `handler`.
    public let errorRenderer: any ErrorRenderer
    /// The server's logger; each request's context starts with it.
    public let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    /// Serves what it can of the handler's requests on the event loop (see ``Configuration/eventLoopFastPath``).
    private let fastPath: (any HTTPFastPath)?
    /// Metrics, traces and the client-address rule (nothing is measured or traced without a backend).
    private let observability: ServerObservability
    private let state = Mutex(ListeningState())

    /// Creates a server; call ``run()`` (or add it to a `ServiceGroup`) to start it.
    /// - Parameters:
    ///   - handler: answers every request.
    ///   - configuration: address, limits and timeouts.
    ///   - errorRenderer: renders errors that are not handled inside `handler`.
    ///   - logger: the server's logger.
    ///   - eventLoopGroup: the NIO loops to run on; NIO's shared singleton group by default.
    public init(
        handler: Handler,
        configuration: Configuration = Configuration(),
        errorRenderer: any ErrorRenderer = PlainTextErrorRenderer(),
        logger: Logger = Logger(label: "tandem.http"),
        eventLoopGroup: (any EventLoopGroup)? = nil
    ) {
        self.handler = handler
        self.configuration = configuration
        self.errorRenderer = errorRenderer
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        self.observability = ServerObservability(configuration)
        // The fast path has no task to carry a span's context: with a tracer every request takes the async path.
        let fastPathOn = configuration.eventLoopFastPath && self.observability.tracing == nil
        self.fastPath = fastPathOn ? (handler as? any FastPathCapable)?.makeFastPath(FastPathPlan()) : nil
    }

    /// Whether some requests are served on the event loop (see ``Configuration/eventLoopFastPath``).
    package var hasEventLoopFastPath: Bool { self.fastPath != nil }

    /// Creates a server on `host:port`.
    public convenience init(host: String = "127.0.0.1", port: Int, handler: Handler) {
        self.init(handler: handler, configuration: Configuration(host: host, port: port))
    }

    /// The address the server listens on, once bound (with port 0, the port the system picked).
    /// - Throws: when binding failed or the server stopped before it was bound.
    public func listeningAddress() async throws -> SocketAddress {
        try await withCheckedThrowingContinuation { continuation in
            let result: Result<SocketAddress, any Error>? = self.state.withLock { state in
                switch state.phase {
                case .notStarted:
                    state.waiters.append(continuation)
                    return nil
                case .listening(let address, _):
                    return .success(address)
                case .failed(let error):
                    return .failure(error)
                case .stopped:
                    return .failure(HTTPServerError.notRunning)
                }
            }
            if let result { continuation.resume(with: result) }
        }
    }

    /// Starts graceful shutdown without a signal: the same as a `ServiceGroup` shutting down.
    public func shutdownGracefully() {
        let quiesce: ServerQuiescingHelper? = self.state.withLock { state in
            if case .listening(_, let quiesce) = state.phase { return quiesce }
            state.shutdownRequested = true
            return nil
        }
        quiesce?.initiateShutdown(promise: nil)
    }

    /// Binds, serves until shut down, and returns once every connection has closed.
    /// - Throws: when the address cannot be bound.
    public func run() async throws {
        let quiesce = ServerQuiescingHelper(group: self.eventLoopGroup)
        let serverChannel: NIOAsyncChannel<AcceptedConnection, Never>
        do {
            serverChannel = try await self.bind(quiesce: quiesce)
        } catch {
            self.finish(.failed(error))
            throw error
        }
        let address = serverChannel.channel.localAddress!
        let shutdownEarly = self.state.withLock { state in
            state.phase = .listening(address, quiesce)
            let waiters = state.waiters
            state.waiters = []
            for waiter in waiters { waiter.resume(returning: address) }
            return state.shutdownRequested
        }
        self.logger.info("Server listening", metadata: ["address": "\(address)", "scheme": "\(self.configuration.transport.scheme)"])
        if shutdownEarly { quiesce.initiateShutdown(promise: nil) }

        // Closed when the listener stops accepting (graceful shutdown began): the drain deadline starts then.
        let (accepting, acceptingEnded) = AsyncStream<Never>.makeStream()
        let drainTimeout = self.configuration.shutdownTimeout
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { server in
                server.addTask {
                    await withDiscardingTaskGroup { group in
                        do {
                            try await serverChannel.executeThenClose { connections in
                                for try await connection in connections {
                                    self.serve(connection, in: &group)
                                }
                            }
                        } catch {
                            self.logger.error("Accepting connections failed", metadata: ["error": "\(error)"])
                        }
                        acceptingEnded.finish()
                    }
                }
                server.addTask {
                    // Past the drain deadline, the connections still open are cancelled, which closes them:
                    // a request that never ends (a trickling upstream, a stuck handler) cannot hold a shutdown.
                    for await _ in accepting {}
                    guard (try? await Task.sleep(for: drainTimeout)) != nil else { return }
                    self.logger.warning("Shutdown deadline passed; closing the connections still open")
                }
                await server.next()
                server.cancelAll()
            }
        } onGracefulShutdown: {
            quiesce.initiateShutdown(promise: nil)
        }
        self.finish(.stopped)
        self.logger.info("Server stopped", metadata: ["address": "\(address)"])
    }

    /// Serves an accepted connection in a task of `group`: an HTTP/1.1 connection request after request, a
    /// negotiating one once it knows what it is, and each stream of a multiplexed one in a task of its own.
    private func serve(_ connection: AcceptedConnection, in group: inout DiscardingTaskGroup) {
        // On the connection's loop, where its handler may be touched; a negotiated or multiplexed connection's
        // streams, and the tasks that serve them, then start there without a hop through the global executor.
        let executor =
            switch connection {
            case .http1(let connection): connection.executor
            case .negotiating(let channel, _), .multiplexed(let channel, _): EventLoopTaskExecutor(channel.eventLoop)
            }
        group.addTask(executorPreference: executor) { await self.serve(connection) }
    }

    private func serve(_ connection: AcceptedConnection) async {
        switch connection {
        case .http1(let connection):
            await connection.run(handler: self.handler, errorRenderer: self.errorRenderer, logger: self.logger)
        case .negotiating(let channel, let next):
            let negotiated = await withTaskCancellationHandler {
                try? await next.get()
            } onCancel: {
                channel.close(promise: nil)
            }
            if let negotiated { await self.serve(negotiated) }
        case .multiplexed(let channel, let streams):
            await withTaskCancellationHandler {
                await withDiscardingTaskGroup { group in
                    do {
                        for try await stream in streams {
                            group.addTask(executorPreference: stream.executor) {
                                await stream.run(handler: self.handler, errorRenderer: self.errorRenderer, logger: self.logger)
                            }
                        }
                    } catch {
                        self.logger.debug("HTTP/2 connection ended", metadata: ["error": "\(error)"])
                    }
                }
            } onCancel: {
                channel.close(promise: nil)
            }
        }
    }

    private func finish(_ phase: ListeningState.Phase) {
        let waiters = self.state.withLock { state in
            state.phase = phase
            let waiters = state.waiters
            state.waiters = []
            return waiters
        }
        for waiter in waiters {
            if case .failed(let error) = phase {
                waiter.resume(throwing: error)
            } else {
                waiter.resume(throwing: HTTPServerError.notRunning)
            }
        }
    }

    private func bind(quiesce: ServerQuiescingHelper) async throws -> NIOAsyncChannel<AcceptedConnection, Never> {
        let configuration = self.configuration
        let limits = configuration.limits
        let transport = configuration.transport
        let pipelines = ConnectionPipelines(
            configuration: configuration,
            fastPath: self.fastPath,
            observability: self.observability,
            logger: self.logger,
            secure: transport.scheme == "https"
        )
        let bootstrap = ServerBootstrap(group: self.eventLoopGroup)
            .serverChannelOption(.backlog, value: Int32(configuration.backlog))
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectionLimitHandler(maxConnections: limits.maxConnections))
                    try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<AcceptedConnection> = { channel in
            channel.eventLoop.makeCompletedFuture { try transport.accept(channel, pipelines) }
        }
        if let socket = configuration.listeningSocket {
            return try await bootstrap.bind(socket, childChannelInitializer: initializer)
        }
        return try await bootstrap.bind(host: configuration.host, port: configuration.port, childChannelInitializer: initializer)
    }
}

extension HTTPServer {
    /// The HTTP/1.1 pipeline of an accepted connection on `channel`, a channel without a socket (TandemTesting's
    /// `TestConnection`); call on the channel's loop, before the channel becomes active (as an accepted one does), and
    /// serve it with ``serve(_:)``.
    package func connection(onUnacceptedChannel channel: any Channel) throws -> HTTPConnection {
        let pipelines = ConnectionPipelines(
            configuration: self.configuration,
            fastPath: self.fastPath,
            observability: self.observability,
            logger: self.logger,
            secure: false
        )
        return try pipelines.http1(on: channel)
    }

    /// Serves `connection` as an accepted connection is served — its handler chain on an executor of the channel's
    /// loop — until it closes.
    package func serve(_ connection: HTTPConnection) async {
        await withTaskExecutorPreference(connection.executor) {
            await connection.run(handler: self.handler, errorRenderer: self.errorRenderer, logger: self.logger)
        }
    }

    /// A connection's pipeline on `channel` (an embedded one, for the fuzz target), without a task to serve it:
    /// what the decoder and the connection handler do with raw bytes.
    package static func fuzzingPipeline(_ channel: any Channel, configuration: Configuration) -> HTTPConnection {
        let pipelines = ConnectionPipelines(
            configuration: configuration,
            fastPath: nil,
            observability: ServerObservability(),
            logger: Logger(label: "fuzz"),
            secure: false
        )
        return try! pipelines.http1(on: channel)
    }
}

/// Errors about the server's own lifecycle.
public struct HTTPServerError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable { case notRunning }
    private let code: Code

    /// The server is not running (it stopped, or never bound).
    public static var notRunning: Self { Self(code: .notRunning) }

    public var description: String {
        switch self.code {
        case .notRunning: "The server is not running"
        }
    }
}

struct ListeningState: Sendable {
    enum Phase: Sendable {
        case notStarted
        case listening(SocketAddress, ServerQuiescingHelper)
        case failed(any Error)
        case stopped
    }

    var phase: Phase = .notStarted
    var waiters: [CheckedContinuation<SocketAddress, any Error>] = []
    var shutdownRequested = false
}

/// What a server records about its requests: metrics, spans, and whose `X-Forwarded-For` names the client.
package struct ServerObservability: Sendable {
    /// `nil` when no metrics backend is bootstrapped: nothing is measured then.
    package var metrics: ServerMetrics?
    /// `nil` when no tracer is: nothing is traced then.
    package var tracing: ServerTracing?
    package var trustedProxies: [CIDR] = []

    /// Nothing recorded; the client is the peer unless it is one of `trustedProxies`.
    package init(trustedProxies: [CIDR] = []) {
        self.trustedProxies = trustedProxies
    }

    init(_ configuration: HTTPServerConfiguration) {
        self.metrics = ServerMetrics(
            factory: configuration.metricsFactory,
            dimensions: configuration.metricsDimensions,
            knownMethods: configuration.knownMethods
        )
        self.tracing = ServerTracing(tracer: configuration.tracer, knownMethods: configuration.knownMethods)
        self.trustedProxies = configuration.trustedProxies
    }

    /// Whether each request gets a ``RequestRecord`` (routers and proxies fill it in).
    var recordsRequests: Bool { self.metrics != nil || self.tracing != nil }

    /// The client's address for a request from `peer` (see ``ClientAddress``).
    package func clientAddress(peer: String?, forwardedFor: @autoclosure () -> [String]) -> String? {
        guard !self.trustedProxies.isEmpty else { return peer }
        return ClientAddress.resolve(peer: peer, forwardedFor: forwardedFor(), trusted: self.trustedProxies)
    }
}
