public import CookieAuth
import Foundation
public import HTTPCore
import HTTPTypes
import Logging
import NIOCore
import Routing
public import SSRRendering
import StaticFiles

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
    /// The folder served at `/search/static/` (the stylesheet): the package's copy of `Examples/SearchApp/Static`.
    public var staticDirectory: String = SearchWeb.bundledStaticDirectory

    /// `Static/` as SwiftPM copied it next to the executable (`Tandem_SearchApp.resources/Static`).
    public static var bundledStaticDirectory: String { Bundle.module.bundleURL.appendingPathComponent("Static").path }

    /// Creates the web server's handler factory.
    public init(api: APIClient, keys: KeyRing, secureCookies: Bool = false, trustedProxies: [CIDR] = []) {
        self.api = api
        self.csrf = CSRFTokens(keys: keys)
        self.secureCookies = secureCookies
        self.trustedProxies = trustedProxies
    }

    /// The handler: pages, and the static folder at `/search/static/` (a `FileServer`: validators, ranges, nothing
    /// outside the folder), with CSRF protection, error pages and request ids.
    public func handler() throws -> some HTTPHandler {
        var site = PageRouter.Builder(api: self.api, errorPages: SiteErrorPages())
        site.add(SearchPage())
        site.add(LoginPage(csrf: self.csrf, secureCookies: self.secureCookies))
        site.add(AccountPage())
        site.add(LogoutPage())
        var files = FileServer.Configuration()
        files.cacheControl = "public, max-age=3600"
        var locations = PrefixRouter()
        locations.location("/search/static/", rewrite: .strip, try FileServer(root: self.staticDirectory, configuration: files))
        locations.fallback(try site.build())
        return
            locations
            .wrapped(in: CSRFMiddleware(tokens: self.csrf, trustedProxies: self.trustedProxies, checksRequestsWithoutCookies: true))
            .wrapped(in: ErrorMiddleware(ErrorPageRenderer(SiteErrorPages())))
            .wrapped(in: RequestIDMiddleware())
            .wrapped(in: AccessLogMiddleware(level: .debug))
    }
}
