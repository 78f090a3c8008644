import Routing
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
        #expect(PathNormalizer.isNormalized(expected) || expected.contains("%"))
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
            ("//a", false), ("/a/./b", false), ("/a/..", false), ("/a/%2e", false), ("a", false), ("/a//", false),
        ]
    )
    func fastPath(path: String, normal: Bool) {
        #expect(PathNormalizer.isNormalized(path) == normal)
    }
}
