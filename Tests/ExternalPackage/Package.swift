// swift-tools-version: 6.0
// A package outside Tandem's own targets that depends on it the way README.md's Install section says, and builds
// Examples/Starter from it: proof that the products, their identity and the public API are enough (inside the
// repository, examples could use `package` symbols). Tests/ExternalPackage/build.sh sets it up and builds it.
import PackageDescription

let package = Package(
    name: "NotesServer",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../tandem"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
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
        )
    ]
)
