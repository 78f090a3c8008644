import Foundation
import HTTPCore
import NIOCore
import TandemTesting
import Testing

/// The server's deadlines on a connection without a socket (``TestConnection``): its clock moves only when the test
/// moves it, so each deadline is checked a moment before it passes and a moment after, on a machine of any load.
@Suite("ConnectionTimeoutHandler on a test connection")
struct ConnectionTimeoutHandlerTests {
    func configuration(_ change: (inout HTTPServer<HandlerFunction>.Configuration) -> Void) -> HTTPServer<HandlerFunction>.Configuration {
        var configuration = HTTPServer<HandlerFunction>.Configuration(port: 0)
        change(&configuration)
        return configuration
    }

    static let hello = "GET /hello?n=1 HTTP/1.1\r\nHost: t\r\n\r\n"

    /// Whether `text` holds a whole response whose body is `count` bytes long (enough for these tests' answers).
    static func complete(_ text: String) -> Bool {
        guard let end = text.firstRange(of: "\r\n\r\n") else { return false }
        guard let line = text[..<end.lowerBound].split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
            let length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces))
        else { return true }
        return text[end.upperBound...].utf8.count >= length
    }

    @Test("an idle keep-alive connection stays open until the idle timeout, then closes")
    func idle() async throws {
        let configuration = self.configuration { $0.idleTimeout = .seconds(60) }
        try await TestConnection.with(makeApp(), configuration: configuration) { connection in
            try await connection.send(Self.hello)
            #expect(try await connection.received(until: Self.complete).hasSuffix("hello 1"))
            await connection.advanceTime(by: .seconds(59))
            #expect(connection.isOpen)
            // Still served on the same connection, and the idle time starts again after this answer.
            try await connection.send(Self.hello)
            #expect(try await connection.received(until: { $0.components(separatedBy: "hello 1").count == 3 }).hasSuffix("hello 1"))
            await connection.advanceTime(by: .seconds(59))
            #expect(connection.isOpen)
            await connection.advanceTime(by: .seconds(1))
            #expect(try await connection.closes())
        }
    }

    @Test("a new connection that sends nothing is closed silently at the request-head timeout")
    func silent() async throws {
        let configuration = self.configuration { $0.requestHeadTimeout = .seconds(10) }
        try await TestConnection.with(makeApp(), configuration: configuration) { connection in
            await connection.advanceTime(by: .seconds(9))
            #expect(connection.isOpen)
            await connection.advanceTime(by: .seconds(1))
            let closed = try await connection.closes()
            #expect(closed)
            #expect(try await connection.received(until: { _ in true }).isEmpty)
        }
    }

    @Test("a client trickling its request head gets 408 at the head timeout, counted from its first byte")
    func tricklingHead() async throws {
        let configuration = self.configuration { $0.requestHeadTimeout = .seconds(10) }
        try await TestConnection.with(makeApp(), configuration: configuration) { connection in
            try await connection.send("GET /hello HTTP/1.1\r\n")
            await connection.advanceTime(by: .seconds(5))
            // More bytes do not extend the deadline (nginx's client_header_timeout is for the whole head).
            try await connection.send("Ho")
            await connection.advanceTime(by: .seconds(4))
            #expect(connection.isOpen)
            await connection.advanceTime(by: .seconds(1))
            #expect(try await connection.received().hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
            #expect(try await connection.closes())
        }
    }

    @Test("a request body that stops arriving gets 408 at the body timeout, counted from its last byte")
    func stalledBody() async throws {
        let configuration = self.configuration { $0.requestBodyTimeout = .seconds(30) }
        try await TestConnection.with(makeApp(), configuration: configuration) { connection in
            try await connection.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n0123456789")
            await connection.advanceTime(by: .seconds(20))
            try await connection.send("more bytes")
            await connection.advanceTime(by: .seconds(29))
            #expect(connection.isOpen)
            await connection.advanceTime(by: .seconds(1))
            let response = try await connection.received()
            #expect(response.hasPrefix("HTTP/1.1 408"))
            #expect(response.lowercased().contains("connection: close"))
            #expect(try await connection.closes())
        }
    }

    @Test("a handler slow to read its body is not the client's fault: the server held the reads, and no 408 comes")
    func slowHandler() async throws {
        let probe = Probe()
        let release = Signal()
        let app = HandlerFunction { request, _ in
            probe.add("started")
            await release.wait()
            let body = try await request.body.collect(upTo: 1 << 20)
            return .text("read \(body.readableBytes)")
        }
        let configuration = self.configuration {
            $0.requestBodyTimeout = .seconds(30)
            $0.limits.bodyHighWatermark = 4
            $0.limits.bodyLowWatermark = 1
        }
        try await TestConnection.with(app, configuration: configuration) { connection in
            try await connection.send("POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 40000\r\n\r\n")
            for _ in 0..<40 { try await connection.send(ByteBuffer(repeating: UInt8(ascii: "b"), count: 1000)) }
            #expect(try await eventually { probe["started"] == 1 })
            // Ten body timeouts while the handler does not read.
            for _ in 0..<10 { await connection.advanceTime(by: .seconds(30)) }
            #expect(connection.isOpen)
            release.fire()
            #expect(try await connection.received(until: Self.complete).hasSuffix("read 40000"))
        }
    }
}
