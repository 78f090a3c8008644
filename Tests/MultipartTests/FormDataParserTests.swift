import NIOCore
import TandemTesting
import Testing

@testable import Multipart

@Suite("FormDataParser")
struct FormDataParserTests {
    /// Every event of `body`, fed in pieces of `sizes` (repeated), with adjacent body pieces merged.
    func events(_ body: [UInt8], boundary: String = "B", pieces size: Int) throws -> (events: [FormDataParser.Event], finished: Bool) {
        var parser = FormDataParser(boundary: boundary, maxHeaderLineBytes: 1000)
        var events: [FormDataParser.Event] = []
        var start = 0
        while start < body.count {
            let end = min(body.count, start + size)
            let (parsed, failure) = parser.parse(ByteBuffer(bytes: body[start..<end]))
            if let failure { throw failure }
            for event in parsed {
                if case .body(var more) = event, case .body(var last) = events.last {
                    last.writeBuffer(&more)
                    events[events.count - 1] = .body(last)
                } else {
                    events.append(event)
                }
            }
            start = end
        }
        return (events, parser.isFinished)
    }

    @Test("the same events however the body is cut, for preamble, padding, binary bodies and epilogue")
    func chunking() throws {
        var generator = SeededGenerator(seed: 5)
        let binary = (0..<300).map { _ in UInt8.random(in: 0...255, using: &generator) } + Array("\r\n--".utf8)
        let body =
            Array("preamble\r\n--B  \r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Type: text/plain\r\n\r\n1\r\n".utf8)
            + Array("--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\n".utf8) + binary
            + Array("\r\n--B--\r\nepilogue --B\r\n".utf8)
        let whole = try self.events(body, pieces: body.count)
        #expect(whole.finished)
        #expect(
            whole.events == [
                .header(name: "Content-Disposition", value: #"form-data; name="a""#), .header(name: "Content-Type", value: "text/plain"),
                .bodyStart, .body(ByteBuffer(string: "1")), .partEnd,
                .header(name: "Content-Disposition", value: #"form-data; name="f"; filename="x""#), .bodyStart,
                .body(ByteBuffer(bytes: binary)), .partEnd,
            ]
        )
        for size in 1..<40 {
            let cut = try self.events(body, pieces: size)
            #expect(cut.events == whole.events, "pieces of \(size)")
            #expect(cut.finished)
        }
    }

    @Test("a body that starts with its first delimiter (as curl sends it); a body without a closing delimiter is unfinished")
    func edges() throws {
        let curl = Array("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--B--\r\n".utf8)
        for size in [1, 2, 3, 100] {
            let result = try self.events(curl, pieces: size)
            #expect(result.finished)
            #expect(result.events.count == 4)
        }
        #expect(try !self.events(Array(curl.dropLast(4)), pieces: 100).finished)
        #expect(try !self.events(Array("no delimiter at all".utf8), pieces: 3).finished)
    }

    @Test("malformed header lines and overlong ones fail, after the events before them; nothing is buffered past the line limit")
    func malformed() throws {
        for line in ["no colon", ": no name", "sp ace: x", "C\u{98}: x"] {
            var parser = FormDataParser(boundary: "B", maxHeaderLineBytes: 100)
            let (events, failure) = parser.parse(ByteBuffer(bytes: Array("--B\r\nOK: 1\r\n\(line)\r\n\r\nx\r\n--B--".utf8)))
            #expect(failure == .malformed, "\(line)")
            #expect(events == [.header(name: "OK", value: "1")], "the events before the failure still come")
            #expect(parser.parse(ByteBuffer(string: "--B--")).failure == .malformed, "nothing after a failure")
        }
        var parser = FormDataParser(boundary: "B", maxHeaderLineBytes: 100)
        #expect(parser.parse(ByteBuffer(string: "--B\r\nX: ")).failure == nil)
        #expect(parser.parse(ByteBuffer(string: String(repeating: "v", count: 200))).failure == .headerTooLong)
        // Transport padding after a boundary is bounded, whether it comes whole or cut.
        let padded = Array(("--B" + String(repeating: " ", count: 65) + "\r\nA: 1\r\n\r\nx\r\n--B--").utf8)
        for size in [1, 7, padded.count] {
            #expect(throws: FormDataParser.Failure.malformed, "pieces of \(size)") { _ = try self.events(padded, pieces: size) }
        }
        var garbage = FormDataParser(boundary: "B", maxHeaderLineBytes: 100)
        #expect(garbage.parse(ByteBuffer(string: "--Bx\r\n")).failure == .malformed)
    }
}
