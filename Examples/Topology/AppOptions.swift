public import ArgumentParser
public import TandemApp

/// The launcher's settings as command-line options, shared by the example commands: `--host`, `--log-level`,
/// `--log-format`. Each falls back to the environment (`HOST`, `LOG_LEVEL`, `LOG_FORMAT`; `NAME_PORT` for
/// ports), then to the default.
public struct AppOptions: ParsableArguments {
    @Option(help: "Address every server binds (env HOST; default 127.0.0.1).") public var host: String?
    @Option(help: "trace, debug, info, notice, warning, error or critical (env LOG_LEVEL; default info).") public var logLevel: String?
    @Option(help: "text or json (env LOG_FORMAT; default text).") public var logFormat: String?
    @Option(help: "Serve Prometheus metrics at GET /metrics on this port (0 picks a free one); none without it.")
    public var metricsPort: Int?

    public init() {}

    /// `settings(ports:)`, and the metrics listener when `--metrics-port` was given.
    public func app(ports: [String: Int?] = [:]) throws -> TandemApp {
        var app = TandemApp(settings: try self.settings(ports: ports))
        if let port = self.metricsPort { Topology.addMetrics(to: &app, port: port) }
        return app
    }

    /// Runs `app` with OpenTelemetry tracing when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (``Topology/addTracing(to:environment:)``).
    public func run(_ app: TandemApp, hint: (@Sendable (_ servers: Servers) -> String)? = nil) async throws {
        var app = app
        try Topology.addTracing(to: &app)
        try await app.run(hint: hint)
    }

    /// The settings: flags over the environment over defaults; `ports` are the command's port options by server
    /// name (`nil` when not given on the command line).
    public func settings(ports: [String: Int?] = [:]) throws -> TandemApp.Settings {
        var flags: [String] = []
        if let host = self.host { flags += ["--host", host] }
        if let level = self.logLevel { flags += ["--log-level", level] }
        if let format = self.logFormat { flags += ["--log-format", format] }
        for (name, port) in ports { if let port { flags += ["--\(name)-port", String(port)] } }
        do {
            return try TandemApp.Settings.parse(flags)
        } catch let error as TandemAppError {
            throw ValidationError(error.description)
        }
    }
}
