public import Foundation

/// A private certificate authority and server certificates for `localhost` and `127.0.0.1`, made by the `openssl`
/// command in a scratch directory: for TLS tests and benchmarks.
///
/// ```swift
/// let certificates = try await TestCertificates.make()
/// let context = try TLSServerContext(certificateChainFile: certificates.chain, privateKeyFile: certificates.key)
/// ```
public struct TestCertificates: Sendable {
    /// The directory holding every file.
    public let directory: URL
    /// The CA's certificate (PEM): what clients trust.
    public var caCertificate: String { self.path("ca.pem") }
    /// The server certificate followed by nothing else (the CA signs it directly), PEM.
    public var chain: String { self.path("server.pem") }
    /// The server's private key, PEM.
    public var key: String { self.path("server.key") }

    /// A file in ``directory``.
    public func path(_ name: String) -> String { self.directory.appendingPathComponent(name).path }

    /// Makes the CA and a first server certificate (`server.pem`, `server.key`).
    public static func make() async throws -> TestCertificates {
        let directory = try ExternalTool.scratchDirectory("certs")
        let certificates = TestCertificates(directory: directory)
        try await certificates.openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=Tandem Test CA", "-keyout", "ca.key", "-out", "ca.pem",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        try await certificates.issue(name: "server", commonName: "localhost")
        return certificates
    }

    /// Issues `NAME.pem`/`NAME.key` for `subjectAltNames` (`localhost` and `127.0.0.1` by default), signed by the CA,
    /// with `commonName` as subject (a second certificate tells a reload apart from the first).
    public func issue(name: String, commonName: String, subjectAltNames: String = "DNS:localhost,IP:127.0.0.1") async throws {
        try await self.openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=\(commonName)",
            "-keyout", "\(name).key", "-out", "\(name).csr",
        ])
        let extensions = "subjectAltName=\(subjectAltNames)\nextendedKeyUsage=serverAuth\n"
        try extensions.write(to: self.directory.appendingPathComponent("\(name).ext"), atomically: true, encoding: .utf8)
        try await self.openssl([
            "x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
            "-extfile", "\(name).ext", "-out", "\(name).pem",
        ])
    }

    /// The subject (`subject=CN = …`) of the certificate a TLS server on 127.0.0.1:`port` presents for `localhost`.
    public func servedSubject(port: Int) async throws -> String {
        let session = try await ExternalTool.run(
            "openssl",
            ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost", "-CAfile", self.caCertificate],
            input: "",
            timeout: .seconds(20)
        )
        let begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----"
        guard let start = session.output.range(of: begin),
            let stop = session.output.range(of: end, range: start.upperBound..<session.output.endIndex)
        else { return "no certificate: \(session.output)" }
        return try await self.openssl(
            ["x509", "-noout", "-subject"],
            input: String(session.output[start.lowerBound..<stop.upperBound]) + "\n"
        )
    }

    /// Runs `openssl` in ``directory``.
    @discardableResult
    public func openssl(_ arguments: [String], input: String? = nil) async throws -> String {
        let result = try await ExternalTool.run(
            "openssl",
            arguments,
            in: self.directory,
            input: input,
            timeout: .seconds(60),
            installHint: "apt-get install openssl"
        )
        guard result.status == 0 else {
            throw TestCertificateError(description: "openssl \(arguments.first ?? "") failed: \(result.output)")
        }
        return result.output
    }
}

/// `openssl` failed making a test certificate.
public struct TestCertificateError: Error, CustomStringConvertible {
    public let description: String

    /// An error saying `description`.
    public init(description: String) {
        self.description = description
    }
}
