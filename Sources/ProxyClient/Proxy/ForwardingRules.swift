import HTTPCore
import HTTPTypes
import NIOHTTP1

/// Header fields as the forwarding rules read them: `HTTPFields` on the async path, NIO's `HTTPHeaders`
/// and a scanned response head (``ResponseHeadFields``) on the event-loop fast path — so all follow one
/// set of rules, applied in two passes over the fields (no lookup per rule: a proxied request meets about
/// twenty).
protocol ForwardedFields: Sequence {
    /// The field's name, in whatever case it came.
    static func name(of field: Element) -> String
    /// The field's value.
    static func value(of field: Element) -> String
    /// Which rule applies to the field.
    static func kind(of field: Element) -> ForwardingRules.Kind
}

extension ForwardedFields {
    static func kind(of field: Element) -> ForwardingRules.Kind { ForwardingRules.kind(of: Self.name(of: field)) }
}

/// Fields the rules both read and produce.
protocol ForwardingHeaders: ForwardedFields, ForwardedFieldWriter where Field == Element {
    /// An empty set of fields with room for `capacity`.
    init(capacity: Int)
}

/// Where the forwarding rules write the fields they keep and add: another set of fields, or (on the
/// event-loop fast path) the bytes of a head.
protocol ForwardedFieldWriter {
    associatedtype Field
    /// Appends a field as it came.
    mutating func append(_ field: Field)
    /// Appends a new field.
    mutating func append(_ name: ProxyHeader, _ value: String)
}

extension HTTPFields: ForwardingHeaders {
    init(capacity: Int) {
        self.init()
        self.reserveCapacity(capacity)
    }
    static func name(of field: HTTPField) -> String { field.name.canonicalName }
    static func value(of field: HTTPField) -> String { field.value }
    mutating func append(_ name: ProxyHeader, _ value: String) { self.append(HTTPField(name: name.field, value: value)) }
}

extension HTTPHeaders: ForwardingHeaders {
    init(capacity: Int) {
        self.init()
        self.reserveCapacity(capacity)
    }
    static func name(of field: (name: String, value: String)) -> String { field.name }
    static func value(of field: (name: String, value: String)) -> String { field.value }
    mutating func append(_ field: (name: String, value: String)) { self.add(name: field.name, value: field.value) }
    mutating func append(_ name: ProxyHeader, _ value: String) { self.add(name: name.nio, value: value) }
}

/// A header name as both header types spell it.
struct ProxyHeader: Sendable {
    let field: HTTPField.Name
    /// As sent: the same spelling on both paths (`X-Forwarded-For`, not `x-forwarded-for`).
    let nio: String

    init(_ field: HTTPField.Name) {
        self.field = field
        self.nio = field.rawName
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
}

/// The header rules of ``ReverseProxy``, in one place for both request paths.
enum ForwardingRules {
    /// The fields a rule is about.
    enum Kind {
        case connection, upgrade, hopByHop, xForwardedFor, xRealIP, xForwardedProto, xForwardedHost, forwarded, xRequestID, location
        case contentLength, date
        /// Hop-by-hop; its own kind because a body forwarded as it came keeps the framing it names.
        case transferEncoding
        case other
    }

    /// What rule applies to a field named `name` (any case): a switch on length, then one comparison.
    static func kind(of name: String) -> Kind {
        var name = name
        return name.withUTF8 { Self.kind(ofBytes: $0) }
    }

    /// What rule applies to a field whose name is `bytes` (any case).
    static func kind(ofBytes bytes: UnsafeBufferPointer<UInt8>) -> Kind {
        do {
            func `is`(_ lower: StaticString) -> Bool { equalsIgnoringASCIICase(bytes, lower) }
            switch bytes.count {
            case 2: return `is`("te") ? .hopByHop : .other
            case 4: return `is`("date") ? .date : .other
            case 14: return `is`("content-length") ? .contentLength : .other
            case 7: return `is`("upgrade") ? .upgrade : `is`("trailer") ? .hopByHop : .other
            case 8: return `is`("location") ? .location : .other
            case 9: return `is`("x-real-ip") ? .xRealIP : `is`("forwarded") ? .forwarded : .other
            case 10: return `is`("connection") ? .connection : `is`("keep-alive") ? .hopByHop : .other
            case 12: return `is`("x-request-id") ? .xRequestID : .other
            case 15: return `is`("x-forwarded-for") ? .xForwardedFor : .other
            case 16: return `is`("x-forwarded-host") ? .xForwardedHost : `is`("proxy-connection") ? .hopByHop : .other
            case 17: return `is`("x-forwarded-proto") ? .xForwardedProto : `is`("transfer-encoding") ? .transferEncoding : .other
            case 18: return `is`("proxy-authenticate") ? .hopByHop : .other
            case 19: return `is`("proxy-authorization") ? .hopByHop : .other
            default: return .other
            }
        }
    }

    /// The lower-cased tokens of every `Connection` field: the fields they name are hop-by-hop too.
    private static func connectionTokens<Fields: ForwardedFields>(_ fields: Fields) -> [String] {
        var tokens: [String] = []
        for field in fields where Fields.kind(of: field) == .connection {
            for token in Fields.value(of: field).split(separator: ",") {
                let trimmed = token.trimmingOWS
                if !trimmed.isEmpty { tokens.append(trimmed.lowercased()) }
            }
        }
        return tokens
    }

    /// Whether `field` is one that `Connection` names (its name is only looked at when there are tokens).
    private static func isNamed<Fields: ForwardedFields>(_ field: Fields.Element, of fields: Fields, by tokens: [String]) -> Bool {
        guard !tokens.isEmpty else { return false }
        let name = Fields.name(of: field)
        return tokens.contains { $0.utf8.count == name.utf8.count && $0 == name.lowercased() }
    }

    /// The upstream's header fields for a request with the client's `fields`: hop-by-hop fields out (an
    /// upgrade kept when tunnelling), forwarded fields set — extended only when `peer` is a trusted proxy —
    /// and the request id.
    static func upstreamRequest<Headers: ForwardingHeaders>(
        _ fields: Headers,
        peer: String?,
        authority: String?,
        requestID: String?,
        secure: Bool = false,
        configuration: ReverseProxy.Configuration
    ) -> Headers {
        var output = Headers(capacity: fields.underestimatedCount + 6)
        Self.upstreamRequest(
            fields,
            into: &output,
            peer: peer,
            authority: authority,
            requestID: requestID,
            secure: secure,
            configuration: configuration
        )
        return output
    }

    /// ``upstreamRequest(_:peer:authority:requestID:secure:configuration:)``, written into `output`. `secure`: the
    /// client came over TLS (`X-Forwarded-Proto: https`).
    static func upstreamRequest<Headers: ForwardingHeaders, Output: ForwardedFieldWriter>(
        _ fields: Headers,
        into output: inout Output,
        peer: String?,
        authority: String?,
        requestID: String?,
        secure: Bool = false,
        configuration: ReverseProxy.Configuration
    ) where Output.Field == Headers.Element {
        let tokens = Self.connectionTokens(fields)
        let trusted = peer.map { address in configuration.trustedProxies.contains { $0.contains(address) } } ?? false
        let client = peer ?? "unknown"

        var upgrade: String?
        var forwardedFor: [String] = []
        var forwarded: [String] = []
        var kept = (realIP: false, proto: false, host: false)
        for field in fields {
            let kind = Headers.kind(of: field)
            if kind == .upgrade {
                if upgrade == nil { upgrade = Headers.value(of: field) }
                continue
            }
            if kind == .connection || kind == .hopByHop || kind == .transferEncoding || Self.isNamed(field, of: fields, by: tokens) {
                continue
            }
            switch kind {
            case .xForwardedFor:
                if trusted { forwardedFor.append(Headers.value(of: field)) }
                continue
            case .forwarded:
                if trusted && configuration.addForwardedHeader { forwarded.append(Headers.value(of: field)) }
                if !trusted || configuration.addForwardedHeader { continue }
            case .xRealIP:
                guard trusted else { continue }
                kept.realIP = true
            case .xForwardedProto:
                guard trusted else { continue }
                kept.proto = true
            case .xForwardedHost:
                guard trusted else { continue }
                kept.host = true
            case .xRequestID:
                if requestID != nil { continue }
            default:
                break
            }
            output.append(field)
        }
        if let upgrade, tokens.contains("upgrade") {
            // Tunnelled: the upstream must see the upgrade it is asked for.
            output.append(.connection, "upgrade")
            output.append(.upgrade, upgrade)
        }
        output.append(.xForwardedFor, forwardedFor.isEmpty ? client : forwardedFor.joined(separator: ", ") + ", " + client)
        if !kept.realIP { output.append(.xRealIP, client) }
        let proto = secure ? "https" : "http"
        if !kept.proto { output.append(.xForwardedProto, proto) }
        if !kept.host, let authority { output.append(.xForwardedHost, authority) }
        if configuration.addForwardedHeader {
            let node = client.contains(":") ? "\"[\(client)]\"" : client
            var element = "for=\(node);proto=\(proto)"
            if let authority { element += ";host=\"\(authority)\"" }
            output.append(.forwarded, forwarded.isEmpty ? element : forwarded.joined(separator: ", ") + ", " + element)
        }
        if let requestID { output.append(.xRequestID, requestID) }
    }

    /// The client's header fields for a response with the upstream's `fields`: hop-by-hop fields out, a
    /// `Location` rewritten by `redirects` (see ``ReverseProxy/rewrite(location:authority:secure:)``) for a client
    /// that asked `authority`, and the request id when there is one.
    static func clientResponse<Headers: ForwardingHeaders>(
        _ fields: Headers,
        redirects: ReverseProxy?,
        authority: String?,
        requestID: String?,
        secure: Bool = false
    ) -> Headers {
        let rewritesLocation = redirects?.configuration.rewriteRedirects == true
        var untouched = true
        for field in fields {
            switch Headers.kind(of: field) {
            case .connection, .upgrade, .hopByHop, .transferEncoding: untouched = false
            case .location where rewritesLocation: untouched = false
            case .xRequestID where requestID != nil: untouched = false
            default: continue
            }
            break
        }
        if untouched {
            // The common case: nothing to remove, so no copy.
            var output = fields
            if let requestID { output.append(.xRequestID, requestID) }
            return output
        }
        var output = Headers(capacity: fields.underestimatedCount + 1)
        Self.clientResponse(fields, into: &output, redirects: redirects, authority: authority, requestID: requestID, secure: secure)
        return output
    }

    /// ``clientResponse(_:redirects:authority:requestID:secure:)``, written into `output`. With `keepingFraming`,
    /// `Transfer-Encoding` stays: the fast path forwards the body as it came, in the codings it names. `secure`: the
    /// client came over TLS (a rewritten `Location` is `https`). `addInner` writes what middleware inside the request-id
    /// middleware appends (a compressor's `Vary`), where the general path has it: after the upstream's fields, before
    /// an appended request id.
    static func clientResponse<Fields: ForwardedFields, Output: ForwardedFieldWriter>(
        _ fields: Fields,
        into output: inout Output,
        redirects: ReverseProxy?,
        authority: String?,
        requestID: String?,
        secure: Bool = false,
        keepingFraming: Bool = false,
        addInner: (inout Output) -> Void = { _ in }
    ) where Output.Field == Fields.Element {
        let rewritesLocation = redirects?.configuration.rewriteRedirects == true
        let tokens = Self.connectionTokens(fields)
        var requestIDWritten = false
        for field in fields {
            switch Fields.kind(of: field) {
            case .connection, .upgrade, .hopByHop:
                continue
            case .transferEncoding:
                if !keepingFraming { continue }
            case .location:
                if rewritesLocation, let redirects {
                    output.append(.location, redirects.rewrite(location: Fields.value(of: field), authority: authority, secure: secure))
                    continue
                }
            case .xRequestID:
                if let requestID {
                    // Ours replaces the upstream's where it stood (as `HTTPFields`' setter does on the general path).
                    if !requestIDWritten { output.append(.xRequestID, requestID) }
                    requestIDWritten = true
                    continue
                }
            default:
                if Self.isNamed(field, of: fields, by: tokens) { continue }
            }
            output.append(field)
        }
        addInner(&output)
        if let requestID, !requestIDWritten { output.append(.xRequestID, requestID) }
    }
}
