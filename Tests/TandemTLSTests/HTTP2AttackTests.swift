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

    /// Sends `scenario` to a TLS server, then checks it still serves a new connection; the outcome, and the requests
    /// its handler saw during the attack.
    func attack(_ scenario: String, _ arguments: [String]) async throws -> (outcome: H2Outcome, requests: Int) {
        let handler = TLSTestHandler()
        return try await withTLSServer(handler) { port, _, certificates in
            let outcome = try await H2Client.run(port: port, ca: certificates.caCertificate, scenario: scenario, arguments)
            let requests = handler.requestCount
            try await self.stillServes(port: port, certificates: certificates)
            return (outcome, requests)
        }
    }

    @Test("Rapid reset (CVE-2023-44487): the connection is closed long before 2000 streams ran")
    func rapidReset() async throws {
        let (outcome, requests) = try await self.attack("rapid-reset", ["2000"])
        #expect(outcome.terminated, "\(outcome.raw)")
        #expect(requests < 2000)
    }

    @Test("A header list over the limit is refused; the server still serves")
    func oversizedHeaders() async throws {
        let (outcome, requests) = try await self.attack("big-header", ["40000"])
        #expect(outcome.statuses.allSatisfy { $0 != 200 }, "\(outcome.raw)")
        #expect(requests == 0)
    }

    @Test("A CONTINUATION flood ends the connection")
    func continuationFlood() async throws {
        let (outcome, requests) = try await self.attack("continuation-flood", ["10000"])
        #expect(outcome.terminated, "\(outcome.raw)")
        #expect(requests == 0)
    }

    @Test("SETTINGS and PING floods end the connection", arguments: ["settings-flood", "ping-flood"])
    func controlFrameFlood(scenario: String) async throws {
        let (outcome, _) = try await self.attack(scenario, ["5000"])
        #expect(outcome.terminated, "\(outcome.raw)")
    }

    @Test(
        "Streams over the concurrency limit are refused one by one (REFUSED_STREAM), not queued: the connection and the streams in flight go on"
    )
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
            // RFC 9113 §5.1.2: a stream error on each stream past the limit, not GOAWAY (swift-nio-http2's answer,
            // which lost the four in flight).
            #expect(outcome.advertisedStreams == 4, "\(outcome.raw)")
            #expect(outcome.refused == 6, "\(outcome.raw)")
            #expect(outcome.goAwayCode == nil && !outcome.terminated, "\(outcome.raw)")
            #expect(outcome.statuses == [200, 200, 200, 200], "\(outcome.raw)")
            #expect(handler.slowRequests == 4)
            try await self.stillServes(port: port, certificates: certificates, streams: 4)
        }
    }
}
