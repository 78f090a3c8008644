import Dispatch
public import Foundation
import Synchronization

/// Runs another program (`tsc`, `node`, `schemathesis`, a Python checker) to completion with a deadline, so tests can
/// hand Tandem's output to independent tools. The waiting happens on a Dispatch thread, never on Swift's cooperative
/// pool: a test blocking one of its (two, on two cores) threads for a minute of schemathesis would stall every other
/// test's tasks, and their servers, with it.
///
/// ```swift
/// let result = try await ExternalTool.run("tsc", ["--strict", "--noEmit", "api.ts"], in: directory)
/// #expect(result.status == 0, "\(result.output)")
/// ```
public enum ExternalTool {
    /// What a run gave.
    public struct Result: Sendable {
        /// The exit status (`-1` when the deadline killed it).
        public let status: Int32
        /// Standard output and standard error, interleaved.
        public let output: String
        /// Whether the deadline ended it.
        public let timedOut: Bool
    }

    /// Why a tool could not run at all.
    public struct Missing: Error, CustomStringConvertible {
        /// What is missing and how to install it.
        public let description: String
    }

    /// The path of `name` on `PATH`, if any.
    public static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `name` (looked up on `PATH`) with `arguments` in `directory`, with `input` on standard input, killing it
    /// after `timeout`.
    /// - Throws: ``Missing`` (with `installHint`) when `name` is not on `PATH`.
    public static func run(
        _ name: String,
        _ arguments: [String],
        in directory: URL? = nil,
        environment: [String: String] = [:],
        input: String? = nil,
        timeout: Duration = .seconds(300),
        installHint: String = ""
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Swift.Result {
                        try self.runBlocking(
                            name,
                            arguments,
                            in: directory,
                            environment: environment,
                            input: input,
                            timeout: timeout,
                            installHint: installHint
                        )
                    }
                )
            }
        }
    }

    static func runBlocking(
        _ name: String,
        _ arguments: [String],
        in directory: URL?,
        environment: [String: String],
        input: String?,
        timeout: Duration,
        installHint: String
    ) throws -> Result {
        guard let executable = name.hasPrefix("/") ? name : self.find(name) else {
            throw Missing(description: "\(name) is not installed. \(installHint)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        // The deadline: a work item kills the process if it is still running then; cancelled when it ends first.
        let finished = Atomic<Bool>(false)
        let killed = Atomic<Bool>(false)
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem {
            guard !finished.load(ordering: .acquiring) else { return }
            killed.store(true, ordering: .releasing)
            kill(pid, SIGKILL)
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: watchdog)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        finished.store(true, ordering: .releasing)
        watchdog.cancel()
        let timedOut = killed.load(ordering: .acquiring)
        return Result(status: timedOut ? -1 : process.terminationStatus, output: String(decoding: data, as: UTF8.self), timedOut: timedOut)
    }

    /// A new empty directory under the system's temporary directory.
    public static func scratchDirectory(_ label: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}
