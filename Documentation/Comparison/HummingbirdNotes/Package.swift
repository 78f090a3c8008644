// swift-tools-version:6.1
// The starter's notes service in Hummingbird 2 + AsyncHTTPClient, for Documentation/Comparison.md. Not part of
// Tandem's build: `swift build` here to check it (its first build compiles both, a few minutes).
import PackageDescription

let package = Package(
    name: "HummingbirdNotes",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .executableTarget(
            name: "HummingbirdNotes",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        )
    ]
)
