/// The request methods that metrics and spans name as they are; any other becomes `_OTHER` (the OpenTelemetry HTTP
/// semantic conventions), so a client cannot grow a metric's label set, or the names of spans, with methods of its
/// own making (`PROPFIND`, `MKCOL`, `PURGE`, or a fresh random token per request).
///
/// Spans of an `_OTHER` request keep the method the client sent in `http.request.method_original` and are named
/// `HTTP` (plus the route template), as the conventions ask.
///
/// ```swift
/// var configuration = HTTPServerConfiguration()
/// configuration.knownMethods = KnownMethods.standard.adding("PURGE")   // a cache that takes PURGE
/// ```
public struct KnownMethods: Sendable, Hashable {
    /// The methods named as they are (case-sensitive, as methods are: RFC 9110 §9.1).
    public var methods: Set<String>

    /// RFC 9110's methods and `PATCH` (RFC 5789): the conventions' default set.
    public static let standard = KnownMethods(["CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"])

    /// A set of methods.
    public init(_ methods: Set<String>) {
        self.methods = methods
    }

    /// This set and `method`.
    public func adding(_ method: String) -> KnownMethods {
        KnownMethods(self.methods.union([method]))
    }

    /// `method` as telemetry names it: itself when known, `_OTHER` otherwise.
    public func label(for method: String) -> String {
        self.methods.contains(method) ? method : Self.other
    }

    /// The name of every method outside the set.
    public static let other = "_OTHER"

    /// A span's name for a request of `method` (as ``label(for:)`` gives it): the method, `HTTP` for ``other``, then
    /// the route template when there is one.
    package static func spanName(method: String, route: String? = nil) -> String {
        let name = method == Self.other ? "HTTP" : method
        return route.map { "\(name) \($0)" } ?? name
    }
}
