public import Logging
public import ServiceLifecycle
import UnixSignals

/// Reloads a ``TLSServerContext`` from its files on `SIGHUP` (nginx `-s reload` for certificates): open
/// connections stay, new ones get the new certificate. A reload that fails is logged and the old certificate
/// stays.
///
/// ```swift
/// let tls = try TLSServerContext(certificateChainFile: "cert.pem", privateKeyFile: "key.pem")
/// let group = ServiceGroup(services: [server, CertificateReloader(tls, logger: logger)], logger: logger)
/// ```
public struct CertificateReloader: Service {
    /// The certificate reloaded.
    public let context: TLSServerContext
    /// Where reloads are logged.
    public let logger: Logger

    /// A reloader of `context`.
    public init(_ context: TLSServerContext, logger: Logger) {
        self.context = context
        self.logger = logger
    }

    /// Waits for `SIGHUP` until the service group shuts down.
    public func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            do {
                try self.context.reload()
                self.logger.info("TLS certificate reloaded", metadata: ["certificate": "\(self.context.certificateChainFile)"])
            } catch {
                self.logger.error(
                    "TLS certificate reload failed; the previous certificate stays",
                    metadata: ["certificate": "\(self.context.certificateChainFile)", "error": "\(error)"]
                )
            }
        }
    }
}
