public import HTTPCore
public import HTTPTypes
import Logging

/// Cross-origin resource sharing (the Fetch standard's CORS protocol) for an API that browsers on other origins call.
///
/// - **Preflights** (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) are answered here and never reach
///   the handler: `204` with the allowed methods, headers and `Access-Control-Max-Age` when the origin, the method and
///   every requested header are allowed; `403` otherwise, with no CORS headers and no side effects.
/// - **Requests from an allowed origin** get `Access-Control-Allow-Origin` (the origin itself, or `*` for
///   ``Configuration/anyOrigin`` without credentials), `Access-Control-Allow-Credentials: true` when credentials are
///   allowed, and `Access-Control-Expose-Headers`. Requests from other origins are served without them, so the
///   browser keeps the answer from the page: CORS protects reading, not the request itself. Unsafe requests need
///   ``CSRFMiddleware`` as well; list the same origins there (``Configuration/exactOrigins``).
/// - `Vary: Origin` on every answer whose headers depend on the origin, so caches keep them apart.
/// - Credentials are never combined with `*`: ``Configuration`` refuses `anyOrigin` with `allowsCredentials`.
///
/// ```swift
/// let cors = try CORSMiddleware(.init(origins: ["https://app.example.com", "https://*.preview.example.com"],
///                                     allowsCredentials: true))
/// let api = router.wrapped(in: CSRFMiddleware(tokens: tokens, allowedOrigins: cors.configuration.exactOrigins))
///     .wrapped(in: cors)
/// ```
public struct CORSMiddleware: Middleware {
    /// Which origins, methods and headers are allowed, and for how long browsers may cache a preflight.
    public struct Configuration: Sendable {
        /// Origins allowed: exact (`https://app.example.com`, `http://localhost:5173`) or with one leading wildcard
        /// label (`https://*.example.com`: any subdomain, at any depth, never `example.com` itself).
        public var origins: [String]
        /// Whether every origin is allowed (`Access-Control-Allow-Origin: *`); only without credentials.
        public var anyOrigin: Bool
        /// Methods a cross-origin request may use. Default `GET`, `HEAD`, `POST`, `PUT`, `PATCH`, `DELETE`.
        public var methods: [HTTPRequest.Method]
        /// Request headers a cross-origin request may send beyond the CORS-safelisted ones. Default `Content-Type`,
        /// `Authorization`, `X-CSRF-Token`, `X-Request-ID`.
        public var headers: [String]
        /// Response headers the page may read beyond the safelisted ones. Default `X-Request-ID`.
        public var exposedHeaders: [String]
        /// Whether cookies and `Authorization` go with cross-origin requests (`Access-Control-Allow-Credentials`).
        /// Default false.
        public var allowsCredentials: Bool
        /// How long a browser may cache a preflight's answer. Default 10 minutes (Chromium caps it at 2 hours).
        public var maxAge: Duration?

        /// Creates a configuration.
        /// - Throws: ``CORSConfigurationError`` for a malformed origin, or `anyOrigin` with `allowsCredentials`.
        public init(
            origins: [String] = [],
            anyOrigin: Bool = false,
            methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete],
            headers: [String] = ["Content-Type", "Authorization", "X-CSRF-Token", "X-Request-ID"],
            exposedHeaders: [String] = ["X-Request-ID"],
            allowsCredentials: Bool = false,
            maxAge: Duration? = .seconds(600)
        ) throws(CORSConfigurationError) {
            if anyOrigin && allowsCredentials {
                throw CORSConfigurationError("credentials cannot be allowed for any origin: list the origins")
            }
            for origin in origins where OriginPattern(origin) == nil {
                throw CORSConfigurationError("not an origin (scheme://host[:port], or scheme://*.domain[:port]): \(origin)")
            }
            self.origins = origins
            self.anyOrigin = anyOrigin
            self.methods = methods
            self.headers = headers
            self.exposedHeaders = exposedHeaders
            self.allowsCredentials = allowsCredentials
            self.maxAge = maxAge
        }

        /// The origins without wildcards, normalised, for ``CSRFMiddleware``'s `allowedOrigins`.
        public var exactOrigins: [String] { self.origins.filter { !$0.contains("*") } }
    }

    /// The configuration.
    public let configuration: Configuration
    private let patterns: [OriginPattern]
    private let methods: Set<String>
    private let headers: Set<String>
    private let allowMethods: String
    private let allowHeaders: String
    private let exposeHeaders: String?

    /// Creates the middleware.
    public init(_ configuration: Configuration) {
        self.configuration = configuration
        self.patterns = configuration.origins.compactMap(OriginPattern.init)
        self.methods = Set(configuration.methods.map(\.rawValue))
        self.headers = Set(configuration.headers.map { $0.lowercased() })
        self.allowMethods = configuration.methods.map(\.rawValue).joined(separator: ", ")
        self.allowHeaders = configuration.headers.joined(separator: ", ")
        self.exposeHeaders = configuration.exposedHeaders.isEmpty ? nil : configuration.exposedHeaders.joined(separator: ", ")
    }

    public func handle(_ request: Request, context: RequestContext, next: some HTTPHandler) async throws -> Response {
        guard let origin = request.headers[.origin] else {
            var response = try await next.handle(request, context: context)
            self.addVary(to: &response, preflight: false)
            return response
        }
        let allowed = self.allows(origin)
        if request.method == .options, let method = request.headers[.accessControlRequestMethod] {
            return self.preflight(origin: origin, allowed: allowed, method: method, request: request, context: context)
        }
        var response = try await next.handle(request, context: context)
        self.addVary(to: &response, preflight: false)
        guard allowed else { return response }
        response.headers[.accessControlAllowOrigin] = self.allowOrigin(origin)
        if self.configuration.allowsCredentials { response.headers[.accessControlAllowCredentials] = "true" }
        if let exposeHeaders { response.headers[.accessControlExposeHeaders] = exposeHeaders }
        return response
    }

    /// Whether `origin` (as the browser sent it in `Origin`) is allowed: also for checks of your own, such as a
    /// WebSocket upgrade's origin.
    public func allows(_ origin: String) -> Bool {
        if self.configuration.anyOrigin { return true }
        return self.patterns.contains { $0.matches(origin) }
    }

    private func allowOrigin(_ origin: String) -> String {
        self.configuration.anyOrigin ? "*" : origin
    }

    private func preflight(origin: String, allowed: Bool, method: String, request: Request, context: RequestContext) -> Response {
        let requested = (request.headers[.accessControlRequestHeaders] ?? "").split(separator: ",")
            .map { $0.trimmingOWS.lowercased() }.filter { !$0.isEmpty }
        let refusal: String? =
            if !allowed {
                "origin \(origin) is not allowed"
            } else if !self.methods.contains(method) && !["GET", "HEAD", "POST"].contains(method) {
                "method \(method) is not allowed"
            } else if let header = requested.first(where: { !self.headers.contains($0) }) { "header \(header) is not allowed" } else { nil }
        var response: Response
        if let refusal {
            context.logger.info("CORS preflight refused", metadata: ["reason": "\(refusal)"])
            response = .text("CORS preflight refused: \(refusal)\n", status: .forbidden)
        } else {
            response = Response(status: .noContent)
            response.headers[.accessControlAllowOrigin] = self.allowOrigin(origin)
            response.headers[.accessControlAllowMethods] = self.allowMethods
            if !requested.isEmpty { response.headers[.accessControlAllowHeaders] = self.allowHeaders }
            if self.configuration.allowsCredentials { response.headers[.accessControlAllowCredentials] = "true" }
            if let maxAge = self.configuration.maxAge {
                response.headers[.accessControlMaxAge] = String(maxAge.components.seconds)
            }
        }
        self.addVary(to: &response, preflight: true)
        return response
    }

    private func addVary(to response: inout Response, preflight: Bool) {
        // `*` for everyone does not depend on the origin.
        guard !self.configuration.anyOrigin || preflight else { return }
        var names = ["Origin"]
        if preflight { names += ["Access-Control-Request-Method", "Access-Control-Request-Headers"] }
        let present = Set(response.headers[values: .vary].flatMap { $0.split(separator: ",").map { $0.trimmingOWS.lowercased() } })
        for name in names where !present.contains(name.lowercased()) && !present.contains("*") {
            response.headers.append(HTTPField(name: .vary, value: name))
        }
    }
}

/// A CORS configuration that cannot be right.
public struct CORSConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the configuration.
    public let description: String
    init(_ description: String) { self.description = description }
}

/// An allowed origin: exact, of any scheme (`https://app.example`, `chrome-extension://abcdefghijklmnop`,
/// `capacitor://localhost`), or `http(s)://*.domain[:port]`.
package struct OriginPattern: Sendable {
    let scheme: String
    /// The host, or the domain under which any subdomain matches.
    let host: String
    let port: Int
    let wildcard: Bool

    package init?(_ text: String) {
        guard let (scheme, host, port) = Self.split(text) else { return nil }
        self.scheme = scheme
        self.port = port
        if host.hasPrefix("*.") {
            // Subdomains are a web notion: an extension's or an app's origin names one installation, never a family.
            guard scheme == "http" || scheme == "https" else { return nil }
            self.host = String(host.dropFirst(2))
            self.wildcard = true
            guard !self.host.isEmpty, !self.host.contains("*") else { return nil }
        } else {
            guard !host.contains("*") else { return nil }
            self.host = host
            self.wildcard = false
        }
    }

    package func matches(_ origin: String) -> Bool {
        guard let (scheme, host, port) = Self.split(origin), scheme == self.scheme, port == self.port else { return false }
        guard self.wildcard else { return host == self.host }
        guard host.hasSuffix("." + self.host) else { return false }
        let sub = host.dropLast(self.host.count + 1)
        return !sub.isEmpty && sub.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." } && !sub.hasPrefix(".")
    }

    /// `(scheme, host, port)` of `scheme://host[:port]` with nothing after it (an origin has no path); lowercased,
    /// the default port of http and https filled in (0: no port, for a scheme without a default). Any scheme of RFC
    /// 3986's syntax is an origin's (browser extensions' `chrome-extension`, `moz-extension`, `safari-web-extension`;
    /// Capacitor's and Tauri's apps), as the Fetch standard serializes them.
    static func split(_ text: String) -> (String, String, Int)? {
        let lowered = text.lowercased()
        guard let separator = lowered.firstRange(of: "://") else { return nil }
        let scheme = String(lowered[..<separator.lowerBound])
        guard let first = scheme.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
            scheme.utf8.allSatisfy({ byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || "+-.".utf8.contains(byte)
            })
        else { return nil }
        let authority = lowered[separator.upperBound...]
        guard !authority.isEmpty, !authority.contains("/"), !authority.contains("@"), !authority.contains("?") else { return nil }
        var host = authority
        var port = scheme == "https" ? 443 : scheme == "http" ? 80 : 0
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else { return nil }
            port = number
            host = authority[..<colon]
        }
        guard !host.isEmpty else { return nil }
        return (scheme, String(host), port)
    }
}
