import Foundation
import TandemTLS
import TandemTesting
import Testing

@Suite("TLSServerContext: loading and reloading certificates", .serialized)
struct TLSServerContextTests {
    @Test("reload() serves a renewed certificate to new connections; a broken file keeps the old one")
    func reload() async throws {
        let certificates = try await TestCertificates.make()
        let context = try TLSServerContext(certificateChainFile: certificates.chain, privateKeyFile: certificates.key)
        try await withTLSServer(TLSTestHandler(), context: context) { port, _, _ in
            #expect(try await certificates.servedSubject(port: port).contains("CN = localhost"))
            try await certificates.issue(name: "renewed", commonName: "renewed.localhost")
            try Self.replace(certificates.chain, with: certificates.path("renewed.pem"))
            try Self.replace(certificates.key, with: certificates.path("renewed.key"))
            try context.reload()
            #expect(try await certificates.servedSubject(port: port).contains("CN = renewed.localhost"))

            try "not a certificate".write(toFile: certificates.chain, atomically: true, encoding: .utf8)
            #expect(throws: (any Error).self) { try context.reload() }
            #expect(try await certificates.servedSubject(port: port).contains("CN = renewed.localhost"))
        }
    }

    @Test("A key that does not belong to the certificate is refused")
    func mismatchedKey() async throws {
        let certificates = try await TestCertificates.make()
        try await certificates.issue(name: "other", commonName: "other")
        #expect(throws: (any Error).self) {
            try TLSServerContext(certificateChainFile: certificates.chain, privateKeyFile: certificates.path("other.key"))
        }
        #expect(throws: (any Error).self) {
            try TLSServerContext(certificateChainFile: certificates.path("missing.pem"), privateKeyFile: certificates.key)
        }
    }

    static func replace(_ path: String, with source: String) throws {
        try Data(contentsOf: URL(fileURLWithPath: source)).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
