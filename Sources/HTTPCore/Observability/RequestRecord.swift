import Synchronization

/// What the layers of a request learn about it for metrics, traces and the access log: the route template a
/// router matched (`/api/items/:id`, never the raw path, so the number of distinct values stays bounded), the
/// upstream servers it was forwarded to with their times, and its trace id.
///
/// The server puts one in each request's context when it records metrics or traces (``AccessLogMiddleware`` when it
/// writes lines); routers and proxies fill it in through ``RequestContext/recordRoute(_:)`` and
/// ``RequestContext/recordUpstream(_:duration:)``.
///
/// ```swift
/// context.storage[RequestRecord.self]?.template   // "/api/items/:id", once a router matched
/// ```
public final class RequestRecord: Sendable, ContextKey {
    public typealias Value = RequestRecord

    /// One try at an upstream server.
    public struct UpstreamAttempt: Sendable, Hashable {
        /// `host:port` of the server.
        public var address: String
        /// From sending the request to the response head (or the failure).
        public var duration: Duration

        /// A try at `address` that took `duration`.
        public init(address: String, duration: Duration) {
            self.address = address
            self.duration = duration
        }
    }

    private struct State {
        var template: String?
        var upstreams: [UpstreamAttempt] = []
        var traceID: String?
        /// Computes ``traceID`` when it is first read: most requests are never logged, and formatting the id costs.
        var traceIDSource: (@Sendable () -> String?)?
    }

    private let state = Mutex(State())

    /// An empty record.
    public init() {}

    /// The route template, once a router matched one.
    public var template: String? {
        get { self.state.withLock { $0.template } }
        set { self.state.withLock { $0.template = newValue } }
    }

    /// The upstream servers the request was sent to, in order (more than one after a retry).
    public var upstreams: [UpstreamAttempt] { self.state.withLock { $0.upstreams } }

    /// The request's trace id (32 hex digits), when the server traces and its tracer propagates W3C trace context.
    public var traceID: String? {
        get {
            self.state.withLock { state in
                if let source = state.traceIDSource {
                    state.traceID = source()
                    state.traceIDSource = nil
                }
                return state.traceID
            }
        }
        set {
            self.state.withLock { state in
                state.traceID = newValue
                state.traceIDSource = nil
            }
        }
    }

    /// Sets the trace id to what `source` returns, computed only if someone reads it.
    package func setTraceID(_ source: @escaping @Sendable () -> String?) {
        self.state.withLock { $0.traceIDSource = source }
    }

    func addUpstream(_ attempt: UpstreamAttempt) {
        self.state.withLock { $0.upstreams.append(attempt) }
    }
}

extension RequestContext {
    /// Records `template` as the request's route, when the server keeps a ``RequestRecord`` (a router calls this).
    public func recordRoute(_ template: String) {
        self.storage[RequestRecord.self]?.template = template
    }

    /// Records a try at the upstream server `address` (`host:port`) that took `duration` to its response head, when
    /// the server keeps a ``RequestRecord`` (a proxy or API client calls this).
    public func recordUpstream(_ address: String, duration: Duration) {
        self.storage[RequestRecord.self]?.addUpstream(RequestRecord.UpstreamAttempt(address: address, duration: duration))
    }
}
