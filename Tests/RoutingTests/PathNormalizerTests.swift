import Routing
import TandemTesting
import Testing

@Suite("PathNormalizer")
struct PathNormalizerTests {
    @Test(
        "normalises",
        arguments: [
            ("/", "/"),
            ("/api/search/", "/api/search/"),
            ("/api//search", "/api/search"),
            ("//api///x//", "/api/x/"),
            ("/a/./b", "/a/b"),
            ("/a/b/.", "/a/b/"),
            ("/a/b/..", "/a/"),
            ("/search/../api/x", "/api/x"),
            ("/search/%2e%2e/api/x", "/api/x"),
            ("/search/%2E%2E/api/x", "/api/x"),
            ("/search/.%2e/api/x", "/api/x"),
            ("/search%2f..%2fapi/x", "/api/x"),
            ("/search/%252e%252e/api", "/search/%252e%252e/api"),
            ("/a/%41b", "/a/%41b"),
            ("/...", "/..."),
            ("/a/..b/c", "/a/..b/c"),
            ("/.hidden", "/.hidden"),
        ]
    )
    func normalises(raw: String, expected: String) throws {
        #expect(try PathNormalizer.normalize(raw) == expected)
        #expect(PathNormalizer.isNormalized(expected))
    }

    @Test(
        "rejects paths that cannot be normalised safely",
        arguments: ["/..", "/../etc/passwd", "/a/../..", "/search/%2e%2e/%2e%2e/x", "relative", "", "/a\u{0}b", "/a/%00", "/a\nb"]
    )
    func rejects(raw: String) {
        #expect(throws: PathNormalizer.Rejection.self) { try PathNormalizer.normalize(raw) }
    }

    @Test(
        "recognises paths already in normal form",
        arguments: [
            ("/", true), ("/a/b/", true), ("/a.b/c", true), ("/...", true),
            ("/caf%C3%A9", true), ("/a%20b/", true), ("/x%41", true), ("/items/100%25", true), ("/a%2", true), ("/%", true),
            ("/a%2Fb", false), ("/%00", false), ("/a/%2E%2e", false), ("/%%2e", false),
            ("//a", false), ("/a/./b", false), ("/a/..", false), ("/a/%2e", false), ("a", false), ("/a//", false),
        ]
    )
    func fastPath(path: String, normal: Bool) {
        #expect(PathNormalizer.isNormalized(path) == normal)
    }

    /// The regression behind a gateway crash: the fast path normalised a path, found it still "not normal" and
    /// normalised again, forever. `normalize` must reach a fixed point that `isNormalized` recognises.
    @Test("normalize and isNormalized agree on generated paths (seeded)", arguments: [1 as UInt64, 2, 3, 4])
    func fixedPoint(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let pieces = [
            "/", "/", "a", "b", ".", "..", "%", "2", "e", "E", "f", "F", "0", "%2e", "%2E", "%2f", "%2F", "%00",
            "%41", "%C3%A9", "%25", "%252e", "é", ";", "?", "~", " ", "\t", "//", "/./", "/../",
        ]
        for _ in 0..<2_000 {
            let path = "/" + random.string(from: pieces, count: 0...14)
            if let normal = try? PathNormalizer.normalize(path) {
                #expect(PathNormalizer.isNormalized(normal), "seed \(seed): \(path) → \(normal)")
                #expect(try PathNormalizer.normalize(normal) == normal, "seed \(seed): \(path)")
            }
            if PathNormalizer.isNormalized(path) {
                #expect(try PathNormalizer.normalize(path) == path, "seed \(seed): \(path)")
            }
        }
    }
}
