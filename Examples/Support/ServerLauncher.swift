public import HTTPCore
public import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs example servers the way a user expects: each prints `NAME listening on http://HOST:PORT` once
/// bound, and SIGINT/SIGTERM stop them all gracefully.
public enum ServerLauncher {
    /// A server to run and the name it announces itself with.
    public struct Listener: Sendable {
        let name: String
        let host: String
        let service: any Service
        let address: @Sendable () async throws -> SocketAddress

        /// Wraps `server`, announced as `name`.
        public init<Handler: HTTPHandler>(_ name: String, _ server: HTTPServer<Handler>) {
            self.name = name
            self.host = server.configuration.host
            self.service = server
            self.address = { try await server.listeningAddress() }
        }
    }

    /// Runs `listeners` until a signal stops them.
    public static func run(_ listeners: [Listener], logger: Logger) async throws {
        let group = ServiceGroup(
            services: listeners.map(\.service),
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        try await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            for listener in listeners {
                let port = try await listener.address().port ?? 0
                printLine("\(listener.name) listening on http://\(listener.host):\(port)")
            }
        }
    }

    /// A logger for example servers: `info` by default, `LOG_LEVEL=debug` for more.
    public static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: getenv("LOG_LEVEL").map { String(cString: $0) } ?? "") ?? .info
        return logger
    }

    /// Writes a line to stdout unbuffered, so a parent process sees it at once even through a pipe.
    public static func printLine(_ line: String) {
        var bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress, $0.count) }
    }
}
