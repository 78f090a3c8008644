import Foundation
import HTTPCompression
import HTTPCore
import Logging
import ProxyClient
import Routing
import TandemTesting
import Testing

/// The event-loop fast path is a second implementation of the proxy's semantics: this holds it equal to the
/// general path on generated input. Each case is a request (method, path with every class of escape, query,
/// header set) and an upstream answer (framings, 1xx, bodiless statuses, malformed heads); it runs through a
/// gateway with the fast path on and one with it off, and what the upstream received and what the client
/// received must be the same bytes (Date and generated request ids aside).
///
/// Seeded and reproducible: `TANDEM_DIFF_SEED` picks the seed (default 1), `TANDEM_DIFF_CASES` the number of
/// cases (default 300). A failure names the case; run it again with the same seed.
@Suite("Fast path ≡ general path (differential)")
struct ProxyDifferentialTests {
    struct Case: CustomStringConvertible {
        var index: Int
        var request: String
        var answer: String
        /// The upstream closes after answering (a close-delimited body).
        var closesAfterAnswer: Bool
        var description: String {
            "case \(self.index)\n--- request\n\(visible(self.request))\n--- answer\n\(visible(String(self.answer.prefix(600))))"
        }
    }

    static let environment = ProcessInfo.processInfo.environment
    static let seed = UInt64(Self.environment["TANDEM_DIFF_SEED"] ?? "") ?? 1
    static let count = Int(Self.environment["TANDEM_DIFF_CASES"] ?? "") ?? 300

    // MARK: generated requests

    static let segments = [
        "a", "b", "api", "search", "%41", "%C3%A9", "%20", "%25", "%2e", "%2E%2E", "..", ".", "", ";p=1", "~x", "%2f", "%2F",
        "a%2Fb", "%00", "%", "%zz", "caf%C3%A9", "100%25", "x.y", "...",
    ]
    static let queries = ["", "?q=1", "?q=%2e%2e&r=%20", "?a=b&a=c", "?%", "?x=%C3%A9#frag", "?", "?q=a+b"]

    static func path(_ random: inout SeededGenerator) -> String {
        var path = ""
        for _ in 0..<Int.random(in: 1...4, using: &random) { path += "/" + Self.segments.randomElement(using: &random)! }
        if Bool.random(using: &random) { path += "/" }
        return path + Self.queries.randomElement(using: &random)!
    }

    static let optionalFields: [[String]] = [
        ["X-Request-ID: rid-\u{30}1"], ["X-Request-ID: has spaces"], ["X-Request-ID: " + String(repeating: "r", count: 300)],
        ["Connection: keep-alive, X-Secret", "X-Secret: s"], ["Keep-Alive: 5"], ["TE: trailers"], ["Proxy-Connection: keep-alive"],
        ["Proxy-Authorization: Basic eA=="], ["X-Forwarded-For: 6.6.6.6"], ["X-Real-IP: 6.6.6.6"], ["X-Forwarded-Proto: https"],
        ["X-Forwarded-Host: evil"], ["Forwarded: for=6.6.6.6"], ["Cookie: a=1", "Cookie: b=2"], ["Accept: text/html"],
        ["Accept-Language: fr"], ["Upgrade: websocket"], ["Connection: Upgrade", "Upgrade: websocket"], ["Expect: 100-continue"],
        ["X-Empty:"], ["x-lower: v", "X-LOWER: w"], ["Authorization: Bearer t"], ["Via: 1.1 other"],
        ["Accept-Encoding: identity"], ["Accept-Encoding: gzip;q=0"],
    ]

    static func request(_ index: Int, _ random: inout SeededGenerator) -> String {
        let method = ["GET", "GET", "GET", "GET", "GET", "GET", "HEAD", "POST", "DELETE", "OPTIONS"].randomElement(using: &random)!
        var lines = ["\(method) \(Self.path(&random)) HTTP/1.1"]
        switch Int.random(in: 0..<20, using: &random) {
        case 0: break  // no Host: 400
        case 1: lines += ["Host: a", "Host: b"]
        case 2: lines.append("Host: shop.example:8080")
        default: lines.append("Host: shop.example")
        }
        lines.append("X-Case: \(index)")
        for _ in 0..<Int.random(in: 0...4, using: &random) { lines += Self.optionalFields.randomElement(using: &random)! }
        var body = ""
        if method == "POST" {
            body = Bool.random(using: &random) ? "hello" : ""
            lines.append("Content-Length: \(body.utf8.count)")
        }
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    // MARK: generated answers

    static let statusLines = [
        "HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 201 Created", "HTTP/1.1 404 Not Found",
        "HTTP/1.1 500 Internal Server Error", "HTTP/1.0 200 OK", "HTTP/1.1 200", "HTTP/1.1 302 Found", "HTTP/1.1 204 No Content",
        "HTTP/1.1 304 Not Modified", "HTTP/1.1 200 OK\rSet-Cookie: injected=1", "HTTP/1.1 200 O\u{0}K", "HTTP/1.1 099 Low",
        "HTTP/2 200 OK", "HTTP/1.1 200 \u{1}",
    ]
    static let answerFields: [[String]] = [
        ["Content-Type: text/plain"], ["Set-Cookie: a=1; Path=/", "Set-Cookie: b=2; Path=/"], ["Connection: X-Hop", "X-Hop: gone"],
        ["Keep-Alive: timeout=5"], ["Location: /next?x=1"], ["Proxy-Authenticate: Basic"], ["Cache-Control: no-store"],
        ["X-Request-ID: from-upstream"], ["Vary: Accept"], ["X-Folded: a", " folded"], ["X-Bare: lf\nX-After: 1"],
        ["X-Nul: a\u{0}b"], ["Bad Name: x"], ["Date: Mon, 01 Jan 2024 00:00:00 GMT"], ["Server: upstream"],
        // What the compression middleware's rule reads (its Vary is added on both paths).
        ["Content-Type: text/html; charset=utf-8"], ["content-type: APPLICATION/JSON"], ["Content-Type: image/png"],
        ["Content-Encoding: br"], ["Cache-Control: public, No-Transform"], ["Vary: accept-encoding"], ["vary: *"],
        ["Vary: Cookie", "Vary: Accept-Encoding"],
    ]

    static func answer(_ random: inout SeededGenerator) -> (String, closes: Bool) {
        var head = ""
        if Int.random(in: 0..<10, using: &random) == 0 { head += "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" }
        let status = Self.statusLines.randomElement(using: &random)!
        var fields: [String] = []
        for _ in 0..<Int.random(in: 0...3, using: &random) { fields += Self.answerFields.randomElement(using: &random)! }
        let payload = ["", "ok", "hello world", String(repeating: "z", count: 70_000)].randomElement(using: &random)!
        var body = ""
        var closes = false
        switch Int.random(in: 0..<12, using: &random) {
        case 0...5:
            fields.append("Content-Length: \(payload.utf8.count)")
            body = payload
        case 6, 7:
            fields.append("Transfer-Encoding: chunked")
            body =
                payload.isEmpty
                ? "" : String(payload.utf8.count, radix: 16) + (Bool.random(using: &random) ? ";ext=1" : "") + "\r\n" + payload + "\r\n"
            body += Bool.random(using: &random) ? "0\r\n\r\n" : "0\r\nX-Trailer: t\r\n\r\n"
        case 8:
            closes = true  // close-delimited
            body = payload
        case 9:
            fields += ["Content-Length: \(payload.utf8.count)", "Content-Length: \(payload.utf8.count + 1)"]
            body = payload
        case 10:
            fields += ["Content-Length: \(payload.utf8.count)", "Transfer-Encoding: chunked"]
            body = payload
        default:
            fields.append("Content-Length: \(payload.utf8.count), \(payload.utf8.count)")
            body = payload
        }
        let text = head + ([status] + fields).joined(separator: "\r\n") + "\r\n\r\n" + body
        return (text, closes)
    }

    static func cases() -> [Case] {
        var random = SeededGenerator(seed: Self.seed)
        return (0..<Self.count).map { index in
            let request = Self.request(index, &random)
            let (answer, closes) = Self.answer(&random)
            return Case(index: index, request: request, answer: answer, closesAfterAnswer: closes)
        }
    }

    // MARK: running

    /// The upstream: `/warm` gets a small answer; a request with `x-case: N` gets case N's (once its body came).
    static func upstream(_ cases: [Case]) async throws -> ScriptedUpstream {
        try await ScriptedUpstream { _, received in
            guard let headEnd = received.range(of: "\r\n\r\n") else { return .wait }
            let head = received[..<headEnd.lowerBound].lowercased()
            let body = received[headEnd.upperBound...]
            if let length = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }).flatMap({
                Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces))
            }), body.utf8.count < length {
                return .wait
            }
            guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("x-case:") }),
                let index = Int(line.dropFirst(7).trimmingCharacters(in: .whitespaces)), cases.indices.contains(index)
            else { return .respond("HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nwarm") }
            let answer = cases[index]
            return answer.closesAfterAnswer ? .respondAndClose(answer.answer) : .respond(answer.answer)
        }
    }

    /// Dates and generated request ids differ by nature, and so does chunk framing (chunks follow socket reads):
    /// chunked bodies are compared decoded, with the `Transfer-Encoding` field last and trailers set aside.
    /// Everything else must be the same bytes.
    static func normalizedClient(_ text: String) -> String {
        // Bytes, not Characters: "\r\n" is one Character in Swift.
        let bytes = Array(text.utf8)
        let crlf: [UInt8] = [13, 10]
        func find(_ needle: [UInt8], from start: Int) -> Int? {
            guard bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
            return (start...(bytes.count - needle.count)).first { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
        }
        var output: [UInt8] = []
        var index = 0
        while let headEnd = find(crlf + crlf, from: index) {
            let head = String(decoding: bytes[index..<headEnd], as: UTF8.self)
            var lines = head.components(separatedBy: "\r\n")
            index = headEnd + 4
            guard lines.contains(where: { $0.lowercased() == "transfer-encoding: chunked" }) else {
                // A length-framed body, or none: as it is, up to the next response.
                let next = find(Array("HTTP/1.1 ".utf8), from: index) ?? bytes.count
                output += Array((head + "\r\n\r\n").utf8) + bytes[index..<next]
                index = next
                continue
            }
            lines.removeAll { $0.lowercased() == "transfer-encoding: chunked" }
            lines.append("transfer-encoding: chunked")
            var body: [UInt8] = []
            while let lineEnd = find(crlf, from: index) {
                let sizeField = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeField.trimmingCharacters(in: .whitespaces), radix: 16) else { break }
                index = lineEnd + 2
                if size == 0 {
                    // Trailers (set aside), up to the empty line.
                    if bytes[index...].starts(with: crlf) {
                        index += 2
                    } else if let end = find(crlf + crlf, from: index) {
                        index = end + 4
                    }
                    break
                }
                body += bytes[index..<min(index + size, bytes.count)]
                index = min(index + size + 2, bytes.count)
            }
            let summary = "<decoded \(body.count) bytes: \(String(decoding: body.prefix(40), as: UTF8.self))>"
            output += Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + summary + "\r\n").utf8)
        }
        output += bytes[index...]
        return Self.normalized(String(decoding: output, as: UTF8.self))
    }

    /// Dates and generated request ids differ by nature; everything else must be the same bytes.
    static func normalized(_ text: String) -> String {
        var lines: [String] = []
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: false) {
            let lower = line.lowercased()
            if lower.hasPrefix("date: ") {
                lines.append("date: <date>")
            } else if lower.hasPrefix("x-request-id: "), line.dropFirst(14).count == 32, line.dropFirst(14).allSatisfy(\.isHexDigit) {
                lines.append("x-request-id: <generated>")
            } else {
                lines.append(String(line))
            }
        }
        return lines.joined(separator: "\r\n").replacingOccurrences(of: #"[0-9a-f]{32}"#, with: "<generated>", options: .regularExpression)
    }

    /// What one gateway does with one case: the requests the upstream received for it, and every byte the
    /// client received for it and for a request pipelined behind it (which closes the connection).
    static func observe(_ item: Case, gatewayPort: Int, upstream: ScriptedUpstream) async throws -> (upstream: [String], client: String) {
        let client = try await RawHTTPClient.connect(port: gatewayPort)
        // Opens (or finds) the pooled upstream connection on this client connection's loop.
        try await client.send("GET /warm HTTP/1.1\r\nHost: h\r\n\r\n")
        let warm = try await client.readResponse()
        #expect(warm.text == "warm", "case \(item.index): the warm-up got another answer: the pool is out of step")
        let before = upstream.received.count
        try await client.send(item.request + "GET /after HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        let received = try await client.readUntilClosed(timeout: .seconds(30))
        let seen = upstream.received.dropFirst(before).filter { !$0.hasPrefix("GET /warm") && !$0.hasPrefix("GET /after") }
        return (seen.map(Self.normalized), Self.normalizedClient(received))
    }

    @Test("generated requests and upstream answers: same bytes to the upstream and to the client on both paths")
    func sameBytes() async throws {
        let cases = Self.cases()
        let upstream = try await Self.upstream(cases)
        let timeouts = Upstream.Configuration(connectTimeout: .seconds(10), responseTimeout: .seconds(10))
        let fastProxy = try ReverseProxy(to: upstream.url, configuration: .init(upstream: timeouts))
        let generalProxy = try ReverseProxy(to: upstream.url, configuration: .init(upstream: timeouts))
        var mismatches = 0
        try await withCompressingGateway(fastProxy, fastPath: true) { fastPort in
            try await withCompressingGateway(generalProxy, fastPath: false) { generalPort in
                for item in cases where mismatches < 5 {
                    let fast = try await Self.observe(item, gatewayPort: fastPort, upstream: upstream)
                    let general = try await Self.observe(item, gatewayPort: generalPort, upstream: upstream)
                    if fast.upstream != general.upstream || fast.client != general.client {
                        mismatches += 1
                        Issue.record(
                            """
                            seed \(Self.seed), \(item)
                            --- upstream saw (fast path)
                            \(visible(fast.upstream.joined(separator: "\n~~~\n")))
                            --- upstream saw (general path)
                            \(visible(general.upstream.joined(separator: "\n~~~\n")))
                            --- client got (fast path)
                            \(visible(String(fast.client.prefix(1500))))
                            --- client got (general path)
                            \(visible(String(general.client.prefix(1500))))
                            """
                        )
                    }
                }
            }
        }
        // The comparison means something only if the fast path took part of the load.
        #expect(fastPathCount(fastProxy) > Self.count / 4, "fast path served \(fastPathCount(fastProxy)) of \(Self.count)")
        #expect(fastPathCount(generalProxy) == 0)
        await upstream.close()
    }
}

/// `text` with control bytes other than CR LF spelt out, so a report shows what a NUL or bare CR hides.
private func visible(_ text: String) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
        if scalar == "\r" {
            result += "␍"
        } else if scalar.value < 0x20 && scalar != "\n" || scalar.value == 0x7F {
            result += "\\u{\(String(scalar.value, radix: 16))}"
        } else {
            result.unicodeScalars.append(scalar)
        }
    }
    return result
}

/// The gateway stack `Topology.gatewayHandler` builds, compression included: its `Vary` rule runs on the async path
/// and, through the fast-path plan, on the fast path, so the differential test holds the two together.
func withCompressingGateway(_ proxy: ReverseProxy, fastPath: Bool, _ body: (_ port: Int) async throws -> Void) async throws {
    var router = PrefixRouter()
    router.location("/", proxy)
    let stack = router.wrapped(in: CompressionMiddleware()).wrapped(in: ErrorMiddleware(PlainTextErrorRenderer()))
        .wrapped(in: RequestIDMiddleware()).wrapped(in: AccessLogMiddleware(level: .debug))
    var configuration = HTTPServerConfiguration(port: 0)
    configuration.eventLoopFastPath = fastPath
    try await withTestServer(stack, configuration: configuration) { port, server in
        #expect(server.hasEventLoopFastPath == fastPath)
        try await body(port)
    }
}
