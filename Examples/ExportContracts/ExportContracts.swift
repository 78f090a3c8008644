import ArgumentParser
import Foundation
import SearchApp

/// Writes the example's contracts as JSON Schema and TypeScript: `swift run export-contracts --out DIR`.
@main
struct ExportContracts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-contracts",
        abstract: "Export the example's input contracts as JSON Schema (2020-12) and TypeScript."
    )

    @Option(help: "Directory to write into (created if missing).")
    var out: String

    func run() throws {
        let directory = URL(fileURLWithPath: self.out, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for file in try Contracts.exportedFiles() {
            try file.contents.write(to: directory.appendingPathComponent(file.name), atomically: true, encoding: .utf8)
            print("wrote \(directory.appendingPathComponent(file.name).path)")
        }
    }
}
