public import CookieAuth
public import HTTPCore
import HTTPTypes
import Logging
import NIOCore
import Routing
public import SSRRendering

/// The example's web (SSR) server: the pages under `/search/`, rendered from the API's data.
///
/// - `GET /search/?query=` search form and results; `/search/login/` sign-in form (CSRF-protected) that
///   signs in through the API and relays its cookie; `/search/account/` the signed-in user;
///   `POST /search/logout/`; custom 404 and 502/503 pages. (`GET /healthz` is the launcher's, `TandemApp`.)
///
/// ```swift
/// let web = try SearchWeb(api: try .http("http://127.0.0.1:8000"), keys: keys).handler()
/// ```
public struct SearchWeb: Sendable {
    /// How pages reach the API.
    public let api: APIClient
    /// Signs CSRF tokens.
    public let csrf: CSRFTokens
    /// Whether cookies are `Secure`.
    public let secureCookies: Bool
    /// Proxies (the gateway, nginx) whose `X-Forwarded-Host`/`-Proto` the CSRF origin check believes.
    public let trustedProxies: [CIDR]

    /// Creates the web server's handler factory.
    public init(api: APIClient, keys: KeyRing, secureCookies: Bool = false, trustedProxies: [CIDR] = []) {
        self.api = api
        self.csrf = CSRFTokens(keys: keys)
        self.secureCookies = secureCookies
        self.trustedProxies = trustedProxies
    }

    /// The handler: pages and stylesheet, with CSRF protection, error pages and request ids.
    public func handler() throws -> some HTTPHandler {
        var site = PageRouter.Builder(api: self.api, errorPages: SiteErrorPages())
        site.add(SearchPage())
        site.add(LoginPage(csrf: self.csrf, secureCookies: self.secureCookies))
        site.add(AccountPage())
        site.add(LogoutPage())
        let css = ByteBuffer(string: SiteLayout.css)
        site.routes.get(SiteLayout.stylesheet) { _, _ in
            var response = Response.bytes(css, contentType: "text/css; charset=utf-8")
            response.headers[.cacheControl] = "public, max-age=3600"
            return response
        }
        return try site.build()
            .wrapped(in: CSRFMiddleware(tokens: self.csrf, trustedProxies: self.trustedProxies, checksRequestsWithoutCookies: true))
            .wrapped(in: ErrorMiddleware(ErrorPageRenderer(SiteErrorPages())))
            .wrapped(in: RequestIDMiddleware())
            .wrapped(in: AccessLogMiddleware(level: .debug))
    }
}
