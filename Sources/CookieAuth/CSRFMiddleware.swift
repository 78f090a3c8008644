import Foundation
public import HTTPCore
public import HTTPTypes
import Logging
import NIOCore

/// Refuses cross-site unsafe requests (POST, PUT, PATCH, DELETE) that carry cookies.
///
/// In order:
/// 1. `Sec-Fetch-Site: same-origin` (or `none`, a user navigation) passes; `cross-site`/`same-site` is refused.
/// 2. Otherwise `Origin` must be one of `allowedOrigins` or the request's own origin. The own origin comes
///    from `Host` — or from `X-Forwarded-Host`/`X-Forwarded-Proto` when the peer is a trusted proxy, so the
///    classic "Origin checking failed" behind a proxy does not happen.
/// 3. Without either header (old browsers, some clients), the signed double-submit token must match:
///    the `csrf_token` cookie and an `X-CSRF-Token` header or `csrf_token` form field carrying the same
///    value (see ``CSRFTokens``).
///
/// A refused request gets 403; the reason is logged.
///
/// ```swift
/// let pages = router.wrapped(in: CSRFMiddleware(tokens: csrfTokens, allowedOrigins: ["http://localhost:8080"],
///                                               trustedProxies: [try CIDR("127.0.0.1")]))
/// ```
public struct CSRFMiddleware: Middleware {
    /// Checks double-submit tokens.
    public let tokens: CSRFTokens
    /// Origins allowed besides the request's own.
    public let allowedOrigins: Set<String>
    /// Peers whose `X-Forwarded-Host`/`-Proto` are believed.
    public let trustedProxies: [CIDR]
    /// Whether unsafe requests without cookies are checked too. Off by default: without cookies there is no
    /// ambient authority to abuse. Turn it on for servers whose forms sign users in, against login CSRF (a
    /// cross-site post signing the victim in as the attacker; `SameSite=Lax` cookies are not sent with it).
    public let checksRequestsWithoutCookies: Bool

    /// Creates the middleware.
    public init(
        tokens: CSRFTokens,
        allowedOrigins: [String] = [],
        trustedProxies: [CIDR] = [],
        checksRequestsWithoutCookies: Bool = false
    ) {
        self.tokens = tokens
        self.allowedOrigins = Set(allowedOrigins.map(CookieBearerForwarding.normalize))
        self.trustedProxies = trustedProxies
        self.checksRequestsWithoutCookies = checksRequestsWithoutCookies
    }

    public func handle(_ request: Request, context: RequestContext, next: some HTTPHandler) async throws -> Response {
        guard [.post, .put, .patch, .delete].contains(request.method),
            self.checksRequestsWithoutCookies || request.headers[.cookie] != nil
        else {
            return try await next.handle(request, context: context)
        }
        if let site = request.headers[.secFetchSite]?.lowercased() {
            if site == "same-origin" || site == "none" { return try await next.handle(request, context: context) }
            if request.headers[.origin] == nil { return try self.refuse("Sec-Fetch-Site is \(site)", context) }
        }
        if let origin = request.headers[.origin] {
            let normalized = CookieBearerForwarding.normalize(origin)
            if normalized == self.ownOrigin(of: request, context: context) || self.allowedOrigins.contains(normalized) {
                return try await next.handle(request, context: context)
            }
            return try self.refuse("Origin \(origin) is not allowed", context)
        }
        // No browser provenance headers: the double-submit token decides (which may need the body).
        var request = request
        guard let cookie = request.cookies[CSRFTokens.cookieName] else { return try self.refuse("no CSRF cookie", context) }
        var submitted = request.headers[CSRFTokens.headerName]
        if submitted == nil, request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true {
            let body = try await request.body.collect(upTo: 1 << 20)
            submitted = QueryParameters(parsing: String(buffer: body))[CSRFTokens.fieldName]
            request.body = RequestBody(bytes: body)  // handlers still read the form
        }
        guard let submitted, self.tokens.matches(cookie: cookie, submitted: submitted) else {
            return try self.refuse("CSRF token missing or wrong", context)
        }
        return try await next.handle(request, context: context)
    }

    /// `scheme://host:port` the client used, believing forwarded headers only from trusted proxies.
    func ownOrigin(of request: Request, context: RequestContext) -> String? {
        let trusted = context.remoteAddress?.ipAddress.map { address in self.trustedProxies.contains { $0.contains(address) } } ?? false
        let forwardedHost =
            trusted ? request.headers[.xForwardedHost]?.split(separator: ",").first.map { $0.trimmingOWS } : nil
        let forwardedProto =
            trusted ? request.headers[.xForwardedProto]?.split(separator: ",").first.map { $0.trimmingOWS } : nil
        guard let host = forwardedHost ?? request.head.authority else { return nil }
        return CookieBearerForwarding.normalize("\(forwardedProto ?? "http")://\(host)")
    }

    private func refuse(_ reason: String, _ context: RequestContext) throws -> Response {
        context.logger.warning("CSRF check refused a request", metadata: ["reason": "\(reason)"])
        throw HTTPError(.forbidden, message: "Cross-site request refused")
    }
}

/// Signed double-submit tokens: the same random value in the `csrf_token` cookie and in the form (or
/// `X-CSRF-Token` header). The signature stops a sibling subdomain from planting a cookie of its own.
///
/// ```swift
/// let (cookie, field) = csrfTokens.issue()
/// try response.setCookie(cookie)      // and put `field` in <input type="hidden" name="csrf_token">
/// ```
public struct CSRFTokens: Sendable {
    /// The cookie name.
    public static let cookieName = "csrf_token"
    /// The form field name.
    public static let fieldName = "csrf_token"
    /// The header that may carry the token instead of the form field.
    public static let headerName = HTTPField.Name("X-CSRF-Token")!
    let signer: CookieSigner
    /// How long a token is valid.
    public let lifetime: Duration

    /// Creates the token source.
    public init(keys: KeyRing, lifetime: Duration = .seconds(7200)) {
        self.signer = CookieSigner(keys: keys)
        self.lifetime = lifetime
    }

    /// A new token: the cookie to set, and the value for the form field.
    public func issue(secure: Bool = true) -> (cookie: SetCookie, field: String) {
        let token = self.signer.sign(randomToken(), name: Self.cookieName, expiresIn: self.lifetime)
        let cookie = SetCookie(
            name: Self.cookieName,
            value: token,
            maxAge: Int(self.lifetime.components.seconds),
            secure: secure,
            sameSite: .lax
        )
        return (cookie, token)
    }

    /// Whether the submitted token is the cookie's and carries a valid signature.
    public func matches(cookie: String, submitted: String) -> Bool {
        self.signer.verify(cookie, name: Self.cookieName) != nil && constantTimeEquals(Array(cookie.utf8), Array(submitted.utf8))
    }
}

/// Whether two byte strings are equal, in time that depends only on their length (no early exit that
/// would leak how many leading bytes of a secret an attacker guessed).
package func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for (a, b) in zip(lhs, rhs) { difference |= a ^ b }
    return difference == 0
}
