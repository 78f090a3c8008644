import APIEnvelope
import Foundation
import HTMLTesting
import HTTPCore
import HTTPTypes
import NIOCore
import SearchApp
import TandemTesting
import Testing

/// The example application as a user meets it, checked through whatever is in front (gateway, dev proxy,
/// nginx): pages, API, sign-in → account → sign-out, errors. Expected values come from the catalogue.
enum SearchAppFlow {
    /// Sends `method path` with the request's `Host` set to the front server (as a browser would).
    static func send(
        _ port: Int,
        _ path: String,
        method: String = "GET",
        headers: [String] = [],
        body: String? = nil
    ) async throws -> RawHTTPResponse {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for header in headers { request += header + "\r\n" }
        if let body { request += "Content-Length: \(body.utf8.count)\r\n" }
        request += "\r\n" + (body ?? "")
        return try await RawHTTPClient.roundTrip(port: port, request)
    }

    /// `name=value` from each `Set-Cookie`.
    static func cookies(_ response: RawHTTPResponse) -> [String: String] {
        var cookies: [String: String] = [:]
        for field in response.headers("set-cookie") {
            let pair = field.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { cookies[pair[0]] = pair[1] }
        }
        return cookies
    }

    /// Every route of the example application through the server on `port`.
    static func everyRoute(port: Int) async throws {
        let health = try await send(port, "/healthz")
        #expect(health.status == 200 && health.text == "ok\n")

        try await self.searchPages(port: port)
        try await self.api(port: port)
        try await self.signInAndOut(port: port)
    }

    static func searchPages(port: Int) async throws {
        let expected = Catalogue.standard.search(SearchInput(query: "swift", maxResults: SearchPage.pageSize))
        let page = try await send(port, "/search/?query=swift")
        #expect(page.status == 200)
        #expect(page.header("content-type") == "text/html; charset=utf-8")
        let tree = try HTMLTree(parsing: page.body)
        #expect(tree.first("title")?.text == "swift · Tandem Search")
        #expect(tree.all("meta").first { $0["name"] == "description" }?["content"] == "\(expected.total) results for swift")
        #expect(tree.first("h1")?.text == "Results for swift")
        let items = tree.first(where: "class", is: "results")?.all("li") ?? []
        #expect(items.map { $0.first("a")?.text } == expected.results.map(\.title))
        #expect(items.map { $0.first("a")?["href"] } == expected.results.map(\.url))
        #expect(tree.first("input")?["value"] == "swift")

        let payload = "</title><script>alert(1)</script>\"'"
        let hostile = try await send(port, "/search/?query=" + QueryParameters.percentEncoded(payload))
        #expect(hostile.status == 200)
        let hostileTree = try HTMLTree(parsing: hostile.body)
        #expect(hostileTree.first("title")?.text == "\(payload) · Tandem Search")
        #expect(hostileTree.all("script").isEmpty)
        #expect(hostileTree.first("input")?["value"] == payload)

        let blank = try HTMLTree(parsing: try await send(port, "/search/").body)
        #expect(blank.first("form")?["action"] == "/search/" && blank.first(where: "class", is: "results") == nil)

        let tooLong = try await send(port, "/search/?query=" + String(repeating: "x", count: 201))
        #expect(tooLong.status == 422)
        #expect(try HTMLTree(parsing: tooLong.body).first(where: "class", is: "problems")?.all("li").count == 1)

        let missing = try await send(port, "/search/no/such/page/")
        #expect(missing.status == 404)
        let missingTree = try HTMLTree(parsing: missing.body)
        #expect(missingTree.first("body")?["data-status"] == "404")
        #expect(missingTree.first("h1")?.text == "Page not found")

        // The stylesheet comes from Examples/SearchApp/Static through a FileServer: the file's bytes, validators, and
        // nothing beside or above the folder.
        let css = try await send(port, "/search/static/site.css")
        #expect(css.status == 200 && css.header("content-type") == "text/css; charset=utf-8")
        let onDisk = try String(
            contentsOf: contractsDirectory.deletingLastPathComponent().appendingPathComponent("Static/site.css"),
            encoding: .utf8
        )
        #expect(css.text == onDisk && css.header("etag") != nil && css.header("last-modified") != nil)
        #expect(try await send(port, "/search/static/%2e%2e/Contracts.swift").status == 404)
        #expect(try await send(port, "/search/static/missing.css").status == 404)
        // The header's links stay apart without the stylesheet too.
        let home = try await send(port, "/search/")
        #expect(home.text.contains(#"<a href="/search/">Search</a> <a href="/search/login/">Sign in</a>"#))
    }

    static func api(port: Int) async throws {
        let response = try await send(port, "/api/search/?query=swift&max_results=2")
        #expect(response.status == 200 && response.header("content-type") == "application/json")
        let results = try Envelope.decode(SearchResults.self, from: ByteBuffer(bytes: response.body))
        #expect(results == Catalogue.standard.search(SearchInput(query: "swift", maxResults: 2)))

        let invalid = try await send(port, "/api/search/?max_results=0")
        #expect(invalid.status == 422)
        let error = try #require(Self.apiError(invalid))
        #expect(error.code == "validation_failed" && error.details.count == 2)

        let json = ["Content-Type: application/json"]
        let wrong = try await send(port, "/api/login/", method: "POST", headers: json, body: #"{"username":"ada","password":"nope"}"#)
        #expect(wrong.status == 401 && Self.apiError(wrong)?.code == "unauthorized")
        let malformed = try await send(port, "/api/login/", method: "POST", headers: json, body: #"{"username":"#)
        #expect(malformed.status == 400 && Self.apiError(malformed)?.code == "invalid_json")
        let anonymous = try await send(port, "/api/user/")
        #expect(anonymous.status == 401 && Self.apiError(anonymous)?.code == "unauthorized")

        let login = try await send(port, "/api/login/", method: "POST", headers: json, body: #"{"username":"grace","password":"hopper"}"#)
        #expect(login.status == 200)
        let token = try #require(Self.cookies(login)["access_token"])
        let bearer = try await send(port, "/api/user/", headers: ["Authorization: Bearer \(token)"])
        #expect(try Envelope.decode(UserInfo.self, from: ByteBuffer(bytes: bearer.body)).name == "Grace Hopper")
    }

    static func signInAndOut(port: Int) async throws {
        let signedOut = try await send(port, "/search/account/")
        #expect(signedOut.status == 302 && signedOut.header("location") == "/search/login/")

        let form = try await send(port, "/search/login/")
        #expect(form.status == 200)
        let csrfCookie = try #require(Self.cookies(form)["csrf_token"])
        let field = try #require(try HTMLTree(parsing: form.body).first(where: "name", is: "csrf_token")?["value"])
        let formHeaders = ["Content-Type: application/x-www-form-urlencoded", "Cookie: csrf_token=\(csrfCookie)"]

        // A post without a token or an Origin is refused, with or without cookies (login CSRF).
        let forged = try await send(port, "/search/login/", method: "POST", headers: formHeaders, body: "username=ada&password=lovelace")
        #expect(forged.status == 403)
        let crossSiteLogin = try await send(
            port,
            "/search/login/",
            method: "POST",
            headers: ["Content-Type: application/x-www-form-urlencoded", "Sec-Fetch-Site: cross-site"],
            body: "username=ada&password=lovelace"
        )
        #expect(crossSiteLogin.status == 403)
        #expect(try HTMLTree(parsing: crossSiteLogin.body).first("body")?["data-status"] == "403")

        let wrong = try await send(
            port,
            "/search/login/",
            method: "POST",
            headers: formHeaders,
            body: "csrf_token=\(QueryParameters.percentEncoded(field))&username=ada&password=nope"
        )
        #expect(wrong.status == 422)
        #expect(try HTMLTree(parsing: wrong.body).first(where: "role", is: "alert")?.text == "Wrong user name or password")

        let login = try await send(
            port,
            "/search/login/",
            method: "POST",
            headers: formHeaders,
            body: "csrf_token=\(QueryParameters.percentEncoded(field))&username=ada&password=lovelace"
        )
        #expect(login.status == 303)
        #expect(login.header("location") == "/search/account/")
        let token = try #require(Self.cookies(login)["access_token"])

        let account = try await send(port, "/search/account/", headers: ["Cookie: access_token=\(token)"])
        #expect(account.status == 200)
        #expect(account.header("cache-control") == "private, no-store")
        let accountTree = try HTMLTree(parsing: account.body)
        #expect(accountTree.first(where: "id", is: "user-name")?.text == "Ada Lovelace")
        #expect(accountTree.first(where: "id", is: "username")?.text == "ada")

        // A browser posting from the page itself (same origin) needs no token.
        let logout = try await send(
            port,
            "/search/logout/",
            method: "POST",
            headers: ["Cookie: access_token=\(token)", "Origin: http://127.0.0.1:\(port)", "Content-Length: 0"]
        )
        #expect(logout.status == 303 && logout.header("location") == "/search/")
        #expect(logout.headers("set-cookie").contains { $0.hasPrefix("access_token=;") && $0.contains("Max-Age=0") })
        let crossSite = try await send(
            port,
            "/search/logout/",
            method: "POST",
            headers: ["Cookie: access_token=\(token)", "Origin: http://evil.example", "Content-Length: 0"]
        )
        #expect(crossSite.status == 403)
    }

    static func apiError(_ response: RawHTTPResponse) -> APIError? {
        do {
            _ = try Envelope.decode(NoData?.self, from: ByteBuffer(bytes: response.body), status: .init(code: response.status))
            return nil
        } catch {
            return error as? APIError
        }
    }
}
