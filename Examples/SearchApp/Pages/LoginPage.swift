import APIEnvelope
public import CookieAuth
import HTTPCore
import HTTPTypes
public import SSRRendering

/// What the sign-in form shows.
public struct LoginPageProps: Sendable {
    /// The user name typed so far.
    public var username: String
    /// Why the last attempt failed.
    public var problem: String?
    /// The CSRF token for the hidden field.
    public var csrfToken: String
}

/// `/search/login/`: the sign-in form. Posting it signs in through the API (`POST /api/login/`), passes the
/// API's `access_token` cookie on to the browser and redirects with 303 to `/search/account/`.
///
/// The form carries a signed double-submit CSRF token (the `csrf_token` cookie and hidden field), for
/// clients that send neither `Sec-Fetch-Site` nor `Origin`; `CSRFMiddleware` checks it.
public struct LoginPage: Page {
    /// Issues CSRF tokens.
    public let csrf: CSRFTokens
    /// Whether cookies are `Secure`.
    public let secureCookies: Bool

    /// Creates the page.
    public init(csrf: CSRFTokens, secureCookies: Bool) {
        self.csrf = csrf
        self.secureCookies = secureCookies
    }

    public var route: String { "/search/login/" }
    public var cacheControl: String { "no-store" }
    public var usesETag: Bool { false }

    public func load(_ context: PageContext) async throws -> PageResult<LoginPageProps> {
        .props(LoginPageProps(username: "", problem: nil, csrfToken: try self.issueToken(context)))
    }

    public func submit(_ context: PageContext) async throws -> PageResult<LoginPageProps> {
        let form = try await context.form()
        let username = form["username"] ?? ""
        do {
            let _: UserInfo = try await context.api.post(
                "/api/login/",
                json: ["username": username, "password": form["password"] ?? ""],
                relayCookies: true
            )
            return .seeOther("/search/account/")
        } catch let error as APIError where [401, 422].contains(error.status.code) {
            let problem = error.status == .unauthorized ? error.message : "Enter a user name and a password."
            return .status(
                .unprocessableContent,
                LoginPageProps(username: username, problem: problem, csrfToken: try self.issueToken(context))
            )
        }
    }

    public func render(_ props: LoginPageProps, context: PageContext) -> Document {
        SiteLayout()(Head(title: "Sign in · Tandem Search", robots: "noindex"), context: context) {
            h1 { "Sign in" }
            if let problem = props.problem { p(.class("problems"), .role("alert")) { problem } }
            form(.class("login"), .method("post"), .action("/search/login/")) {
                input(.type("hidden"), .name(CSRFTokens.fieldName), .value(props.csrfToken))
                label {
                    "User name "; input(.name("username"), .value(props.username), .autocomplete("username"), .required)
                }
                label {
                    "Password "; input(.type("password"), .name("password"), .autocomplete("current-password"), .required)
                }
                button(.type("submit")) { "Sign in" }
            }
            p {
                "Demo users: "; code { "ada" }; " / "; code { "lovelace" }; ", "; code { "grace" }; " / "; code { "hopper" }
            }
        }
    }

    private func issueToken(_ context: PageContext) throws -> String {
        let (cookie, field) = self.csrf.issue(secure: self.secureCookies)
        try context.setCookie(cookie)
        return field
    }
}

/// `/search/account/`: the signed-in user, from `GET /api/user/` with the cookie forwarded as a bearer
/// token; signed-out visitors are redirected to the sign-in page.
public struct AccountPage: Page {
    /// Creates the page.
    public init() {}

    public var route: String { "/search/account/" }
    public var cacheControl: String { "private, no-store" }
    public var usesETag: Bool { false }

    public func load(_ context: PageContext) async throws -> PageResult<UserInfo> {
        guard context.cookies["access_token"] != nil else { return .redirect(to: "/search/login/") }
        do {
            return .props(try await context.api.get("/api/user/"))
        } catch let error as APIError where error.status == .unauthorized {
            return .redirect(to: "/search/login/")
        }
    }

    public func render(_ user: UserInfo, context: PageContext) -> Document {
        SiteLayout()(Head(title: "Your account · Tandem Search", robots: "noindex"), context: context) {
            h1 {
                "Signed in as "; span(.id("user-name")) { user.name }
            }
            p {
                "User name: "; code(.id("username")) { user.username }
            }
            form(.method("post"), .action("/search/logout/")) { button(.type("submit")) { "Sign out" } }
        }
    }
}

/// `POST /search/logout/`: signs out through the API (which deletes the cookie) and goes back to search.
public struct LogoutPage: Page {
    /// Creates the page.
    public init() {}

    public var route: String { "/search/logout/" }

    public func load(_ context: PageContext) async throws -> PageResult<Void> { .redirect(to: "/search/account/") }

    public func submit(_ context: PageContext) async throws -> PageResult<Void> {
        let _: NoData? = try await context.api.post("/api/logout/", json: [String: String](), relayCookies: true)
        return .seeOther("/search/")
    }

    public func render(_ props: Void, context: PageContext) -> Document {
        Document(head: Head(title: "Signed out")) { p { "Signed out." } }
    }
}
