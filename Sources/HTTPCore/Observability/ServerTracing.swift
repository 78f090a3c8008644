public import HTTPTypes
import NIOCore
public import Tracing

/// Writes trace context (W3C `traceparent`/`tracestate`, or whatever the tracer propagates) into request fields,
/// replacing what was there: an outgoing request carries its own client span, never its caller's.
///
/// ```swift
/// var headers = HTTPFields()
/// InstrumentationSystem.tracer.inject(ServiceContext.current ?? .topLevel, into: &headers, using: HTTPFieldsInjector())
/// ```
public struct HTTPFieldsInjector: Injector {
    /// An injector.
    public init() {}

    public func inject(_ value: String, forKey key: String, into carrier: inout HTTPFields) {
        guard let name = HTTPField.Name(key) else { return }
        carrier[name] = value
    }
}

/// Reads trace context from request fields (the server's side of ``HTTPFieldsInjector``).
///
/// W3C `traceparent` and `tracestate` are read by the specification's rules, whatever the tracer's propagator: a
/// valid `traceparent` is kept when `tracestate` is malformed, `tracestate` is dropped with an invalid
/// `traceparent`, and it is bounded to 32 members and 512 characters (``TraceContextFields``).
///
/// ```swift
/// var context = ServiceContext.topLevel
/// tracer.extract(request.headers, into: &context, using: HTTPFieldsExtractor())
/// ```
public struct HTTPFieldsExtractor: Extractor {
    /// An extractor.
    public init() {}

    public func extract(key: String, from carrier: HTTPFields) -> String? {
        guard let name = HTTPField.Name(key) else { return nil }
        switch name {
        case .traceparent:
            return TraceContextFields.traceparent(carrier[values: .traceparent])
        case .tracestate:
            let valid = TraceContextFields.traceparent(carrier[values: .traceparent]) != nil
            return TraceContextFields.tracestate(carrier[values: .tracestate], traceparentValid: valid)
        default:
            return carrier[name]
        }
    }
}

/// The server's spans through swift-distributed-tracing: one `server` span per request, continuing the caller's
/// trace (`traceparent`), named `METHOD /route/template` once a router matched (the method alone otherwise), with
/// the OpenTelemetry HTTP attributes; a 5xx answer or an escaped error marks it as failed. `nil` when the tracer is
/// the no-op one: nothing is traced and the event-loop fast path stays on.
package struct ServerTracing: Sendable {
    let tracer: any Tracer
    let knownMethods: KnownMethods

    /// Traces through `tracer` (`InstrumentationSystem.tracer` when `nil`); `nil` when that is the no-op tracer.
    package init?(tracer: (any Tracer)?, knownMethods: KnownMethods = .standard) {
        let tracer = tracer ?? InstrumentationSystem.tracer
        guard !(tracer is NoOpTracer) else { return nil }
        self.tracer = tracer
        self.knownMethods = knownMethods
    }

    /// Starts the span of `request`, a child of the context its fields carry.
    func startSpan(for request: Request, context: RequestContext) -> any Span {
        var parent = ServiceContext.topLevel
        self.tracer.extract(request.headers, into: &parent, using: HTTPFieldsExtractor())
        let original = request.method.rawValue
        let method = self.knownMethods.label(for: original)
        let span = self.tracer.startSpan(KnownMethods.spanName(method: method, route: nil), context: parent, ofKind: .server)
        guard span.isRecording else { return span }
        span.updateAttributes { attributes in
            attributes["http.request.method"] = method
            if method != original { attributes["http.request.method_original"] = original }
            attributes["url.path"] = String(request.path)
            attributes["url.scheme"] = "http"
            attributes["network.protocol.version"] = "1.1"
            if let authority = request.head.authority {
                let (host, port) = Self.split(authority)
                attributes["server.address"] = host
                if let port { attributes["server.port"] = port }
            }
            if let client = context.clientAddress { attributes["client.address"] = client }
            if let peer = context.remoteAddress {
                if let address = peer.ipAddress { attributes["network.peer.address"] = address }
                if let port = peer.port { attributes["network.peer.port"] = port }
            }
            if let agent = request.headers[.userAgent] { attributes["user_agent.original"] = String(agent.prefix(256)) }
        }
        return span
    }

    /// Ends `span` with the response's status, the route a router matched, and the error that escaped the handler.
    func end(_ span: any Span, method: String, status: Int, route: String?, error: (any Error)?) {
        guard span.isRecording else { return span.end() }  // not sampled: nothing to describe
        if let route {
            span.operationName = KnownMethods.spanName(method: self.knownMethods.label(for: method), route: route)
            span.attributes["http.route"] = route
        }
        span.attributes["http.response.status_code"] = status
        if let error { span.recordError(error) }
        if status >= 500 {
            span.attributes["error.type"] = String(status)
            span.setStatus(SpanStatus(code: .error))
        }
        span.end()
    }

    /// The trace id of `span` as 32 hex digits, when the tracer propagates W3C trace context (for log lines).
    func traceID(of span: any Span) -> String? {
        var fields = HTTPFields()
        self.tracer.inject(span.context, into: &fields, using: HTTPFieldsInjector())
        return fields[.traceparent].flatMap(Self.traceID(fromTraceparent:))
    }

    /// The trace-id part of a `traceparent` value (`00-<32 hex>-<16 hex>-<2 hex>`).
    package static func traceID(fromTraceparent value: String) -> String? {
        let parts = value.split(separator: "-")
        guard parts.count >= 4, parts[1].utf8.count == 32 else { return nil }
        return String(parts[1])
    }

    /// `host` and port of an authority (`example.com:8080`, `[::1]:80`).
    static func split(_ authority: String) -> (String, Int?) {
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]"),
            let port = Int(authority[authority.index(after: colon)...])
        {
            return (String(authority[..<colon]), port)
        }
        return (authority, nil)
    }
}
