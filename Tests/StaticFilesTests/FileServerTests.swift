import Foundation
import HTTPCore
import Routing
import StaticFiles
import TandemTesting
import Testing

/// A served folder with every kind of file the tests need, and a secret beside it that must stay unreachable.
struct Site {
    let folder: URL
    let root: URL
    let big: [UInt8]

    init() throws {
        self.folder = try ExternalTool.scratchDirectory("static")
        self.root = self.folder.appendingPathComponent("public")
        var generator = SystemRandomNumberGenerator()
        self.big = (0..<(1 << 20) + 7).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let root = self.root
        let manager = FileManager.default
        for directory in ["sub", "empty", "assets"] {
            try manager.createDirectory(at: self.root.appendingPathComponent(directory), withIntermediateDirectories: true)
        }
        func write(_ name: String, _ text: String) throws {
            try text.write(to: root.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try write("index.html", "<h1>home</h1>")
        try write("site.css", "body { color: #333 }\n")
        try write("assets/app.3f2b8c1e.js", "console.log('identity')")
        try write("assets/app.3f2b8c1e.js.gz", "GZIP-BYTES")
        try write("assets/app.3f2b8c1e.js.br", "BROTLI-BYTES")
        try write("assets/app.3f2b8c1e.js.zst", "ZSTD-BYTES")
        try write("assets/plain.js", "plain")
        try write("assets/plain.js.gz", "plain-gz")
        try write("sub/index.html", "<h1>sub</h1>")
        try write(".env", "SECRET=1")
        try write("name with space.txt", "spaced")
        try Data(self.big).write(to: self.root.appendingPathComponent("big.bin"))
        try "TOP SECRET".write(to: self.folder.appendingPathComponent("outside.txt"), atomically: true, encoding: .utf8)
        try manager.createDirectory(at: self.folder.appendingPathComponent("private"), withIntermediateDirectories: true)
        try "PRIVATE".write(to: self.folder.appendingPathComponent("private/key.txt"), atomically: true, encoding: .utf8)
        try manager.createSymbolicLink(atPath: self.root.appendingPathComponent("escape.txt").path, withDestinationPath: "../outside.txt")
        try manager.createSymbolicLink(
            atPath: self.root.appendingPathComponent("outdir").path,
            withDestinationPath: self.folder.appendingPathComponent("private").path
        )
        try manager.createSymbolicLink(atPath: self.root.appendingPathComponent("alias.css").path, withDestinationPath: "site.css")
    }
}

func get(_ port: Int, _ target: String, _ headers: String = "", method: String = "GET") async throws -> RawHTTPResponse {
    let client = try await RawHTTPClient.connect(port: port)
    try await client.send("\(method) \(target) HTTP/1.1\r\nHost: t\r\n\(headers)\r\n")
    let response = try await client.readResponse(bodyless: method == "HEAD")
    await client.close()
    return response
}

@Suite("FileServer")
struct FileServerTests {
    func withSite(_ configuration: FileServer.Configuration = .init(), _ body: (Int, Site) async throws -> Void) async throws {
        let site = try Site()
        defer { try? FileManager.default.removeItem(at: site.folder) }
        let server = try FileServer(root: site.root.path, configuration: configuration)
        try await withTestServer(server) { port in try await body(port, site) }
    }

    @Test("a file with its type, length, validators and no cache header; a fingerprinted one cached for a year")
    func file() async throws {
        try await self.withSite { port, _ in
            let css = try await get(port, "/site.css")
            #expect(css.status == 200 && css.text == "body { color: #333 }\n")
            #expect(css.header("content-type") == "text/css; charset=utf-8")
            #expect(css.header("content-length") == "21")
            #expect(css.header("accept-ranges") == "bytes" && css.header("x-content-type-options") == "nosniff")
            #expect(css.header("etag")?.hasPrefix("\"") == true && css.header("etag")?.hasSuffix("-15\"") == true)
            #expect(css.header("last-modified")?.hasSuffix(" GMT") == true)
            #expect(css.header("cache-control") == nil)
            let app = try await get(port, "/assets/app.3f2b8c1e.js")
            #expect(app.text == "console.log('identity')")
            #expect(app.header("cache-control") == "public, max-age=31536000, immutable")
            #expect(app.header("content-type") == "text/javascript; charset=utf-8")
            #expect(try await get(port, "/name%20with%20space.txt").text == "spaced")
            #expect(try await get(port, "/alias.css").text == "body { color: #333 }\n")
            #expect(try await get(port, "/missing.css").status == 404)
            let post = try await get(port, "/site.css", method: "POST")
            #expect(post.status == 405 && post.header("allow") == "GET, HEAD")
        }
    }

    @Test("HEAD: the headers of GET, with its length, and no body")
    func head() async throws {
        try await self.withSite { port, _ in
            let head = try await get(port, "/big.bin", method: "HEAD")
            #expect(head.status == 200 && head.body.isEmpty)
            #expect(head.header("content-length") == String((1 << 20) + 7))
            #expect(head.header("content-type") == "application/octet-stream")
        }
    }

    @Test("a megabyte is streamed in chunks, byte for byte")
    func big() async throws {
        var configuration = FileServer.Configuration()
        configuration.chunkSize = 16 * 1024
        try await self.withSite(configuration) { port, site in
            let response = try await get(port, "/big.bin")
            #expect(response.status == 200 && response.body.count == site.big.count)
            #expect(response.body == site.big)
        }
    }

    @Test("304 for a current copy: If-None-Match (strong, weak, *, in a list), else If-Modified-Since")
    func conditional() async throws {
        try await self.withSite { port, _ in
            let first = try await get(port, "/site.css")
            let etag = try #require(first.header("etag"))
            let modified = try #require(first.header("last-modified"))
            for header in ["If-None-Match: \(etag)", "If-None-Match: W/\(etag)", "If-None-Match: *", "If-None-Match: \"x\", \(etag)"] {
                let response = try await get(port, "/site.css", header + "\r\n")
                #expect(response.status == 304 && response.body.isEmpty, "\(header)")
                #expect(response.header("etag") == etag)
            }
            #expect(try await get(port, "/site.css", "If-None-Match: \"other\"\r\n").status == 200)
            #expect(try await get(port, "/site.css", "If-Modified-Since: \(modified)\r\n").status == 304)
            #expect(try await get(port, "/site.css", "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\n").status == 200)
            #expect(try await get(port, "/site.css", "If-Modified-Since: yesterday\r\n").status == 200)
            // If-None-Match wins over If-Modified-Since.
            #expect(try await get(port, "/site.css", "If-None-Match: \"other\"\r\nIf-Modified-Since: \(modified)\r\n").status == 200)
        }
    }

    @Test("ranges: 206 with Content-Range for one range, 416 past the end, the whole file for several or a stale If-Range")
    func ranges() async throws {
        try await self.withSite { port, site in
            let size = site.big.count
            let cases: [(String, Int, String?, ArraySlice<UInt8>?)] = [
                ("bytes=0-9", 206, "bytes 0-9/\(size)", site.big[0..<10]),
                ("bytes=-5", 206, "bytes \(size - 5)-\(size - 1)/\(size)", site.big[(size - 5)...]),
                ("bytes=\(size - 3)-", 206, "bytes \(size - 3)-\(size - 1)/\(size)", site.big[(size - 3)...]),
                ("bytes=100-99999999", 206, "bytes 100-\(size - 1)/\(size)", site.big[100...]),
                ("bytes=\(size)-", 416, "bytes */\(size)", nil),
                ("bytes=0-1,5-6", 200, nil, site.big[...]),
                ("bytes=9-3", 200, nil, site.big[...]),
                ("items=0-1", 200, nil, site.big[...]),
            ]
            for (range, status, contentRange, body) in cases {
                let response = try await get(port, "/big.bin", "Range: \(range)\r\n")
                #expect(response.status == status, "\(range)")
                #expect(response.header("content-range") == contentRange, "\(range)")
                if let body { #expect(response.body == Array(body), "\(range)") }
            }
            let etag = try #require(try await get(port, "/big.bin", method: "HEAD").header("etag"))
            #expect(try await get(port, "/big.bin", "Range: bytes=0-0\r\nIf-Range: \(etag)\r\n").status == 206)
            #expect(try await get(port, "/big.bin", "Range: bytes=0-0\r\nIf-Range: \"stale\"\r\n").status == 200)
            #expect(try await get(port, "/big.bin", "Range: bytes=0-0\r\n", method: "HEAD").status == 200)
        }
    }

    @Test("a precompressed sibling for a client that takes its coding, best first; Vary whenever one exists")
    func precompressed() async throws {
        try await self.withSite { port, _ in
            let brotli = try await get(port, "/assets/app.3f2b8c1e.js", "Accept-Encoding: gzip, br\r\n")
            #expect(brotli.text == "BROTLI-BYTES" && brotli.header("content-encoding") == "br")
            #expect(brotli.header("content-type") == "text/javascript; charset=utf-8" && brotli.header("vary") == "Accept-Encoding")
            let gzip = try await get(port, "/assets/app.3f2b8c1e.js", "Accept-Encoding: gzip, br;q=0\r\n")
            #expect(gzip.text == "GZIP-BYTES" && gzip.header("content-encoding") == "gzip")
            #expect(gzip.header("etag") != brotli.header("etag"))
            let identity = try await get(port, "/assets/app.3f2b8c1e.js")
            #expect(identity.text == "console.log('identity')" && identity.header("content-encoding") == nil)
            #expect(identity.header("vary") == "Accept-Encoding")
            #expect(try await get(port, "/assets/plain.js", "Accept-Encoding: br\r\n").text == "plain")
            #expect(try await get(port, "/assets/plain.js", "Accept-Encoding: *\r\n").text == "plain-gz")
            #expect(try await get(port, "/site.css", "Accept-Encoding: gzip\r\n").header("vary") == nil)
            // `.zst` siblings are not looked for unless configured.
            #expect(try await get(port, "/assets/app.3f2b8c1e.js", "Accept-Encoding: zstd\r\n").text == "console.log('identity')")
        }
        var configuration = FileServer.Configuration()
        configuration.precompressed = [.zstd, .brotli, .gzip]
        try await self.withSite(configuration) { port, _ in
            let zstd = try await get(port, "/assets/app.3f2b8c1e.js", "Accept-Encoding: gzip, br, zstd\r\n")
            #expect(zstd.text == "ZSTD-BYTES" && zstd.header("content-encoding") == "zstd" && zstd.header("vary") == "Accept-Encoding")
            let brotli = try await get(port, "/assets/app.3f2b8c1e.js", "Accept-Encoding: gzip, br, zstd;q=0\r\n")
            #expect(brotli.text == "BROTLI-BYTES" && brotli.header("content-encoding") == "br")
        }
    }

    @Test("nothing outside the root: dot-dot in every spelling, encoded slashes, NUL, dot files, links that lead out")
    func traversal() async throws {
        try await self.withSite { port, _ in
            for target in [
                "/../outside.txt", "/%2e%2e/outside.txt", "/%2E%2E/outside.txt", "/sub/..%2f..%2foutside.txt",
                "/sub/%2e%2e/%2e%2e/outside.txt",
                "/..%5coutside.txt", "/sub%2f..%2f..%2foutside.txt", "/site.css%00", "/.env", "/%2eenv", "/escape.txt", "/outdir/key.txt",
                "/outdir/", "//../outside.txt", "/./../outside.txt",
            ] {
                let response = try await get(port, target)
                #expect(response.status == 404, "\(target) → \(response.status)")
                #expect(!response.text.contains("SECRET") && !response.text.contains("PRIVATE"), "\(target)")
            }
            #expect(try await get(port, "/./site.css").status == 200)
        }
    }

    @Test("directories: a redirect to the slash form, the index file, 404 without one")
    func directories() async throws {
        try await self.withSite { port, _ in
            let redirect = try await get(port, "/sub?x=1")
            #expect(redirect.status == 301 && redirect.header("location") == "/sub/?x=1")
            #expect(try await get(port, "/sub/").text == "<h1>sub</h1>")
            #expect(try await get(port, "/").text == "<h1>home</h1>")
            #expect(try await get(port, "/empty/").status == 404)
            var configuration = FileServer.Configuration()
            configuration.indexFile = nil
            let server = try FileServer(root: try Site().root.path, configuration: configuration)
            try await withTestServer(server) { other in
                let response = try await get(other, "/")
                #expect(response.status == 404)
            }
        }
    }

    @Test("mounted under a prefix that is stripped; a root that is not a directory is refused at start")
    func mounted() async throws {
        let site = try Site()
        defer { try? FileManager.default.removeItem(at: site.folder) }
        var router = PrefixRouter()
        router.location("/search/static/", rewrite: .strip, try FileServer(root: site.root.path))
        try await withTestServer(router) { port in
            let css = try await get(port, "/search/static/site.css")
            #expect(css.text == "body { color: #333 }\n")
            let outside = try await get(port, "/search/static/../outside.txt")
            #expect(outside.status == 404)
        }
        #expect(throws: FileServerError.self) { _ = try FileServer(root: site.root.appendingPathComponent("site.css").path) }
        #expect(throws: FileServerError.self) { _ = try FileServer(root: "/nonexistent/folder") }
    }

    @Test("facts and small files are remembered for the validity: a change on disk shows within it, at once without a cache")
    func cache() async throws {
        for validity: Duration in [.milliseconds(200), .zero] {
            var configuration = FileServer.Configuration()
            configuration.cacheValidity = validity
            try await self.withSite(configuration) { port, site in
                let file = site.root.appendingPathComponent("site.css")
                #expect(try await get(port, "/site.css").text == "body { color: #333 }\n")
                let cachedRange = try await get(port, "/site.css", "Range: bytes=5-9\r\n")
                #expect(cachedRange.status == 206 && cachedRange.text == "{ col")
                try "p { margin: 0 }\n".write(to: file, atomically: true, encoding: .utf8)
                let newFile = site.root.appendingPathComponent("new.css")
                try "new".write(to: newFile, atomically: true, encoding: .utf8)
                if validity == .zero {
                    #expect(try await get(port, "/site.css").text == "p { margin: 0 }\n")
                    #expect(try await get(port, "/new.css").text == "new")
                } else {
                    let seen = try await eventually(timeout: .seconds(10)) {
                        (try? await get(port, "/site.css").text) == "p { margin: 0 }\n"
                    }
                    #expect(seen)
                    #expect(try await get(port, "/site.css").header("content-length") == "16")
                }
                try FileManager.default.removeItem(at: file)
                let gone = try await eventually(timeout: .seconds(10)) { (try? await get(port, "/site.css").status) == 404 }
                #expect(gone)
            }
        }
    }
}
