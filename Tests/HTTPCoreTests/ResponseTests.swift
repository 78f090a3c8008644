import HTTPCore
import HTTPTypes
import TandemTesting
import Testing

@Suite("Response helpers")
struct ResponseTests {
    @Test("redirect: 302 by default, the status given, a Location and no body; a line break in the target injects nothing")
    func redirect() async throws {
        let handler = HandlerFunction { request, _ in
            switch request.path {
            case "/old": .redirect(to: "/new")
            case "/form": .redirect(to: "https://example.com/done?x=1", status: .seeOther)
            default: .redirect(to: "/x\r\nSet-Cookie: evil=1")
            }
        }
        try await withTestServer(handler) { port in
            let found = try await RawHTTPClient.roundTrip(port: port, "GET /old HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(found.status == 302 && found.header("location") == "/new" && found.body.isEmpty)
            #expect(found.header("content-length") == "0")
            let seeOther = try await RawHTTPClient.roundTrip(port: port, "POST /form HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
            #expect(seeOther.status == 303 && seeOther.header("location") == "https://example.com/done?x=1")
            let injected = try await RawHTTPClient.roundTrip(port: port, "GET /evil HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(injected.status == 302 && injected.header("set-cookie") == nil)
        }
    }
}
