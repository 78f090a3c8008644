import HTTPCore
import Testing

@Suite("Client address")
struct ClientAddressTests {
    @Test("X-Forwarded-For is walked from the right while the reporting hop is trusted; garbage ends the walk")
    func forwardedForWalk() throws {
        let trusted = [try CIDR("10.0.0.0/8")]
        func resolve(_ peer: String, _ fields: [String]) -> String? {
            ServerObservability(trustedProxies: trusted).clientAddress(peer: peer, forwardedFor: fields)
        }
        #expect(resolve("10.0.0.1", ["1.2.3.4"]) == "1.2.3.4")
        #expect(resolve("10.0.0.1", ["1.2.3.4, 10.0.0.2"]) == "1.2.3.4")
        #expect(resolve("10.0.0.1", ["1.2.3.4", "10.0.0.2"]) == "1.2.3.4")
        #expect(resolve("10.0.0.1", ["6.6.6.6, 1.2.3.4"]) == "1.2.3.4")
        #expect(resolve("10.0.0.1", ["10.0.0.3, 10.0.0.2"]) == "10.0.0.3")
        #expect(resolve("10.0.0.1", ["not-an-ip, 10.0.0.2"]) == "10.0.0.2")
        #expect(resolve("10.0.0.1", ["1.2.3.4,  "]) == "10.0.0.1")
        #expect(resolve("10.0.0.1", ["2001:db8::1"]) == "2001:db8::1")
        #expect(resolve("192.0.2.1", ["1.2.3.4"]) == "192.0.2.1")
        #expect(resolve("10.0.0.1", []) == "10.0.0.1")
    }
}
