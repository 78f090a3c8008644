import NIOCore
import Testing

@testable import ProxyClient

/// Feeds `pieces` to a scanner; returns the head, the body bytes as forwarded, whether it ended, and what was
/// left over after the end.
private func scan(_ pieces: [String]) throws -> (head: ResponseScanner.Head?, body: String, ended: Bool, rest: String) {
    var scanner = ResponseScanner(maxHeadBytes: 1024)
    var head: ResponseScanner.Head?
    var body = ""
    var ended = false
    var rest = ""
    for piece in pieces {
        var input = ByteBuffer(string: piece)
        while !ended, let event = try scanner.next(&input) {
            switch event {
            case .head(let parsed): head = parsed
            case .body(let bytes): body += String(buffer: bytes)
            case .end: ended = true
            }
        }
        rest += String(buffer: input)
    }
    return (head, body, ended, rest)
}

/// Every way to cut `text` in two, and byte by byte.
private func splits(_ text: String) -> [[String]] {
    let bytes = Array(text.utf8)
    var result = (0...bytes.count).map { cut in
        [String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: bytes[cut...], as: UTF8.self)]
    }
    result.append(bytes.map { String(decoding: [$0], as: UTF8.self) })
    return result
}

@Suite("ResponseScanner")
struct ResponseScannerTests {
    @Test("a Content-Length response, however it is cut, gives its head, exactly its body, and its end")
    func contentLength() throws {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nX-A:  padded value \t\r\n\r\n"
        for pieces in splits(head + "hello world" + "HTTP/1.1 200 OK\r\n") {
            let result = try scan(pieces)
            #expect(result.head?.status == 200)
            #expect(result.head?.framing == .length(11))
            #expect(result.head?.keepAlive == true)
            #expect(result.head.map { String(buffer: $0.bytes) } == head)
            #expect(result.body == "hello world")
            #expect(result.ended)
            #expect(result.rest == "HTTP/1.1 200 OK\r\n", "bytes after the end are not the response's")
        }
        let parsed = try #require(try scan([head + "hello world"]).head)
        #expect(parsed.lines.map(\.kind) == [.other, .contentLength, .other])
        let value = parsed.lines[2].value
        #expect(parsed.bytes.getString(at: parsed.bytes.readerIndex + value.lowerBound, length: value.count) == "padded value")
    }

    @Test("a chunked body is forwarded with its framing, extensions and trailers, and ends at the last CRLF")
    func chunked() throws {
        let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
        let body = "5;name=value\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: t\r\n\r\n"
        for pieces in splits(head + body + "extra") {
            let result = try scan(pieces)
            #expect(result.head?.framing == .chunked)
            #expect(result.body == body)
            #expect(result.ended)
            #expect(result.rest == "extra")
        }
        #expect(try scan([head + "0\r\n\r\n"]).body == "0\r\n\r\n")
    }

    @Test("bodiless statuses end at the head; interim 1xx heads are skipped")
    func bodiless() throws {
        let noContent = try scan(["HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"])
        #expect(noContent.head?.framing == ResponseScanner.Framing.none)
        #expect(noContent.ended && noContent.body.isEmpty)
        let notModified = try scan(["HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n"])
        #expect(notModified.ended && notModified.body.isEmpty)
        let empty = try scan(["HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"])
        #expect(empty.ended && empty.body.isEmpty)
        for pieces in splits(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        ) {
            let result = try scan(pieces)
            #expect(result.head?.status == 200)
            #expect(result.body == "ok" && result.ended)
        }
    }

    @Test("without a length or chunked, the body lasts until the connection closes, and nothing is reused")
    func closeDelimited() throws {
        var scanner = ResponseScanner()
        var input = ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nsome bytes")
        guard case .head(let head) = try scanner.next(&input) else { Issue.record("no head"); return }
        #expect(head.framing == .close)
        #expect(!head.keepAlive)
        guard case .body(let body) = try scanner.next(&input) else { Issue.record("no body"); return }
        #expect(String(buffer: body) == "some bytes")
        let more = try scanner.next(&input)
        #expect(more == nil, "the body goes on until the upstream closes")
        let closed = scanner.connectionClosed()
        #expect(closed)
        #expect(scanner.isDone)
    }

    @Test("keep-alive follows the version and Connection")
    func keepAlive() throws {
        #expect(try scan(["HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"]).head?.keepAlive == false)
        #expect(try scan(["HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"]).head?.keepAlive == false)
        #expect(try scan(["HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n"]).head?.keepAlive == true)
    }

    @Test(
        "what could put a pooled connection out of step is refused",
        arguments: [
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 0x5\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nX-A: a\r\n folded\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nX A: a\r\n\r\n",
            "HTTP/1.1 200 OK\r\n: a\r\n\r\n",
            "HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n",
            "HTTP/2 200 OK\r\n\r\n",
            "HTTP/1.1 200 OK\rSet-Cookie: injected=1\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 600 High\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
            "HTTP/1.1 20 OK\r\n\r\n",
            "HTTP/1.1 101 Switching Protocols\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1234567890abcdef0\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\r\n",
            "HTTP/1.1 200 OK\r\nX-Long: " + String(repeating: "a", count: 2000) + "\r\n\r\n",
        ]
    )
    func refused(response: String) throws {
        #expect(throws: ResponseScanner.Failure.self) { try scan([response]) }
        #expect(throws: ResponseScanner.Failure.self) { try scan(Array(response).map { String($0) }) }
    }
}
