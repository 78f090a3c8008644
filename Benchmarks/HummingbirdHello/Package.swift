// swift-tools-version:6.1
// Benchmark-only reference server: Hummingbird 2 serving the same routes as Tandem's `hello` example.
// Never a dependency of the Tandem library.
import PackageDescription

let package = Package(
    name: "HummingbirdHello",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1")
    ],
    targets: [
        .executableTarget(
            name: "HummingbirdHello",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")]
        )
    ]
)
