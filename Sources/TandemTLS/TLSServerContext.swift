import NIOCore
import NIOSSL
import Synchronization

/// A server's certificate and key, read from PEM files, and the TLS settings every new connection gets.
///
/// ``reload()`` reads the files again (after a renewal): new connections use the new certificate, open ones keep
/// theirs. A reload that fails (a half-written file, a key that does not match) keeps the certificate in use.
///
/// ```swift
/// let tls = try TLSServerContext(certificateChainFile: "/etc/tandem/fullchain.pem", privateKeyFile: "/etc/tandem/key.pem")
/// var configuration = HTTPServerConfiguration(host: "0.0.0.0", port: 443)
/// configuration.transport = .tls(tls)
/// ```
public final class TLSServerContext: Sendable {
    /// The oldest TLS version a client may use.
    public struct MinimumVersion: Sendable, Hashable {
        let version: TLSVersion
        /// TLS 1.2 and 1.3 (the default, as Mozilla's "intermediate" profile).
        public static var tls12: Self { Self(version: .tlsv12) }
        /// TLS 1.3 only (Mozilla's "modern" profile).
        public static var tls13: Self { Self(version: .tlsv13) }
    }

    /// The PEM file with the certificate chain, leaf first.
    public let certificateChainFile: String
    /// The PEM file with the private key.
    public let privateKeyFile: String
    /// The oldest TLS version accepted.
    public let minimumVersion: MinimumVersion
    /// The ALPN protocols offered, most preferred first.
    let applicationProtocols: [String]
    private let current: Mutex<NIOSSLContext>

    /// Reads the certificate chain and key.
    /// - Parameters:
    ///   - certificateChainFile: PEM certificates, the leaf first, then its intermediates.
    ///   - privateKeyFile: the PEM private key of the leaf.
    ///   - minimumVersion: the oldest TLS version a client may use; TLS 1.2 by default.
    ///   - http2: whether ALPN offers `h2` (then `http/1.1`); with `false` only `http/1.1`. Default true.
    /// - Throws: when a file cannot be read, holds no certificate, or the key does not match.
    public init(
        certificateChainFile: String,
        privateKeyFile: String,
        minimumVersion: MinimumVersion = .tls12,
        http2: Bool = true
    ) throws {
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.minimumVersion = minimumVersion
        self.applicationProtocols = http2 ? ["h2", "http/1.1"] : ["http/1.1"]
        self.current = Mutex(
            try Self.load(
                certificateChainFile: certificateChainFile,
                privateKeyFile: privateKeyFile,
                minimumVersion: minimumVersion,
                applicationProtocols: self.applicationProtocols
            )
        )
    }

    /// Whether ALPN offers HTTP/2.
    public var offersHTTP2: Bool { self.applicationProtocols.contains("h2") }

    /// Reads the certificate chain and key again; new connections use them. On failure the current ones stay.
    /// - Throws: what reading or checking the files threw.
    public func reload() throws {
        let context = try Self.load(
            certificateChainFile: self.certificateChainFile,
            privateKeyFile: self.privateKeyFile,
            minimumVersion: self.minimumVersion,
            applicationProtocols: self.applicationProtocols
        )
        self.current.withLock { $0 = context }
    }

    /// The context a new connection gets.
    var sslContext: NIOSSLContext { self.current.withLock { $0 } }

    private static func load(
        certificateChainFile: String,
        privateKeyFile: String,
        minimumVersion: MinimumVersion,
        applicationProtocols: [String]
    ) throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMFile(certificateChainFile)
        guard !chain.isEmpty else { throw TLSFileError(path: certificateChainFile, reason: "holds no PEM certificate") }
        let key = try NIOSSLPrivateKey(file: privateKeyFile, format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = minimumVersion.version
        configuration.applicationProtocols = applicationProtocols
        // BoringSSL checks that the key belongs to the leaf when the context is made: a mismatch throws here.
        return try NIOSSLContext(configuration: configuration)
    }
}

/// A certificate or key file that cannot be used.
public struct TLSFileError: Error, CustomStringConvertible {
    /// The file.
    public let path: String
    /// What is wrong with it.
    public let reason: String
    public var description: String { "\(self.path) \(self.reason)" }
}
