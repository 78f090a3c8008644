public import HTTPCore
public import Logging
import NIOCore
import NIOPosix

/// Runs `handler` on `127.0.0.1` with an ephemeral port for the duration of `body`, then shuts the
/// server down gracefully and waits until it has stopped. The server logs to `logger` (by default, only
/// critical messages to standard error; a ``CapturedLog``'s logger keeps the records for assertions).
///
/// ```swift
/// try await withTestServer(HandlerFunction { _, _ in .text("hi") }) { port in
///     let client = try await RawHTTPClient.connect(port: port)
///     ...
/// }
/// ```
public func withTestServer<Handler: HTTPHandler, Result: Sendable>(
    _ handler: Handler,
    configuration: HTTPServer<Handler>.Configuration = .init(port: 0),
    errorRenderer: any ErrorRenderer = PlainTextErrorRenderer(),
    logger: Logger? = nil,
    _ body: (_ port: Int, _ server: HTTPServer<Handler>) async throws -> Result
) async throws -> Result {
    var configuration = configuration
    configuration.host = "127.0.0.1"
    let logger =
        logger
        ?? {
            var logger = Logger(label: "test-server")
            logger.logLevel = .critical
            return logger
        }()
    let server = HTTPServer(handler: handler, configuration: configuration, errorRenderer: errorRenderer, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        let result: Result
        do {
            let address = try await server.listeningAddress()
            result = try await body(address.port!, server)
        } catch {
            server.shutdownGracefully()
            group.cancelAll()
            throw error
        }
        server.shutdownGracefully()
        try await group.waitForAll()
        return result
    }
}

/// Convenience overload when the body does not need the server.
public func withTestServer<Handler: HTTPHandler, Result: Sendable>(
    _ handler: Handler,
    configuration: HTTPServer<Handler>.Configuration = .init(port: 0),
    _ body: (_ port: Int) async throws -> Result
) async throws -> Result {
    try await withTestServer(handler, configuration: configuration) { port, _ in try await body(port) }
}

/// A TCP port that is free on `host` right now, for a server in *another process* that a test starts later
/// (in-process servers take port 0 and report theirs). Another process could take it in between; the server
/// then fails to bind with a clear error.
public func freePort(host: String = "127.0.0.1") async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: host, port: 0).get()
    defer { channel.close(promise: nil) }
    guard let port = channel.localAddress?.port else { throw ChannelError.unknownLocalAddress }
    return port
}
