/// Why a request to an upstream failed.
public struct UpstreamError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Kind: Hashable, Sendable {
        case connectFailed, connectTimeout, tlsFailed, responseTimeout, closedBeforeResponse, closedDuringResponse, poolTimeout, noServers
    }

    let kind: Kind
    /// The upstream server, as `host:port`.
    public let server: String
    /// What went wrong, when there is more to say (the TLS error of a failed handshake).
    public var detail: String? = nil

    /// The connection was refused or could not be made.
    public static func connectFailed(_ server: String) -> Self { Self(kind: .connectFailed, server: server) }
    /// The TLS handshake with an `https://` server failed (its certificate did not verify, say).
    public static func tlsFailed(_ server: String, detail: String) -> Self { Self(kind: .tlsFailed, server: server, detail: detail) }
    /// Connecting took longer than the connect timeout.
    public static func connectTimeout(_ server: String) -> Self { Self(kind: .connectTimeout, server: server) }
    /// The response head (or the next body bytes) did not arrive within the upstream timeout.
    public static func responseTimeout(_ server: String) -> Self { Self(kind: .responseTimeout, server: server) }
    /// The connection closed before a response head arrived.
    public static func closedBeforeResponse(_ server: String) -> Self { Self(kind: .closedBeforeResponse, server: server) }
    /// The connection closed in the middle of a response body.
    public static func closedDuringResponse(_ server: String) -> Self { Self(kind: .closedDuringResponse, server: server) }
    /// No pooled connection became free within the connect timeout.
    public static func poolTimeout(_ server: String) -> Self { Self(kind: .poolTimeout, server: server) }
    /// The upstream has no server to send to.
    public static var noServers: Self { Self(kind: .noServers, server: "-") }

    /// The failure's name in metrics (`error.type`): `connect_failed`, `response_timeout`, ….
    var metricName: String {
        switch self.kind {
        case .connectFailed: "connect_failed"
        case .connectTimeout: "connect_timeout"
        case .tlsFailed: "tls_failed"
        case .responseTimeout: "response_timeout"
        case .closedBeforeResponse: "closed_before_response"
        case .closedDuringResponse: "closed_during_response"
        case .poolTimeout: "pool_timeout"
        case .noServers: "no_servers"
        }
    }

    /// Whether nothing of the request can have been processed, so an idempotent request may be retried.
    public var isRetryable: Bool {
        switch self.kind {
        case .connectFailed, .connectTimeout, .tlsFailed, .closedBeforeResponse, .poolTimeout: true
        case .responseTimeout, .closedDuringResponse, .noServers: false
        }
    }

    /// Whether the upstream did not answer in time (504), rather than failed (502).
    public var isTimeout: Bool {
        switch self.kind {
        case .connectTimeout, .responseTimeout, .poolTimeout: true
        default: false
        }
    }

    /// Whether the upstream could not be reached at all (the dev proxy answers 503 for this).
    public var isUnreachable: Bool {
        self.kind == .connectFailed || self.kind == .noServers
    }

    public var description: String {
        switch self.kind {
        case .connectFailed: "could not connect to \(self.server)"
        case .connectTimeout: "timed out connecting to \(self.server)"
        case .tlsFailed: "TLS with \(self.server) failed: \(self.detail ?? "handshake error")"
        case .responseTimeout: "\(self.server) did not answer in time"
        case .closedBeforeResponse: "\(self.server) closed the connection before answering"
        case .closedDuringResponse: "\(self.server) closed the connection in the middle of a response"
        case .poolTimeout: "no connection to \(self.server) became free in time"
        case .noServers: "the upstream has no servers"
        }
    }
}
