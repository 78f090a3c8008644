import HTTPCore
import HTTPTypes
import NIOHTTP1

/// A header name as both header types spell it.
struct ProxyHeader {
    let field: HTTPField.Name
    /// Lower case, as NIO compares case-insensitively anyway.
    let nio: String

    init(_ field: HTTPField.Name) {
        self.field = field
        self.nio = field.canonicalName
    }

    static let connection = ProxyHeader(.connection)
    static let upgrade = ProxyHeader(.upgrade)
    static let location = ProxyHeader(.location)
    static let xForwardedFor = ProxyHeader(.xForwardedFor)
    static let xRealIP = ProxyHeader(.xRealIP)
    static let xForwardedProto = ProxyHeader(.xForwardedProto)
    static let xForwardedHost = ProxyHeader(.xForwardedHost)
    static let forwarded = ProxyHeader(.forwarded)
    static let xRequestID = ProxyHeader(.xRequestID)

    /// RFC 9110 §7.6.1, plus the proxy-only fields.
    static let hopByHop: [ProxyHeader] = [
        .connection, ProxyHeader(HTTPField.Name("Keep-Alive")!), ProxyHeader(HTTPField.Name("Proxy-Connection")!), ProxyHeader(.te),
        ProxyHeader(.trailer), ProxyHeader(.transferEncoding), .upgrade, ProxyHeader(.proxyAuthorization),
        ProxyHeader(.proxyAuthenticate),
    ]
}

/// The header operations the forwarding rules need: implemented by `HTTPFields` (the async path) and by NIO's
/// `HTTPHeaders` (the event-loop fast path), so both follow one set of rules.
protocol ForwardingHeaders {
    /// Every value of `name`, joined with `, ` (as `HTTPFields` does).
    subscript(joined name: ProxyHeader) -> String? { get }
    /// Replaces every `name` field with one `value`, or removes them all for `nil`.
    mutating func set(_ name: ProxyHeader, _ value: String?)
    /// Whether a `name` field is present.
    func has(_ name: ProxyHeader) -> Bool
    /// Every comma-separated token of every `Connection` field.
    func connectionTokens() -> [Substring]
    /// Removes every field named `token` (a name from `Connection`).
    mutating func remove(named token: Substring)
}

extension HTTPFields: ForwardingHeaders {
    subscript(joined name: ProxyHeader) -> String? { self[name.field] }
    mutating func set(_ name: ProxyHeader, _ value: String?) { self[name.field] = value }
    func has(_ name: ProxyHeader) -> Bool { self.contains(name.field) }
    func connectionTokens() -> [Substring] { self[values: .connection].flatMap { $0.split(separator: ",") } }
    mutating func remove(named token: Substring) {
        if let name = HTTPField.Name(String(token.trimmingOWS)) { self[name] = nil }
    }
}

extension HTTPHeaders: ForwardingHeaders {
    subscript(joined name: ProxyHeader) -> String? {
        let values = self[name.nio]
        return values.count <= 1 ? values.first : values.joined(separator: ", ")
    }
    mutating func set(_ name: ProxyHeader, _ value: String?) {
        if let value { self.replaceOrAdd(name: name.nio, value: value) } else { self.remove(name: name.nio) }
    }
    func has(_ name: ProxyHeader) -> Bool { self.contains(name: name.nio) }
    func connectionTokens() -> [Substring] { self["connection"].flatMap { $0.split(separator: ",") } }
    mutating func remove(named token: Substring) { self.remove(name: String(token.trimmingOWS)) }
}

/// The header rules of ``ReverseProxy``, in one place for both request paths.
enum ForwardingRules {
    /// Removes hop-by-hop fields (RFC 9110 §7.6.1), including every field `Connection` names.
    static func removeHopByHop(_ fields: inout some ForwardingHeaders) {
        if fields.has(.connection) {
            for token in fields.connectionTokens() { fields.remove(named: token) }
        }
        for name in ProxyHeader.hopByHop where fields.has(name) { fields.set(name, nil) }
    }

    /// Whether a request asks to switch protocols (`Connection: upgrade` with `Upgrade`).
    static func isUpgrade(_ fields: some ForwardingHeaders) -> Bool {
        guard fields.has(.upgrade) else { return false }
        return fields.connectionTokens().contains { $0.trimmingOWS.lowercased() == "upgrade" }
    }

    /// Turns the client's header fields into the upstream's: hop-by-hop fields out (an upgrade kept when
    /// tunnelling), forwarded fields set — extended only when `peer` is a trusted proxy — and the request id.
    static func prepareRequest(
        _ fields: inout some ForwardingHeaders,
        peer: String?,
        authority: String?,
        requestID: String?,
        configuration: ReverseProxy.Configuration
    ) {
        let upgrade = Self.isUpgrade(fields) ? fields[joined: .upgrade] : nil
        Self.removeHopByHop(&fields)
        if let upgrade {
            // Tunnelled: the upstream must see the upgrade it is asked for.
            fields.set(.connection, "upgrade")
            fields.set(.upgrade, upgrade)
        }
        let trusted = peer.map { address in configuration.trustedProxies.contains { $0.contains(address) } } ?? false
        let client = peer ?? "unknown"

        let forwardedFor = trusted ? fields[joined: .xForwardedFor] : nil
        fields.set(.xForwardedFor, forwardedFor.map { "\($0), \(client)" } ?? client)
        if !(trusted && fields.has(.xRealIP)) { fields.set(.xRealIP, client) }
        if !(trusted && fields.has(.xForwardedProto)) { fields.set(.xForwardedProto, "http") }
        if !(trusted && fields.has(.xForwardedHost)) { fields.set(.xForwardedHost, authority) }
        if configuration.addForwardedHeader {
            let node = client.contains(":") ? "\"[\(client)]\"" : client
            var element = "for=\(node);proto=http"
            if let authority { element += ";host=\"\(authority)\"" }
            let existing = trusted ? fields[joined: .forwarded] : nil
            fields.set(.forwarded, existing.map { "\($0), \(element)" } ?? element)
        } else if !trusted {
            fields.set(.forwarded, nil)
        }
        if let requestID { fields.set(.xRequestID, requestID) }
    }
}
