// swift-tools-version:6.1
import CompilerPluginSupport
import Foundation
import PackageDescription

// The manifest in four groups — the libraries (the products), the examples, the benchmarks, the tests — each
// target named with the helpers below, so every target gets the same settings and every external product is
// named once, with its package, in `externalPackages`. Documentation/Architecture.md has the layering the
// library targets keep; Tests/ExamplesTests checks both.

/// One settings array for every target (Documentation/Contributing.md): Swift 6 mode plus the upcoming features
/// that keep existentials explicit and imports honest.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The package each external product comes from.
let externalPackages: [String: String] = [
    "ArgumentParser": "swift-argument-parser",
    "CompressNIO": "compress-nio",
    "CoreMetrics": "swift-metrics", "MetricsTestKit": "swift-metrics",
    "Crypto": "swift-crypto",
    "HTTPTypes": "swift-http-types",
    "Logging": "swift-log",
    "Mustache": "swift-mustache",
    "NIOCore": "swift-nio", "NIOPosix": "swift-nio", "NIOHTTP1": "swift-nio", "NIOTLS": "swift-nio",
    "NIOEmbedded": "swift-nio", "_NIOFileSystem": "swift-nio",
    "NIOExtras": "swift-nio-extras", "NIOHTTPTypesHTTP1": "swift-nio-extras",
    "NIOSSL": "swift-nio-ssl",
    "NIOHTTP2": "swift-nio-http2",
    "OTel": "swift-otel",
    "Prometheus": "swift-prometheus",
    "ServiceLifecycle": "swift-service-lifecycle", "ServiceLifecycleTestKit": "swift-service-lifecycle",
    "UnixSignals": "swift-service-lifecycle",
    "SwiftSyntax": "swift-syntax", "SwiftSyntaxMacros": "swift-syntax", "SwiftSyntaxBuilder": "swift-syntax",
    "SwiftDiagnostics": "swift-syntax", "SwiftCompilerPlugin": "swift-syntax",
    "Tracing": "swift-distributed-tracing", "InMemoryTracing": "swift-distributed-tracing",
]

/// External products by name (their packages from `externalPackages`).
func external(_ names: String...) -> [Target.Dependency] {
    names.map { name in
        guard let package = externalPackages[name] else { fatalError("Package.swift: no package for the product \(name)") }
        return .product(name: name, package: package)
    }
}

/// A library target of `Sources/NAME`, or another folder with `path`.
func library(
    _ name: String,
    _ dependencies: [Target.Dependency] = [],
    path: String? = nil,
    exclude: [String] = [],
    resources: [Resource]? = nil
) -> Target {
    .target(
        name: name,
        dependencies: dependencies,
        path: path,
        exclude: exclude,
        resources: resources,
        swiftSettings: swiftSettings
    )
}

/// An executable target in `path`.
func executable(_ name: String, _ dependencies: [Target.Dependency], path: String) -> Target {
    .executableTarget(name: name, dependencies: dependencies, path: path, swiftSettings: swiftSettings)
}

/// A test target of `Tests/NAME`.
func tests(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .testTarget(name: name, dependencies: dependencies, swiftSettings: swiftSettings)
}

// MARK: - Libraries (each a product)

let libraries: [Target] = [
    library(
        "HTTPCore",
        external(
            "CoreMetrics",
            "Tracing",
            "NIOCore",
            "NIOPosix",
            "NIOHTTP1",
            "NIOHTTPTypesHTTP1",
            "NIOExtras",
            "HTTPTypes",
            "Logging",
            "ServiceLifecycle"
        )
    ),
    library("Routing", ["HTTPCore"] + external("NIOHTTP1")),
    library(
        "ProxyClient",
        ["HTTPCore"]
            + external("CoreMetrics", "Tracing", "NIOCore", "NIOPosix", "NIOHTTP1", "NIOHTTPTypesHTTP1", "HTTPTypes", "Logging")
    ),
    library("Validation"),
    // Only for the ValidationMacros product (`@Contract`): users of the other products never build swift-syntax.
    .macro(
        name: "ValidationMacrosPlugin",
        dependencies: external("SwiftSyntax", "SwiftSyntaxMacros", "SwiftSyntaxBuilder", "SwiftDiagnostics", "SwiftCompilerPlugin"),
        swiftSettings: swiftSettings
    ),
    library("ValidationMacros", ["Validation", "ValidationMacrosPlugin"]),
    library("APIEnvelope", ["Validation", "HTTPCore"] + external("NIOCore", "HTTPTypes", "Logging")),
    library("APIContract", ["APIEnvelope", "Validation", "HTTPCore", "Routing"] + external("HTTPTypes")),
    library("CookieAuth", ["HTTPCore"] + external("Crypto", "HTTPTypes", "Logging", "NIOCore")),
    library(
        "SSRRendering",
        ["ProxyClient", "APIEnvelope", "CookieAuth", "HTTPCore", "Routing"]
            + external("Crypto", "NIOCore", "HTTPTypes", "Logging")
    ),
    library("SSRMustache", ["SSRRendering"] + external("Mustache")),
    library("StaticFiles", ["HTTPCore"] + external("NIOCore", "NIOPosix", "_NIOFileSystem", "HTTPTypes")),
    library("Multipart", ["HTTPCore", "APIEnvelope", "Validation"] + external("NIOCore", "_NIOFileSystem", "HTTPTypes")),
    .systemLibrary(name: "CBrotli", pkgConfig: "libbrotlienc", providers: [.apt(["libbrotli-dev"])]),
    .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
    library(
        "HTTPCompression",
        [
            "HTTPCore",
            .target(name: "CBrotli", condition: .when(traits: ["Brotli"])),
            .target(name: "CZstd", condition: .when(traits: ["Zstd"])),
        ] + external("CompressNIO", "NIOCore", "NIOHTTP1", "HTTPTypes")
    ),
    // The only target that builds BoringSSL and HTTP/2.
    library(
        "TandemTLS",
        ["HTTPCore", "ProxyClient"]
            + external("NIOCore", "NIOTLS", "NIOHTTP1", "NIOSSL", "NIOHTTP2", "Logging", "ServiceLifecycle", "UnixSignals")
    ),
    library(
        "TandemApp",
        ["HTTPCore"]
            + external(
                "Tracing",
                "HTTPTypes",
                "NIOCore",
                "NIOPosix",
                "NIOHTTP1",
                "Logging",
                "ServiceLifecycle",
                "UnixSignals"
            )
    ),
    library(
        "TandemTesting",
        ["TandemApp", "HTTPCore", "ProxyClient"]
            + external("ServiceLifecycleTestKit", "NIOCore", "NIOPosix", "NIOEmbedded", "HTTPTypes", "Logging")
    ),
]

// MARK: - Examples (the executables are products)

let examples: [Target] = [
    library(
        "SearchApp",
        ["HTTPCore", "Routing", "APIEnvelope", "APIContract", "Multipart", "StaticFiles", "Validation", "CookieAuth", "SSRRendering"]
            + external("Crypto", "NIOCore", "HTTPTypes", "Logging"),
        path: "Examples/SearchApp",
        exclude: ["Contracts"],
        resources: [.copy("Static")]
    ),
    library(
        "Topology",
        [
            "HTTPCore", "Routing", "ProxyClient", "SearchApp", "CookieAuth", "APIEnvelope", "SSRRendering", "HTTPCompression",
            "TandemTLS",
        ]
            + external(
                "HTTPTypes",
                "NIOCore",
                "Prometheus",
                "OTel",
                "Tracing",
                "CoreMetrics",
                "Logging",
                "ArgumentParser"
            ),
        path: "Examples/Topology"
    ),
    executable(
        "SplitServices",
        ["TandemApp", "Topology", "HTTPCore", "ProxyClient"] + external("ArgumentParser", "Logging"),
        path: "Examples/SplitServices"
    ),
    executable("DevProxy", ["TandemApp", "Topology"] + external("ArgumentParser", "Logging"), path: "Examples/DevProxy"),
    executable(
        "Starter",
        ["TandemApp", "HTTPCore", "Routing", "ProxyClient", "SSRRendering", "APIEnvelope", "ValidationMacros"]
            + external("HTTPTypes"),
        path: "Examples/Starter"
    ),
    executable(
        "Hello",
        ["HTTPCore", "Routing", "TandemApp", "Topology"] + external("NIOCore", "Logging", "ArgumentParser"),
        path: "Examples/Hello"
    ),
    executable("ExportContracts", ["SearchApp"] + external("ArgumentParser"), path: "Examples/ExportContracts"),
]

// MARK: - Benchmarks (built by name, `swift build -c release --product bench-server`; not products of the package)

let benchmarks: [Target] = [
    executable(
        "bench-server",
        ["SearchApp", "APIEnvelope", "HTTPCore", "Routing", "SSRRendering", "StaticFiles"] + external("Logging"),
        path: "Benchmarks/BenchServer"
    ),
    executable("proxy-spike", external("NIOCore", "NIOPosix", "NIOHTTP1"), path: "Benchmarks/ProxySpike"),
    executable(
        "tandem-micro",
        ["SearchApp", "APIEnvelope", "Validation", "SSRRendering", "HTTPCore", "HTTPCompression"]
            + external("NIOCore", "HTTPTypes", "Logging"),
        path: "Benchmarks/Micro"
    ),
]

// MARK: - Tests

let testTargets: [Target] = [
    .systemLibrary(name: "CLibXML2", path: "Tests/Support/CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
    library("HTMLTesting", ["CLibXML2"], path: "Tests/Support/HTMLTesting"),
    tests(
        "HTTPCoreTests",
        ["HTTPCore", "TandemTesting", "Routing"]
            + external(
                "InMemoryTracing",
                "Tracing",
                "MetricsTestKit",
                "CoreMetrics",
                "NIOCore",
                "NIOPosix",
                "NIOHTTP1",
                "HTTPTypes",
                "Logging",
                "ServiceLifecycle"
            )
    ),
    tests("RoutingTests", ["Routing", "HTTPCore", "TandemTesting"] + external("HTTPTypes", "NIOCore", "Logging")),
    tests(
        "ProxyClientTests",
        ["ProxyClient", "HTTPCore", "Routing", "TandemTesting", "HTTPCompression"]
            + external("InMemoryTracing", "Tracing", "MetricsTestKit", "NIOCore", "NIOPosix", "NIOEmbedded", "HTTPTypes", "Logging")
    ),
    tests("ValidationTests", ["Validation", "TandemTesting"] + external("NIOCore")),
    tests("ValidationMacrosTests", ["ValidationMacros", "Validation"]),
    tests(
        "APIEnvelopeTests",
        ["APIEnvelope", "Validation", "HTTPCore", "Routing", "TandemTesting"] + external("NIOCore", "HTTPTypes", "Logging")
    ),
    tests(
        "APIContractTests",
        ["APIContract", "APIEnvelope", "Validation", "HTTPCore", "Routing", "CookieAuth", "Multipart", "TandemTesting"]
            + external("NIOCore", "HTTPTypes")
    ),
    tests(
        "CookieAuthTests",
        ["CookieAuth", "HTTPCore", "ProxyClient", "Routing", "APIEnvelope", "TandemTesting"]
            + external("NIOCore", "HTTPTypes", "Logging")
    ),
    tests(
        "SSRRenderingTests",
        ["SSRRendering", "SSRMustache", "HTMLTesting", "TandemTesting", "HTTPCore", "Routing", "APIEnvelope", "ProxyClient", "CookieAuth"]
            + external("InMemoryTracing", "Tracing", "Mustache", "NIOCore", "HTTPTypes", "Logging")
    ),
    tests("StaticFilesTests", ["StaticFiles", "HTTPCore", "Routing", "TandemTesting"] + external("NIOCore", "HTTPTypes")),
    tests("MultipartTests", ["Multipart", "HTTPCore", "Routing", "TandemTesting"] + external("NIOCore", "HTTPTypes")),
    tests(
        "HTTPCompressionTests",
        [
            "HTTPCompression", "HTTPCore", "Routing", "ProxyClient", "TandemTesting",
            .target(name: "CBrotli", condition: .when(traits: ["Brotli"])),
            .target(name: "CZstd", condition: .when(traits: ["Zstd"])),
        ] + external("CompressNIO", "NIOCore", "HTTPTypes")
    ),
    tests(
        "TandemTLSTests",
        ["TandemTLS", "HTTPCore", "Routing", "ProxyClient", "TandemTesting"]
            + external("NIOCore", "HTTPTypes", "Logging", "ServiceLifecycle")
    ),
    tests("TandemAppTests", ["TandemApp", "TandemTesting", "HTTPCore", "ProxyClient", "Routing"] + external("Logging")),
    tests(
        "ExamplesTests",
        [
            "Topology", "TandemTesting", "HTMLTesting", "TandemApp", "Hello", "Starter", "SearchApp", "Validation",
            "ExportContracts", "SplitServices", "DevProxy", "HTTPCore", "ProxyClient", "APIEnvelope",
        ] + external("Logging", "InMemoryTracing", "Tracing", "OTel", "NIOCore", "HTTPTypes")
    ),
]

let libraryProducts = [
    "HTTPCore", "Routing", "ProxyClient", "SSRRendering", "SSRMustache", "APIEnvelope", "Validation", "ValidationMacros",
    "CookieAuth", "Multipart", "APIContract", "StaticFiles", "HTTPCompression", "TandemTLS", "TandemApp", "TandemTesting",
]

let package = Package(
    name: "Tandem",
    platforms: [.macOS(.v15)],
    products: libraryProducts.map { .library(name: $0, targets: [$0]) } + [
        .executable(name: "hello", targets: ["Hello"]),
        .executable(name: "export-contracts", targets: ["ExportContracts"]),
        .executable(name: "split-services", targets: ["SplitServices"]),
        .executable(name: "dev-proxy", targets: ["DevProxy"]),
        .executable(name: "starter", targets: ["Starter"]),
    ],
    traits: [
        // Response codings beyond gzip and deflate, through the system's libraries: off by default, so a package that
        // uses HTTPCompression builds without them (`swift build --traits Brotli,Zstd` turns them on).
        .trait(name: "Brotli", description: "br response compression with libbrotli (apt-get install libbrotli-dev)"),
        .trait(name: "Zstd", description: "zstd response compression with libzstd (apt-get install libzstd-dev)"),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        // Only for the TandemTLS product (TLS, HTTP/2, HTTPS upstreams): HTTPCore alone never builds BoringSSL.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        // Only for the examples' OTLP export; the OTLP/HTTP exporter alone, so no gRPC is built.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        // Only for the ValidationMacros product (`@Contract`): users of the other products never build it.
        .package(url: "https://github.com/swiftlang/swift-syntax.git", "602.0.0"..<"604.0.0"),
    ],
    targets: libraries + examples + benchmarks + testTargets
)

// The libFuzzer targets (Fuzz/): only when asked for, since they link libFuzzer's `main` and build only with
// `--sanitize=fuzzer`. Fuzz/run.sh sets TANDEM_FUZZ=1 and builds into its own folder.
if ProcessInfo.processInfo.environment["TANDEM_FUZZ"] != nil {
    package.products.append(.executable(name: "tandem-fuzz", targets: ["TandemFuzz"]))
    package.targets.append(
        executable(
            "TandemFuzz",
            ["HTTPCore", "Routing", "ProxyClient", "CookieAuth", "Validation", "APIEnvelope", "Multipart"]
                + external("HTTPTypes", "NIOCore", "NIOEmbedded", "NIOHTTP1"),
            path: "Fuzz/TandemFuzz"
        )
    )
}
