import Foundation
import TandemTesting
import Testing

/// What each product makes its users build: TLS and HTTP/2 (BoringSSL among them) only for those who ask for
/// `TandemTLS`, the macro toolchain only for `ValidationMacros`.
@Suite("The package graph keeps heavy dependencies to the products that need them")
struct PackageGraphTests {
    /// `swift package dump-package`, parsed.
    static func dump() async throws -> [String: Any] {
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
        return try JSONSerialization.jsonObject(with: Data(dump.output[start...].utf8)) as? [String: Any] ?? [:]
    }

    /// The manifest's targets and, for each, the targets and products it depends on.
    static func manifest() async throws -> [String: [(name: String, package: String?)]] {
        let json: [String: Any]? = try await Self.dump()
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

    @Test("libbrotli and libzstd are linked only under the traits Brotli and Zstd, which are off by default")
    func compressionLibrariesBehindTraits() async throws {
        let json = try await Self.dump()
        let traits = json["traits"] as? [[String: Any]] ?? []
        #expect(Set(traits.compactMap { $0["name"] as? String }) == ["Brotli", "Zstd"])
        #expect(traits.allSatisfy { ($0["name"] as? String) != "default" }, "no trait is on by default: \(traits)")
        var users: [String] = []
        for target in json["targets"] as? [[String: Any]] ?? [] {
            for dependency in target["dependencies"] as? [[String: Any]] ?? [] {
                let fields = (dependency["target"] ?? dependency["byName"]) as? [Any] ?? []
                guard let name = fields.first as? String, name == "CBrotli" || name == "CZstd" else { continue }
                let condition = fields.dropFirst().first as? [String: Any]
                let expected = name == "CBrotli" ? "Brotli" : "Zstd"
                #expect(condition?["traits"] as? [String] == [expected], "\(target["name"] ?? "?") needs \(name) without its trait")
                users.append(target["name"] as? String ?? "?")
            }
        }
        #expect(users.contains("HTTPCompression"))
    }

    @Test("The package's products are its libraries and example programs; benchmarks are built by name, not exported")
    func benchmarksAreNotProducts() async throws {
        let json = try await Self.dump()
        let products = json["products"] as? [[String: Any]] ?? []
        let names = Set(products.compactMap { $0["name"] as? String })
        #expect(names.isDisjoint(with: ["bench-server", "tandem-micro", "proxy-spike"]), "\(names.sorted())")
        #expect(names.isSuperset(of: ["HTTPCore", "ProxyClient", "TandemApp", "split-services", "dev-proxy", "starter"]))
        let benchmarks = (json["targets"] as? [[String: Any]] ?? []).filter { ($0["path"] as? String)?.hasPrefix("Benchmarks/") == true }
        #expect(benchmarks.count == 3, "the benchmark programs are targets: \(benchmarks.count)")
    }
}
