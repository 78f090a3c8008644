// swift-tools-version:6.1
import CompilerPluginSupport
import Foundation
import PackageDescription

/// One settings array for every target (../shared/STYLE.md): Swift 6 mode plus the upcoming features
/// that keep existentials explicit and imports honest.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Tandem",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "HTTPCore", targets: ["HTTPCore"]),
        .library(name: "Routing", targets: ["Routing"]),
        .library(name: "ProxyClient", targets: ["ProxyClient"]),
        .library(name: "SSRRendering", targets: ["SSRRendering"]),
        .library(name: "SSRMustache", targets: ["SSRMustache"]),
        .library(name: "APIEnvelope", targets: ["APIEnvelope"]),
        .library(name: "Validation", targets: ["Validation"]),
        .library(name: "ValidationMacros", targets: ["ValidationMacros"]),
        .library(name: "CookieAuth", targets: ["CookieAuth"]),
        .library(name: "Multipart", targets: ["Multipart"]),
        .library(name: "APIContract", targets: ["APIContract"]),
        .library(name: "StaticFiles", targets: ["StaticFiles"]),
        .library(name: "HTTPCompression", targets: ["HTTPCompression"]),
        .library(name: "TandemTLS", targets: ["TandemTLS"]),
        .library(name: "TandemApp", targets: ["TandemApp"]),
        .library(name: "TandemTesting", targets: ["TandemTesting"]),
        .executable(name: "hello", targets: ["Hello"]),
        .executable(name: "export-contracts", targets: ["ExportContracts"]),
        .executable(name: "split-services", targets: ["SplitServices"]),
        .executable(name: "dev-proxy", targets: ["DevProxy"]),
        .executable(name: "starter", targets: ["Starter"]),
        .executable(name: "bench-server", targets: ["BenchServer"]),
        .executable(name: "tandem-micro", targets: ["Micro"]),
        .executable(name: "proxy-spike", targets: ["ProxySpike"]),
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
    targets: [
        .target(
            name: "HTTPCore",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Routing",
            dependencies: ["HTTPCore", .product(name: "NIOHTTP1", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ProxyClient",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                "HTTPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "Validation", swiftSettings: swiftSettings),
        .macro(
            name: "ValidationMacrosPlugin",
            dependencies: [
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftSyntaxBuilder", package: "swift-syntax"),
                .product(name: "SwiftDiagnostics", package: "swift-syntax"),
                .product(name: "SwiftCompilerPlugin", package: "swift-syntax"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "ValidationMacros", dependencies: ["Validation", "ValidationMacrosPlugin"], swiftSettings: swiftSettings),
        .target(
            name: "APIEnvelope",
            dependencies: [
                "Validation", "HTTPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "StaticFiles",
            dependencies: [
                "HTTPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StaticFilesTests",
            dependencies: [
                "StaticFiles", "HTTPCore", "Routing", "TandemTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "APIContract",
            dependencies: ["APIEnvelope", "Validation", "HTTPCore", "Routing", .product(name: "HTTPTypes", package: "swift-http-types")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Multipart",
            dependencies: [
                "HTTPCore", "APIEnvelope", "Validation",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(name: "CBrotli", pkgConfig: "libbrotlienc", providers: [.apt(["libbrotli-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .target(
            name: "HTTPCompression",
            dependencies: [
                "HTTPCore",
                .target(name: "CBrotli", condition: .when(traits: ["Brotli"])),
                .target(name: "CZstd", condition: .when(traits: ["Zstd"])),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TandemTLS",
            dependencies: [
                "HTTPCore", "ProxyClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TandemTLSTests",
            dependencies: [
                "TandemTLS", "HTTPCore", "Routing", "ProxyClient", "TandemTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HTTPCompressionTests",
            dependencies: [
                "HTTPCompression", "HTTPCore", "Routing", "ProxyClient", "TandemTesting",
                .target(name: "CBrotli", condition: .when(traits: ["Brotli"])),
                .target(name: "CZstd", condition: .when(traits: ["Zstd"])),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "APIContractTests",
            dependencies: [
                "APIContract", "APIEnvelope", "Validation", "HTTPCore", "Routing", "CookieAuth", "Multipart", "TandemTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MultipartTests",
            dependencies: [
                "Multipart", "HTTPCore", "Routing", "TandemTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CookieAuth",
            dependencies: [
                "HTTPCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SSRRendering",
            dependencies: [
                "ProxyClient", "APIEnvelope", "CookieAuth", "HTTPCore", "Routing",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SSRMustache",
            dependencies: ["SSRRendering", .product(name: "Mustache", package: "swift-mustache")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TandemApp",
            dependencies: [
                "HTTPCore",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Topology",
            dependencies: [
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "OTel", package: "swift-otel"),
                "HTTPCompression", "TandemTLS",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "CoreMetrics", package: "swift-metrics"), "HTTPCore", "Routing", "ProxyClient", "SearchApp", "CookieAuth",
                "APIEnvelope", "SSRRendering",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/Topology",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "SplitServices",
            dependencies: [
                "TandemApp", "Topology", "HTTPCore", "ProxyClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/SplitServices",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "DevProxy",
            dependencies: [
                "TandemApp", "Topology",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/DevProxy",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Starter",
            dependencies: [
                "TandemApp", "HTTPCore", "Routing", "ProxyClient", "SSRRendering", "APIEnvelope", "ValidationMacros",
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Examples/Starter",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Hello",
            dependencies: [
                "HTTPCore", "Routing", "TandemApp", "Topology",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/Hello",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TandemTesting",
            dependencies: [
                "TandemApp",
                "HTTPCore",
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HTTPCoreTests",
            dependencies: [
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                "HTTPCore", "TandemTesting", "Routing",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RoutingTests",
            dependencies: [
                "Routing", "HTTPCore", "TandemTesting",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SearchApp",
            dependencies: [
                "HTTPCore", "Routing", "APIEnvelope", "APIContract", "Multipart", "StaticFiles", "Validation", "CookieAuth", "SSRRendering",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/SearchApp",
            exclude: ["Contracts"],
            resources: [.copy("Static")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ExportContracts",
            dependencies: ["SearchApp", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/ExportContracts",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "BenchServer",
            dependencies: [
                "SearchApp", "APIEnvelope", "HTTPCore", "Routing", "SSRRendering", "StaticFiles",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/BenchServer",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ProxySpike",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/ProxySpike",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Micro",
            dependencies: [
                "SearchApp", "APIEnvelope", "Validation", "SSRRendering", "HTTPCore", "HTTPCompression",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Micro",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProxyClientTests",
            dependencies: [
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                "ProxyClient", "HTTPCore", "Routing", "TandemTesting", "HTTPCompression",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ValidationMacrosTests",
            dependencies: ["ValidationMacros", "Validation"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TandemAppTests",
            dependencies: [
                "TandemApp", "TandemTesting", "HTTPCore", "ProxyClient", "Routing",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CookieAuthTests",
            dependencies: [
                "CookieAuth", "HTTPCore", "ProxyClient", "Routing", "APIEnvelope", "TandemTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ValidationTests",
            dependencies: ["Validation", "TandemTesting", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "APIEnvelopeTests",
            dependencies: [
                "APIEnvelope", "Validation", "HTTPCore", "Routing", "TandemTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .systemLibrary(
            name: "CLibXML2",
            path: "Tests/Support/CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .target(name: "HTMLTesting", dependencies: ["CLibXML2"], path: "Tests/Support/HTMLTesting", swiftSettings: swiftSettings),
        .testTarget(
            name: "SSRRenderingTests",
            dependencies: [
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                "SSRRendering", "SSRMustache", "HTMLTesting", "TandemTesting",
                .product(name: "Mustache", package: "swift-mustache"), "HTTPCore", "Routing", "APIEnvelope", "ProxyClient", "CookieAuth",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ExamplesTests",
            dependencies: [
                "Topology",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                "TandemTesting", "HTMLTesting", "TandemApp", "Hello", "Starter", "SearchApp", "Validation", "ExportContracts",
                "SplitServices",
                "DevProxy",
                "HTTPCore",
                "ProxyClient",
                "APIEnvelope",
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

// The libFuzzer targets (Fuzz/): only when asked for, since they link libFuzzer's `main` and build only with
// `--sanitize=fuzzer`. Fuzz/run.sh sets TANDEM_FUZZ=1 and builds into its own folder.
if ProcessInfo.processInfo.environment["TANDEM_FUZZ"] != nil {
    package.products.append(.executable(name: "tandem-fuzz", targets: ["TandemFuzz"]))
    package.targets.append(
        .executableTarget(
            name: "TandemFuzz",
            dependencies: [
                "HTTPCore", "Routing", "ProxyClient", "CookieAuth", "Validation", "APIEnvelope", "Multipart",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Fuzz/TandemFuzz",
            swiftSettings: swiftSettings
        )
    )
}
