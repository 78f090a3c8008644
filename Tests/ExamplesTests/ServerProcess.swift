import Foundation
import TandemTesting

/// The built executables sit next to the test bundle in `.build/<configuration>/`.
func executableURL(_ name: String) throws -> URL {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = directory.appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: name])
}

/// A server process started as a user would, with the ports it announced.
final class ServerProcess {
    let process = Process()
    private let output = Pipe()
    /// The port each announced server listens on (`api`, `web`, `gateway`, …).
    private(set) var ports: [String: Int] = [:]
    /// The scheme each announced server is reached by (`http` or `https`).
    private(set) var schemes: [String: String] = [:]
    /// The first announced server's port.
    var port: Int { self.ports[self.labels[0]] ?? 0 }
    private let labels: [String]

    /// Starts `name` (a built executable, or an absolute path) with `arguments` (and `environment` added to the test's) and waits (with a deadline) until every
    /// label in `labels` has printed `LABEL listening on http://HOST:PORT` (or `https://`). Standard error goes to `errorLog` when given.
    init(
        _ name: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        errorLog: URL? = nil,
        announcing labels: String...
    ) throws {
        self.labels = labels
        self.process.executableURL = name.hasPrefix("/") ? URL(fileURLWithPath: name) : try executableURL(name)
        self.process.arguments = arguments
        self.process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        self.process.standardOutput = self.output
        if let errorLog {
            _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
            self.process.standardError = try FileHandle(forWritingTo: errorLog)
        } else {
            self.process.standardError = FileHandle.nullDevice
        }
        try self.process.run()
        let deadline = Date().addingTimeInterval(30)
        var seen = ""
        while Date() < deadline {
            let data = self.output.fileHandleForReading.availableData
            if data.isEmpty { break }
            seen += String(decoding: data, as: UTF8.self)
            for line in seen.split(separator: "\n") {
                for label in labels where line.hasPrefix("\(label) listening on http") {
                    self.ports[label] = line.split(separator: ":").last.flatMap { Int($0) }
                    self.schemes[label] = line.contains("https://") ? "https" : "http"
                }
            }
            if labels.allSatisfy({ self.ports[$0] != nil }) { return }
        }
        self.process.terminate()
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "no listening lines for \(labels); output: \(seen)"])
    }

    /// Sends `signal` (SIGHUP, say) to the process.
    func signal(_ signal: Int32) {
        Foundation.kill(self.process.processIdentifier, signal)
    }

    /// Sends SIGTERM and returns the exit status (waiting with a deadline).
    func terminate() async throws -> Int32 {
        self.process.terminate()
        return try await self.waitForExit()
    }

    /// Kills the process with SIGKILL, as a crash would, and waits until it is gone.
    func kill() async throws {
        Foundation.kill(self.process.processIdentifier, SIGKILL)
        _ = try await self.waitForExit()
    }

    private func waitForExit() async throws -> Int32 {
        let deadline = ContinuousClock.now + .seconds(30)
        while self.process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return self.process.isRunning ? -1 : self.process.terminationStatus
    }
}
