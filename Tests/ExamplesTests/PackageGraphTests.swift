import Foundation
import TandemTesting
import Testing

/// What each product makes its users build: TLS and HTTP/2 (BoringSSL among them) only for those who ask for
/// `TandemTLS`, the macro toolchain only for `ValidationMacros`.
@Suite("The package graph keeps heavy dependencies to the products that need them")
struct PackageGraphTests {
    /// The manifest's targets and, for each, the targets and products it depends on.
    static func manifest() async throws -> [String: [(name: String, package: String?)]] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let scratch = try ExternalTool.scratchDirectory("dump-package")
        // A scratch path of its own: the running `swift test` holds .build's lock.
        let dump = try await ExternalTool.run(
            "swift",
            ["package", "--package-path", root.path, "--scratch-path", scratch.path, "dump-package"],
            timeout: .seconds(120)
        )
        guard dump.status == 0, let start = dump.output.firstIndex(of: "{") else {
            throw TestCertificateError(description: "dump-package failed: \(dump.output)")
        }
        let json = try JSONSerialization.jsonObject(with: Data(dump.output[start...].utf8)) as? [String: Any]
        var graph: [String: [(name: String, package: String?)]] = [:]
        for target in json?["targets"] as? [[String: Any]] ?? [] {
            guard let name = target["name"] as? String else { continue }
            graph[name] = (target["dependencies"] as? [[String: Any]] ?? []).compactMap { dependency in
                for kind in ["byName", "target", "product"] {
                    if let fields = dependency[kind] as? [Any], let dependencyName = fields.first as? String {
                        return (dependencyName, kind == "product" ? fields.dropFirst().first as? String : nil)
                    }
                }
                return nil
            }
        }
        return graph
    }

    /// The external packages `target` needs, through every target it depends on.
    static func packages(of target: String, in graph: [String: [(name: String, package: String?)]]) -> Set<String> {
        var seen: Set<String> = [], packages: Set<String> = [], queue = [target]
        while let next = queue.popLast() {
            guard seen.insert(next).inserted else { continue }
            for dependency in graph[next] ?? [] {
                if let package = dependency.package { packages.insert(package) } else { queue.append(dependency.name) }
            }
        }
        return packages
    }

    @Test("HTTPCore, ProxyClient, SSRRendering and the other libraries build neither swift-nio-ssl nor swift-nio-http2")
    func tlsOnlyForTandemTLS() async throws {
        let graph = try await Self.manifest()
        let light = [
            "HTTPCore", "Routing", "ProxyClient", "SSRRendering", "APIEnvelope", "Validation", "CookieAuth", "StaticFiles",
            "HTTPCompression", "APIContract", "Multipart", "TandemApp",
        ]
        for target in light {
            #expect(graph[target] != nil, "\(target) is not in the manifest")
            let packages = Self.packages(of: target, in: graph)
            #expect(!packages.contains("swift-nio-ssl") && !packages.contains("swift-nio-http2"), "\(target) needs \(packages.sorted())")
            #expect(!packages.contains("swift-syntax"), "\(target) needs swift-syntax")
        }
        let tls = Self.packages(of: "TandemTLS", in: graph)
        #expect(tls.contains("swift-nio-ssl") && tls.contains("swift-nio-http2"))
    }
}
