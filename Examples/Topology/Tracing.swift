import Foundation
import Logging
import OTel
public import TandemApp
import Tracing

extension Topology {
    /// Traces every server of `app` through swift-otel's OTLP/HTTP exporter when the standard
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; nothing otherwise.
    ///
    /// Each server is its own service, `tandem-NAME` (`tandem-gateway`, `tandem-web`, `tandem-api`), with its own
    /// tracer, so a page request shows as three services even when one process runs them all. Protocol
    /// `http/protobuf`; the other `OTEL_*` variables (sampler, batch delay, headers) apply as the OpenTelemetry
    /// specification says. Call it once every server is added.
    public static func addTracing(to app: inout TandemApp, environment: [String: String]? = nil) throws {
        let environment = environment ?? ProcessInfo.processInfo.environment
        guard environment["OTEL_EXPORTER_OTLP_ENDPOINT"] != nil || environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] != nil else {
            return
        }
        let diagnostics = app.logger("otel")
        var tracers: [String: any Tracer] = [:]
        for name in app.serverNames where name != "metrics" {
            var configuration = OTel.Configuration.default
            configuration.serviceName = "tandem-\(name)"
            configuration.traces.exporter = .otlp
            configuration.traces.otlpExporter.protocol = .httpProtobuf
            configuration.metrics.enabled = false
            configuration.logs.enabled = false
            configuration.diagnosticLogger = .custom(diagnostics)
            let (tracer, exporter) = try OTel.makeTracingBackend(configuration: configuration)
            tracers[name] = tracer
            app.addService(exporter)
        }
        let chosen = tracers
        app.tracer = { name in chosen[name] }
    }
}
