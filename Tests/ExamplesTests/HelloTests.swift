import Foundation
import TandemTesting
import Testing

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

/// A server process started as a user would, with its announced port.
final class ServerProcess {
    let process = Process()
    private let output = Pipe()
    private(set) var port = 0

    /// Starts `name` with `arguments` and waits (with a deadline) for `NAME listening on http://HOST:PORT`.
    init(_ name: String, _ arguments: [String], announcing label: String) throws {
        self.process.executableURL = try executableURL(name)
        self.process.arguments = arguments
        self.process.standardOutput = self.output
        self.process.standardError = FileHandle.nullDevice
        try self.process.run()
        let deadline = Date().addingTimeInterval(30)
        var seen = ""
        while Date() < deadline {
            let data = self.output.fileHandleForReading.availableData
            if data.isEmpty { break }
            seen += String(decoding: data, as: UTF8.self)
            if let line = seen.split(separator: "\n").first(where: { $0.hasPrefix("\(label) listening on http://") }),
                let port = line.split(separator: ":").last.flatMap({ Int($0) })
            {
                self.port = port
                return
            }
        }
        self.process.terminate()
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "no listening line; output: \(seen)"])
    }

    /// Sends SIGTERM and returns the exit status (waiting with a deadline).
    func terminate() async throws -> Int32 {
        self.process.terminate()
        let deadline = ContinuousClock.now + .seconds(30)
        while self.process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return self.process.isRunning ? -1 : self.process.terminationStatus
    }
}

@Suite("hello example (process)")
struct HelloTests {
    @Test("`hello --port 0` announces its port, serves its routes and stops cleanly on SIGTERM")
    func runsAsAProcess() async throws {
        let server = try ServerProcess("hello", ["--port", "0"], announcing: "hello")
        let client = try await RawHTTPClient.connect(port: server.port)
        try await client.send("GET /hello/ada HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await client.readResponse().text == "Hello, ada!\n")
        try await client.send("GET /json HTTP/1.1\r\nHost: t\r\n\r\n")
        let json = try await client.readResponse()
        #expect(json.header("content-type") == "application/json")
        #expect((1000...1100).contains(json.body.count))
        try await client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await client.readResponse().text == "ok\n")
        #expect(try await server.terminate() == 0)
        #expect(await client.isClosedByServer())
    }
}
