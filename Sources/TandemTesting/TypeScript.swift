public import Foundation

/// Type-checks, compiles and runs TypeScript with Debian's `tsc` (`node-typescript`) and `node`, so tests can hold
/// generated TypeScript to a real compiler and run it against a live server.
///
/// ```swift
/// let directory = try ExternalTool.scratchDirectory("ts")
/// let check = try await TypeScript.compile(["api.ts": source, "run.ts": script], in: directory)
/// let run = try await TypeScript.run("run", in: directory, environment: ["BASE_URL": "http://127.0.0.1:\(port)"])
/// ```
public enum TypeScript {
    static let hint = "Install Debian's node-typescript (.ci/run does) and Node.js 18 or later."

    /// Writes `files` (name → source) into `directory` and compiles them with `tsc --strict` as ES2022 modules into
    /// `directory/out` (with a `package.json` that makes Node load them as modules); `emit: false` only type-checks.
    public static func compile(_ files: [String: String], in directory: URL, emit: Bool = true) async throws -> ExternalTool.Result {
        for (name, source) in files {
            try source.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        var arguments = [
            "--strict", "--noUnusedLocals", "--target", "es2022", "--lib", "es2022,dom", "--module", "es2022", "--moduleResolution", "node",
        ]
        arguments += emit ? ["--outDir", "out"] : ["--noEmit"]
        arguments += files.keys.sorted()
        let result = try await ExternalTool.run("tsc", arguments, in: directory, timeout: .seconds(120), installHint: self.hint)
        if emit {
            let out = directory.appendingPathComponent("out")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            try #"{"type":"module"}"#.write(to: out.appendingPathComponent("package.json"), atomically: true, encoding: .utf8)
        }
        return result
    }

    /// Runs `directory/out/<script>.js` with `node`.
    public static func run(_ script: String, in directory: URL, environment: [String: String] = [:]) async throws -> ExternalTool.Result {
        try await ExternalTool.run(
            "node",
            [directory.appendingPathComponent("out/\(script).js").path],
            in: directory,
            environment: environment,
            timeout: .seconds(60),
            installHint: self.hint
        )
    }
}
