// swift-tools-version: 6.0
// A package outside Tandem's own targets that depends on it the way README.md's Install section says, and builds
// Examples/Starter from it: proof that the products, their identity and the public API are enough (inside the
// repository, examples could use `package` symbols). It also compiles every Swift block of the documentation
// (target DocSnippets, see snippets.py). Tests/ExternalPackage/build.sh sets it up and builds it.
import PackageDescription

let package = Package(
    name: "NotesServer",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../tandem"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.0.0"),
    ],
    targets: [
        .executableTarget(
            name: "NotesServer",
            dependencies: [
                .product(name: "TandemApp", package: "tandem"),
                .product(name: "HTTPCore", package: "tandem"),
                .product(name: "Routing", package: "tandem"),
                .product(name: "APIEnvelope", package: "tandem"),
                .product(name: "ValidationMacros", package: "tandem"),
                .product(name: "SSRRendering", package: "tandem"),
                .product(name: "ProxyClient", package: "tandem"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        // Every Swift block of README.md and Documentation/, written here by snippets.py (docs that compile).
        .target(
            name: "DocSnippets",
            dependencies: [
                .product(name: "TandemApp", package: "tandem"),
                .product(name: "HTTPCore", package: "tandem"),
                .product(name: "Routing", package: "tandem"),
                .product(name: "ProxyClient", package: "tandem"),
                .product(name: "SSRRendering", package: "tandem"),
                .product(name: "SSRMustache", package: "tandem"),
                .product(name: "APIEnvelope", package: "tandem"),
                .product(name: "APIContract", package: "tandem"),
                .product(name: "ValidationMacros", package: "tandem"),
                .product(name: "CookieAuth", package: "tandem"),
                .product(name: "Multipart", package: "tandem"),
                .product(name: "HTTPCompression", package: "tandem"),
                .product(name: "StaticFiles", package: "tandem"),
                .product(name: "TandemTLS", package: "tandem"),
                .product(name: "TandemTesting", package: "tandem"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            // Snippets show values they do not use further ("let page = …"): not worth a warning each.
            swiftSettings: [.unsafeFlags(["-suppress-warnings"])]
        ),
    ]
)
