import HTTPCore
import TandemTLS
import TandemTesting
import Testing

/// Protocol-level attacks on the HTTP/2 listener, sent with Python's `h2`: each ends the attacking connection
/// (or refuses the stream), and the server goes on serving others.
@Suite("HTTP/2 floods and oversized requests", .serialized)
struct HTTP2AttackTests {
    /// After an attack: a new connection still gets answers, `streams` at once.
    func stillServes(port: Int, certificates: TestCertificates, streams: Int = 40) async throws {
        let after = try await H2Client.run(port: port, ca: certificates.caCertificate, scenario: "get", ["/", String(streams)])
        #expect(after.statuses == Array(repeating: 200, count: streams), "\(after.raw)")
    }

    @Test("Rapid reset (CVE-2023-44487): the connection is closed long before 2000 streams ran")
    func rapidReset() async throws {
        let handler = TLSTestHandler()
        try await withTLSServer(handler) { port, _, certificates in
            let outcome = try await H2Client.run(port: port, ca: certificates.caCertificate, scenario: "rapid-reset", ["2000"])
            #expect(outcome.terminated, "\(outcome.raw)")
            #expect(handler.requestCount < 2000)
            try await self.stillServes(port: port, certificates: certificates)
        }
    }

    @Test("A header list over the limit is refused; the server still serves")
    func oversizedHeaders() async throws {
        let handler = TLSTestHandler()
        try await withTLSServer(handler) { port, _, certificates in
            let outcome = try await H2Client.run(port: port, ca: certificates.caCertificate, scenario: "big-header", ["40000"])
            #expect(outcome.statuses.allSatisfy { $0 != 200 }, "\(outcome.raw)")
            #expect(handler.requestCount == 0)
            try await self.stillServes(port: port, certificates: certificates)
        }
    }

    @Test("A CONTINUATION flood ends the connection")
    func continuationFlood() async throws {
        let handler = TLSTestHandler()
        try await withTLSServer(handler) { port, _, certificates in
            let outcome = try await H2Client.run(port: port, ca: certificates.caCertificate, scenario: "continuation-flood", ["10000"])
            #expect(outcome.terminated, "\(outcome.raw)")
            #expect(handler.requestCount == 0)
            try await self.stillServes(port: port, certificates: certificates)
        }
    }

    @Test("SETTINGS and PING floods end the connection", arguments: ["settings-flood", "ping-flood"])
    func controlFrameFlood(scenario: String) async throws {
        try await withTLSServer(TLSTestHandler()) { port, _, certificates in
            let outcome = try await H2Client.run(port: port, ca: certificates.caCertificate, scenario: scenario, ["5000"])
            #expect(outcome.terminated, "\(outcome.raw)")
            try await self.stillServes(port: port, certificates: certificates)
        }
    }

    @Test("Streams over the concurrency limit are refused, not queued: only the allowed ones reach the handler")
    func concurrentStreamLimit() async throws {
        var limits = HTTP2Limits()
        limits.maxConcurrentStreams = 4
        let handler = TLSTestHandler()
        try await withTLSServer(handler, http2: limits) { port, _, certificates in
            async let client = H2Client.run(port: port, ca: certificates.caCertificate, scenario: "over-limit", ["10"])
            let four = try await eventually { handler.slowRequests >= 4 }
            #expect(four)
            handler.openGate()
            let outcome = try await client
            // swift-nio-http2 answers a client that ignores the limit with GOAWAY (PROTOCOL_ERROR): the streams
            // past it never reach a handler.
            #expect(outcome.refused == 6 || outcome.goAwayCode == 1, "\(outcome.raw)")
            #expect(handler.slowRequests == 4)
            try await self.stillServes(port: port, certificates: certificates, streams: 4)
        }
    }
}
