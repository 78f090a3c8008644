import CoreMetrics
import Foundation
import HTTPCore
import HTTPTypes
import NIOCore
import Prometheus
public import TandemApp

extension Topology {
    /// Bootstraps swift-metrics with swift-prometheus and adds a `metrics` server answering `GET /metrics` with the
    /// Prometheus text format, on its own port (never on the public one). Call it before the app runs, so the
    /// servers it builds see the backend.
    ///
    /// Names follow the OpenTelemetry HTTP conventions, spelled as Prometheus spells them:
    /// `http.server.request.duration` → `http_server_request_duration_seconds`, `http.route` → `http_route`.
    public static func addMetrics(to app: inout TandemApp, port: Int) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in
            (prometheusName(name), labels.map { (prometheusName($0.0), $0.1) })
        }
        MetricsSystem.bootstrap(factory)
        app.server("metrics", port: port) { _ in
            HandlerFunction { request, _ in
                guard request.path == "/metrics" else { throw HTTPError(.notFound) }
                return .bytes(ByteBuffer(bytes: registry.emitToBuffer()), contentType: "text/plain; version=0.0.4; charset=utf-8")
            }
        }
    }

    /// `http.server.request.duration` → `http_server_request_duration_seconds`: dots become underscores, durations
    /// say their unit.
    static func prometheusName(_ name: String) -> String {
        let spelled = name.replacingOccurrences(of: ".", with: "_")
        return name.hasSuffix(".duration") ? spelled + "_seconds" : spelled
    }
}
