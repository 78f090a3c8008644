public import Foundation
import NIOCore
import NIOPosix

/// A real nginx, started for a test with a config of the test's making, on a free port of 127.0.0.1.
///
/// ```swift
/// let nginx = try await NginxProcess.start { port, prefix in
///     "server { listen 127.0.0.1:\(port); location / { return 200 'hi'; } }"
/// }
/// defer { nginx.stop() }
/// ```
public final class NginxProcess: @unchecked Sendable {
    // @unchecked: `process` and `prefix` are set once in `init` and only read afterwards; `Process` itself is
    // thread-safe for `terminate`/`isRunning`/`waitUntilExit`.
    /// The port nginx listens on.
    public let port: Int
    /// nginx's prefix directory (config, logs, temp files, and anything the test put there).
    public let prefix: URL
    private let process: Process

    /// The nginx binary, if installed.
    public static var binary: String? {
        let candidates =
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/nginx" } + ["/usr/sbin/nginx"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether nginx tests must run: under CI nginx is required; elsewhere they are skipped when it is missing.
    public static var shouldRun: Bool {
        self.binary != nil || ProcessInfo.processInfo.environment["CI"] != nil
    }

    /// Starts nginx with the `http { ... }` contents `servers(port, prefix)` returns; retries on a port clash.
    /// - Throws: when nginx is missing or does not come up within the deadline.
    public static func start(_ servers: @escaping (_ port: Int, _ prefix: URL) throws -> String) async throws -> NginxProcess {
        guard let binary = self.binary else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "nginx is not installed: apt-get install nginx-light"])
        }
        var lastError: (any Error)?
        for _ in 0..<5 {
            do {
                return try await NginxProcess(binary: binary, servers: servers)
            } catch {
                lastError = error
            }
        }
        throw lastError!
    }

    private init(binary: String, servers: (Int, URL) throws -> String) async throws {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: prefix.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = probe.localAddress!.port!
        try await probe.close()
        let user = getuid() == 0 ? "user root;\n" : ""
        let config = """
            \(user)daemon off;
            worker_processes auto;
            pid \(prefix.path)/nginx.pid;
            error_log \(prefix.path)/logs/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path \(prefix.path)/client_body;
                proxy_temp_path \(prefix.path)/proxy;
                fastcgi_temp_path \(prefix.path)/fastcgi;
                uwsgi_temp_path \(prefix.path)/uwsgi;
                scgi_temp_path \(prefix.path)/scgi;
            \(try servers(port, prefix))
            }
            """
        try config.write(to: prefix.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-p", prefix.path, "-c", prefix.appendingPathComponent("nginx.conf").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.port = port
        self.prefix = prefix
        self.process = process
        // Poll for readiness with a deadline.
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if !process.isRunning {
                let log = (try? String(contentsOf: prefix.appendingPathComponent("logs/error.log"), encoding: .utf8)) ?? ""
                throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "nginx exited: \(log)"])
            }
            // nginx writes its pid file only once it holds its listening sockets: a connect alone could reach another
            // test's server that took the port between the probe above and nginx's bind (nginx then exits, and
            // `start` tries another port).
            let started = FileManager.default.fileExists(atPath: prefix.appendingPathComponent("nginx.pid").path)
            if started, process.isRunning, let client = try? await RawHTTPClient.connect(port: port) {
                await client.close()
                guard process.isRunning else { continue }
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.terminate()
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "nginx did not start listening on \(port)"])
    }

    /// Stops nginx and waits for it to exit.
    public func stop() {
        if self.process.isRunning {
            self.process.terminate()
            self.process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: self.prefix)
    }
}
