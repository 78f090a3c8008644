import Foundation
import Testing

/// Documentation/Architecture.md's layering table is the rule the imports keep, and the repository's documents point
/// only inside the repository.
@Suite("The architecture document is true of the code")
struct ArchitectureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A row of the layering table.
    struct Row {
        var layer: Int
        var imports: Set<String>
    }

    /// The rows between the document's `layering: begin` and `layering: end` markers, by module.
    static func layering() throws -> [String: Row] {
        let text = try String(contentsOf: Self.root.appendingPathComponent("Documentation/Architecture.md"), encoding: .utf8)
        let begin = try #require(text.firstRange(of: "<!-- layering: begin -->"))
        let end = try #require(text.firstRange(of: "<!-- layering: end -->"))
        var rows: [String: Row] = [:]
        for line in text[begin.upperBound..<end.lowerBound].split(separator: "\n") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 5, let layer = Int(cells[1]) else { continue }
            let imports = cells[3] == "—" ? [] : Set(cells[3].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            rows[cells[2]] = Row(layer: layer, imports: imports)
        }
        return rows
    }

    /// The names each Swift file under `folder` imports (any access level, `@_exported` and `@preconcurrency` too).
    static func imports(under folder: URL) throws -> Set<String> {
        var names: Set<String> = []
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift" else { continue }
            for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
                let words = line.split(separator: " ").filter { !$0.hasPrefix("@") }
                guard let index = words.firstIndex(of: "import"), index <= 1 else { continue }
                if index == 1, !["public", "package", "internal", "private", "fileprivate"].contains(words[0]) { continue }
                guard index + 1 < words.count else { continue }
                var name = words[index + 1]
                if ["class", "struct", "enum", "protocol", "func", "typealias", "var", "let"].contains(name), index + 2 < words.count {
                    name = words[index + 2]
                }
                names.insert(String(name.split(separator: ".")[0]))
            }
        }
        return names
    }

    @Test("Every module of Sources/ has a row, imports exactly the modules its row lists, and only from lower layers")
    func importsFollowTheTable() throws {
        let rows = try Self.layering()
        let sources = Self.root.appendingPathComponent("Sources")
        let modules = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { !$0.hasPrefix(".") }
        #expect(Set(modules) == Set(rows.keys), "Sources/ and the table differ")
        for module in modules {
            guard let row = rows[module] else { continue }
            let imported = try Self.imports(under: sources.appendingPathComponent(module)).intersection(modules)
            #expect(imported == row.imports, "\(module) imports \(imported.sorted()); its row says \(row.imports.sorted())")
            for dependency in row.imports {
                let layer = rows[dependency]?.layer ?? .max
                #expect(layer < row.layer, "\(module) (layer \(row.layer)) imports \(dependency) (layer \(layer))")
            }
        }
    }

    @Test("The check finds imports of every form, so a module cannot hide one from the table")
    func importForms() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("imports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = """
            import HTTPCore
            public import Routing
            @_exported public import Validation
            @preconcurrency package import ProxyClient
            import struct CookieAuth.SetCookie
            // import SSRRendering (a comment)
            let x = "import APIEnvelope"
            """
        try text.write(to: folder.appendingPathComponent("File.swift"), atomically: true, encoding: .utf8)
        #expect(try Self.imports(under: folder) == ["HTTPCore", "Routing", "Validation", "ProxyClient", "CookieAuth"])
    }

    /// Every text document of the repository that people read or run: Markdown, Swift, shell and YAML files.
    static func documents() -> [URL] {
        var found: [URL] = []
        let files = FileManager.default.enumerator(at: Self.root, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            let name = file.lastPathComponent
            // Hidden folders are build products and tools' state (.build, .build-fuzz, .git), not documents.
            if name.hasPrefix(".") || ["node_modules", "corpus", "artifacts"].contains(name) {
                files?.skipDescendants()
                continue
            }
            if ["md", "swift", "sh", "yml", "yaml", "py"].contains(file.pathExtension) || name == "run" { found.append(file) }
        }
        return found
    }

    @Test("No document names the design sketch or style guide kept outside the repository")
    func noOutsideDocuments() throws {
        let outside = ["../" + "shared", "DESIGN" + ".md", "STYLE" + ".md"]
        for file in Self.documents() {
            let text = try String(contentsOf: file, encoding: .utf8)
            for name in outside where text.contains(name) {
                Issue.record("\(file.path.dropFirst(Self.root.path.count)) refers to \(name), which is not in the repository")
            }
        }
    }

    @Test("Every relative link of the Markdown documents leads to a file inside the repository")
    func linksStayInside() throws {
        let link = /\]\(([^)\s]+)\)/
        var checked = 0
        for file in Self.documents() where file.pathExtension == "md" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: link) {
                let target = String(match.output.1)
                if target.hasPrefix("#") || target.contains("://") || target.hasPrefix("mailto:") { continue }
                let path = String(target.split(separator: "#", omittingEmptySubsequences: false)[0])
                let resolved = file.deletingLastPathComponent().appendingPathComponent(path).standardizedFileURL
                let name = "\(file.path.dropFirst(Self.root.path.count)) → \(target)"
                #expect(resolved.path.hasPrefix(Self.root.standardizedFileURL.path + "/"), "\(name) leaves the repository")
                #expect(FileManager.default.fileExists(atPath: resolved.path), "\(name) leads nowhere")
                checked += 1
            }
        }
        #expect(checked > 20, "the link pattern found only \(checked) links")
    }
}
