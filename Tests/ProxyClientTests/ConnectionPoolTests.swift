import HTTPCore
import HTTPTypes
import NIOCore
import ProxyClient
import TandemTesting
import Testing

/// The pool with real connections on channels without sockets (``UpstreamHarness``): its idle expiry and its waiters'
/// deadline by a clock that moves only when the test says. Its decisions alone: ``ConnectionPoolStateMachineTests``.
@Suite("Connection pool, without sockets")
struct ConnectionPoolTests {
    static let ok = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"

    /// Sends `GET path` and answers it as `peer`'s server, expecting the request there.
    private static func exchange(_ api: Upstream, _ path: String, on peer: () async throws -> UpstreamPeer) async throws {
        async let response = api.send(.get(path), context: .test)
        let server = try await peer()
        let sent = try await server.request { $0.contains("GET \(path) ") }  // bound first: see Contributing.md
        #expect(sent.contains("GET \(path) "))
        server.clear()
        try await server.respond(Self.ok)
        #expect(try await response.status == .ok)
        try await waitUntilReleased(api)
    }

    @Test("an idle connection is reused while younger than the idle timeout; past it, it is closed and a new one opened")
    func idleExpiry() async throws {
        try await UpstreamHarness.with { harness in
            let api = try harness.upstream(Upstream.Configuration(idleTimeout: .seconds(60)))
            try await Self.exchange(api, "/one") { try await harness.connection(0) }
            await harness.advanceTime(by: .seconds(59))
            try await Self.exchange(api, "/two") { try await harness.connection(0) }
            #expect(harness.opened == 1, "reused while warm")
            let first = try await harness.connection(0)
            await harness.advanceTime(by: .seconds(61))
            try await Self.exchange(api, "/three") { try await harness.connection(1) }
            #expect(try await first.isClosed(), "the stale connection is closed, not left open")
            #expect(harness.opened == 2)
        }
    }

    @Test("a connection the server closed while idle is not handed out again")
    func closedWhileIdle() async throws {
        try await UpstreamHarness.with { harness in
            let api = try harness.upstream()
            try await Self.exchange(api, "/one") { try await harness.connection(0) }
            try await harness.connection(0).close()
            try await Self.exchange(api, "/two") { try await harness.connection(1) }
            #expect(harness.opened == 2)
        }
    }

    @Test("a full pool queues the next request, hands it the released connection, and fails a wait past the connect timeout")
    func waiters() async throws {
        try await UpstreamHarness.with { harness in
            var configuration = Upstream.Configuration(maxConnectionsPerServer: 1, connectTimeout: .seconds(5))
            configuration.retryIdempotentRequests = false
            let api = try harness.upstream(configuration)
            async let first = api.send(.get("/first"), context: .test)
            let peer = try await harness.connection(0)
            _ = try await peer.request()
            peer.clear()
            // The one connection is busy: the second request waits for it rather than opening another.
            async let second = api.send(.get("/second"), context: .test)
            await harness.advanceTime(by: .seconds(4))
            try await peer.respond(Self.ok)
            #expect(try await first.status == .ok)
            #expect(try await peer.request().hasPrefix("GET /second "), "the waiter got the released connection")
            peer.clear()

            // While it is busy again, a third waits past the connect timeout: a timeout, the connection untouched.
            let third = Task { try await api.send(.get("/third"), context: .test) }
            #expect(try await eventually { harness.opened == 1 })
            try await waitForWaiter(api)
            await harness.advanceTime(by: .seconds(5))
            let error = await #expect(throws: UpstreamError.self) { try await third.value }
            #expect(error?.isTimeout == true, "\(String(describing: error))")
            try await peer.respond(Self.ok)
            #expect(try await second.status == .ok)
            #expect(harness.opened == 1)
        }
    }
}

/// Waits (polling, with a deadline) until a request is queued in `upstream`'s pool.
private func waitForWaiter(_ upstream: Upstream) async throws {
    #expect(try await eventually { upstream.waitingRequests > 0 }, "no request queued")
}
