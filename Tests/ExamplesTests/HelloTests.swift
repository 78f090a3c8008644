import Foundation
import TandemTesting
import Testing

@Suite("hello example (process)")
struct HelloTests {
    @Test("`hello --port 0` announces its port, serves its routes and stops cleanly on SIGTERM")
    func runsAsAProcess() async throws {
        let server = try ServerProcess("hello", ["--port", "0"], announcing: "hello")
        let client = try await RawHTTPClient.connect(port: server.port)
        try await client.send("GET /hello/ada HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await client.readResponse().text == "Hello, ada!\n")
        try await client.send("GET /json HTTP/1.1\r\nHost: t\r\n\r\n")
        let json = try await client.readResponse()
        #expect(json.header("content-type") == "application/json")
        #expect((1000...1100).contains(json.body.count))
        try await client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await client.readResponse().text == "ok\n")
        #expect(try await server.terminate() == 0)
        #expect(await client.isClosedByServer())
    }
}
