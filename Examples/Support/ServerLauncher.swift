public import HTTPCore
public import Logging
import NIOCore
import NIOPosix
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

    /// Runs `listeners` until a signal stops them; once all of them listen, `hint` (given each listener's
    /// port by name) makes a last line to print, such as where to point a browser.
    public static func run(
        _ listeners: [Listener],
        logger: Logger,
        hint: (@Sendable (_ ports: [String: Int]) -> String)? = nil
    ) async throws {
        let group = ServiceGroup(
            services: listeners.map(\.service),
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        try await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            var ports: [String: Int] = [:]
            for listener in listeners {
                let port = try await listener.address().port ?? 0
                ports[listener.name] = port
                printLine("\(listener.name) listening on http://\(listener.host):\(port)")
            }
            if let hint { printLine(hint(ports)) }
        }
    }

    /// A port that is free on `host` right now (the kernel's pick for port 0), for servers that must know
    /// each other's ports before they start. Another process could take it in between; the server then
    /// fails to bind with a clear error.
    public static func freePort(host: String) async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: host, port: 0).get()
        defer { channel.close(promise: nil) }
        guard let port = channel.localAddress?.port else { throw FreePortError() }
        return port
    }

    /// `host` as it goes into a URL: wildcard addresses become loopback (a client cannot connect to
    /// `0.0.0.0`), IPv6 literals get brackets.
    public static func urlHost(_ host: String) -> String {
        switch host {
        case "0.0.0.0", "": "127.0.0.1"
        case "::": "[::1]"
        default: host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
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

/// The kernel gave no free port.
public struct FreePortError: Error, CustomStringConvertible {
    public var description: String { "Could not find a free port" }
}
