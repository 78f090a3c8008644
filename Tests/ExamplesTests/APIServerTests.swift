import APIEnvelope
import Foundation
import NIOCore
import SearchApp
import TandemTesting
import Testing

/// A raw request with a correct `Content-Length`.
func jsonPost(_ path: String, _ body: String, extra: String = "") -> String {
    "POST \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\(extra)\r\n\(body)"
}

@Suite("split-services api (process)")
struct APIServerTests {
    @Test("search, validation, login → cookie → user, bearer tokens, logout, and envelopes for every failure")
    func apiServer() async throws {
        let api = try ServerProcess("split-services", ["api", "--port", "0"], announcing: "api")
        let client = try await RawHTTPClient.connect(port: api.port)

        try await client.send("GET /api/search/?query=swift+guide&max_results=2 HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let search = try await client.readResponse()
        #expect(search.status == 200)
        // The process answers exactly what the library computes for the same input.
        let expected = try Envelope.success(Catalogue.standard.search(SearchInput(query: "swift guide", maxResults: 2)))
        #expect(search.text == String(buffer: expected))
        #expect(search.text.contains(#""total":"#) && !search.text.contains(#""total":0"#))

        try await client.send("GET /api/search/?max_results=0 HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let invalid = try await client.readResponse()
        #expect(invalid.status == 422)
        #expect(invalid.text.contains(#""details":[{"loc":["query"],"code":"missing""#))
        #expect(invalid.text.contains(#"{"loc":["max_results"],"code":"out_of_range""#))

        try await client.send(jsonPost("/api/login/", #"{"username":"ada","password":"wrong"}"#))
        let refused = try await client.readResponse()
        #expect(refused.status == 401)
        #expect(refused.header("set-cookie") == nil)

        try await client.send(jsonPost("/api/login/", #"{"username":"ada","#))
        #expect(try await client.readResponse().status == 400)

        try await client.send(jsonPost("/api/login/", #"{"username":"ada","password":"lovelace"}"#))
        let login = try await client.readResponse()
        #expect(login.status == 200)
        #expect(login.text == #"{"status":"success","data":{"username":"ada","name":"Ada Lovelace"},"error":null}"#)
        let setCookie = try #require(login.header("set-cookie"))
        #expect(setCookie.hasPrefix("access_token="))
        #expect(setCookie.contains("HttpOnly"))
        #expect(setCookie.contains("SameSite=Lax"))
        let token = String(setCookie.dropFirst("access_token=".count).prefix { $0 != ";" })

        try await client.send("GET /api/user/ HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let anonymous = try await client.readResponse()
        #expect(anonymous.status == 401)
        #expect(anonymous.header("www-authenticate") == "Bearer")

        try await client.send("GET /api/user/ HTTP/1.1\r\nHost: localhost\r\nCookie: access_token=\(token)\r\n\r\n")
        #expect(
            try await client.readResponse().text == #"{"status":"success","data":{"username":"ada","name":"Ada Lovelace"},"error":null}"#
        )
        try await client.send("GET /api/user/ HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(token)\r\n\r\n")
        #expect(try await client.readResponse().status == 200)

        try await client.send(jsonPost("/api/logout/", ""))
        let logout = try await client.readResponse()
        #expect(logout.status == 200)
        #expect(logout.header("set-cookie")?.hasPrefix("access_token=; Path=/; Max-Age=0") == true)

        try await client.send("GET /api/nothing HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let missing = try await client.readResponse()
        #expect(missing.status == 404)
        #expect(missing.text.hasPrefix(#"{"status":"error","data":null,"error":{"code":"not_found""#))

        try await client.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(try await client.readResponse().text == "ok\n")
        #expect(try await api.terminate() == 0)
    }
}
