import Foundation
public import HTTPCore
public import Logging
import NIOCore
import NIOPosix
public import ServiceLifecycle
public import Tracing
import UnixSignals

/// Runs named servers as one program: the launcher the examples use, for yours.
///
/// - Each server announces itself with one line, `NAME listening on http://HOST:PORT` (`https://` for a TLS
///   transport), once it listens.
/// - Host, ports, log level and log format come from ``Settings`` (flags and environment).
/// - Every listening socket is bound before any handler is built, so a server can be handed the real URL of
///   another even with port 0 (no pick-a-free-port-and-hope race), including servers that need each other.
/// - `GET /healthz` is answered on every server (``HealthCheck``), unless turned off.
/// - SIGINT and SIGTERM stop every server gracefully.
/// - ``tracer`` gives each server its own tracer (a service name per server), used by its spans and by every
///   upstream and API client its handler creates; ``addService(_:)`` runs an exporter beside the servers.
///
/// ```swift
/// var app = TandemApp(settings: try .parse())
/// app.server("api", port: 8000) { _ in apiHandler }
/// app.server("web", port: 3000) { servers in try makeWeb(apiURL: servers.url("api")) }
/// try await app.run()
/// ```
public struct TandemApp: Sendable {
    /// Where servers listen and how they log.
    public var settings: Settings
    private var entries: [Entry] = []
    private var services: [any Service] = []
    /// The tracer of each server, by name (`nil`: swift-distributed-tracing's global one). It is current while the
    /// server and its handler are built, so the upstreams and API clients made there trace through it too.
    public var tracer: (@Sendable (_ server: String) -> (any Tracer)?)?
    private let announce: @Sendable (String) -> Void

    /// An app with `settings`; `announce` receives the `listening on` lines (standard output by default).
    public init(settings: Settings = Settings(), announce: (@Sendable (String) -> Void)? = nil) {
        self.settings = settings
        self.announce = announce ?? { TandemApp.printLine($0) }
    }

    /// Where the app's log lines go instead of standard error in ``Settings/logFormat``: a handler per logger label
    /// (a test's `CapturedLog`, a handler of your own). `nil` (default): the settings' format.
    ///
    /// ```swift
    /// app.logHandler = { label in MyLogHandler(label: label) }
    /// ```
    public var logHandler: (@Sendable (_ label: String) -> any LogHandler)?

    /// A logger labelled `label`, at the app's level, in the app's format (or through ``logHandler``).
    public func logger(_ label: String) -> Logger {
        var logger: Logger
        if let logHandler = self.logHandler {
            logger = Logger(label: label, factory: logHandler)
        } else {
            switch self.settings.logFormat {
            case .text: logger = Logger(label: label) { TextLogHandler(label: $0) }
            case .json: logger = Logger(label: label) { JSONLogHandler(label: $0) }
            }
        }
        logger.logLevel = self.settings.logLevel
        return logger
    }

    /// Adds a server named `name` on `port` (``Settings/ports`` overrides it when the app runs; 0 picks a free port).
    /// - Parameters:
    ///   - configuration: limits and timeouts (its host and port are the app's).
    ///   - errorRenderer: renders errors the handler does not handle itself.
    ///   - healthCheck: answer `GET /healthz` with `200 ok` (default true).
    ///   - makeHandler: builds the handler once every server of the app is bound, given their URLs.
    public mutating func server<Handler: HTTPHandler>(
        _ name: String,
        port: Int,
        configuration: HTTPServerConfiguration = HTTPServerConfiguration(),
        errorRenderer: any ErrorRenderer = PlainTextErrorRenderer(),
        healthCheck: Bool = true,
        _ makeHandler: @escaping @Sendable (_ servers: Servers) async throws -> Handler
    ) {
        precondition(!self.entries.contains { $0.name == name }, "Two servers named \(name)")
        self.entries.append(
            Entry(name: name, port: port, scheme: configuration.transport.scheme) { settings, servers, socket, tracer, logger in
                // Settings as they are when the app runs (they may change after the server was added).
                var configuration = configuration
                configuration.host = settings.host
                configuration.port = servers.port(of: name)
                configuration.listeningSocket = socket
                if configuration.metricsDimensions.isEmpty { configuration.metricsDimensions = [("server.name", name)] }
                let configured = configuration
                func serve(_ handler: some HTTPHandler) -> (any Service, @Sendable () async throws -> SocketAddress) {
                    let server = HTTPServer(handler: handler, configuration: configured, errorRenderer: errorRenderer, logger: logger)
                    return (server, { try await server.listeningAddress() })
                }
                func build() async throws -> (any Service, @Sendable () async throws -> SocketAddress) {
                    let handler = try await makeHandler(servers)
                    return healthCheck ? serve(HealthCheck(handler)) : serve(handler)
                }
                guard let tracer else { return try await build() }
                return try await withTracer(tracer) { try await build() }
            }
        )
    }

    /// The names of the servers added so far, in order.
    public var serverNames: [String] { self.entries.map(\.name) }

    /// Runs `service` beside the servers (an exporter's background work, say), started before them and stopped with
    /// them.
    ///
    /// ```swift
    /// let (tracer, exporter) = try OTel.makeTracingBackend(configuration: configuration)
    /// app.addService(exporter)
    /// ```
    public mutating func addService(_ service: any Service) {
        self.services.append(service)
    }

    /// Binds every server, builds their handlers, serves until SIGINT or SIGTERM (or until the calling task
    /// is cancelled), then shuts them all down gracefully.
    /// - Parameter hint: a last line to print once all listen (where to point a browser, say).
    /// - Throws: ``TandemAppError`` when a server cannot listen; whatever a handler's builder throws.
    public func run(hint: (@Sendable (_ servers: Servers) -> String)? = nil) async throws {
        var sockets: [CInt] = []
        var adopted = false
        defer { if !adopted { for socket in sockets { close(socket) } } }
        var servers = Servers(host: self.settings.host)
        for entry in self.entries {
            let requested = self.settings.ports[entry.name] ?? entry.port
            let (socket, port) = try ListeningSocket.bind(host: self.settings.host, port: requested, name: entry.name)
            sockets.append(socket)
            servers.add(entry.name, port: port, scheme: entry.scheme)
        }
        var services = self.services
        var addresses: [(name: String, scheme: String, address: @Sendable () async throws -> SocketAddress)] = []
        for (entry, socket) in zip(self.entries, sockets) {
            let (service, address) = try await entry.make(self.settings, servers, socket, self.tracer?(entry.name), self.logger(entry.name))
            services.append(service)
            addresses.append((entry.name, entry.scheme, address))
        }
        adopted = true  // each server closes its socket from here on
        let group = ServiceGroup(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            cancellationSignals: [],
            logger: self.logger("tandem-app")
        )
        let announce = self.announce
        let finalServers = servers
        try await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            for (name, scheme, address) in addresses {
                let port = try await address().port ?? 0
                announce("\(name) listening on \(scheme)://\(finalServers.urlHost):\(port)")
            }
            if let hint { announce(hint(finalServers)) }
        }
    }

    /// Writes a line to standard output unbuffered, so a parent process sees it at once even through a pipe.
    public static func printLine(_ line: String) {
        var bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress, $0.count) }
    }

    private struct Entry: Sendable {
        let name: String
        let port: Int
        /// `http` or `https`: how the server is announced and reached.
        let scheme: String
        let make:
            @Sendable (Settings, Servers, CInt, (any Tracer)?, Logger) async throws -> (
                any Service, @Sendable () async throws -> SocketAddress
            )
    }
}

/// The app's servers, bound: where each listens.
public struct Servers: Sendable {
    /// The host every server binds.
    public let host: String
    private var ports: [String: Int] = [:]
    private var schemes: [String: String] = [:]
    /// The names of the app's servers, in the order they were added.
    public private(set) var names: [String] = []

    init(host: String) {
        self.host = host
    }

    mutating func add(_ name: String, port: Int, scheme: String = "http") {
        self.ports[name] = port
        self.schemes[name] = scheme
        self.names.append(name)
    }

    /// `host` as it goes into a URL: a wildcard address becomes loopback (no client connects to `0.0.0.0`),
    /// an IPv6 literal gets brackets.
    public var urlHost: String { Self.urlHost(for: self.host) }

    /// `host` as it goes into a URL (see ``urlHost``).
    public static func urlHost(for host: String) -> String {
        switch host {
        case "0.0.0.0", "": "127.0.0.1"
        case "::": "[::1]"
        default: host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        }
    }

    /// The port the server `name` listens on.
    public func port(of name: String) -> Int {
        guard let port = self.ports[name] else { preconditionFailure("No server named \(name) in this app") }
        return port
    }

    /// `http://HOST:PORT` (`https://` for a TLS server) of the server `name`, for another server to call.
    public func url(_ name: String) -> String { "\(self.schemes[name] ?? "http")://\(self.urlHost):\(self.port(of: name))" }
}

/// A server of the app could not start.
public struct TandemAppError: Error, CustomStringConvertible {
    /// What went wrong, for people.
    public let description: String
}
