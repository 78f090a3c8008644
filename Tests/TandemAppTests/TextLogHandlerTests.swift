import HTTPCore
import Logging
import Synchronization
import TandemApp
import TandemTesting
import Testing

@Suite("Text log lines (logfmt)")
struct TextLogHandlerTests {
    /// The lines a handler wrote.
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { self.lines.withLock { $0.append(line) } }
        var all: [String] { self.lines.withLock { $0 } }
    }

    /// A logger whose lines are collected.
    func capturing(_ label: String = "gateway") -> (Logger, Lines) {
        let lines = Lines()
        var logger = Logger(label: label) { TextLogHandler(label: $0) { line in lines.append(line) } }
        logger.logLevel = .debug
        return (logger, lines)
    }

    @Test("a client's User-Agent cannot forge fields or lines in the access log")
    func forgedFields() throws {
        let (logger, lines) = self.capturing()
        let agents = [
            "x status=500 client=6.6.6.6 request_id=forged", "x\" status=\"500", "a\nfake 2026 info gateway: status=200",
            "tab\there \\ \u{1B}[31m red", "",
        ]
        for agent in agents {
            AccessLogMiddleware.log(
                to: logger,
                level: .info,
                method: "GET",
                path: "/search/",
                route: nil,
                status: 200,
                bytes: 10,
                requestID: "r-1",
                traceID: nil,
                client: "127.0.0.1",
                userAgent: agent,
                upstreams: [],
                since: .now
            )
        }
        let written = lines.all
        #expect(written.count == agents.count)
        for (line, agent) in zip(written, agents) {
            #expect(line.hasSuffix("\n") && !line.dropLast().contains("\n") && !line.contains("\u{1B}"), "\(line)")
            let fields = try Self.logfmtFields(line)
            #expect(fields.filter { $0.key == "status" }.map(\.value) == ["200"], "\(line)")
            #expect(fields.filter { $0.key == "client" }.map(\.value) == ["127.0.0.1"], "\(line)")
            #expect(fields.filter { $0.key == "request_id" }.map(\.value) == ["r-1"], "\(line)")
            #expect(fields.first { $0.key == "user_agent" }?.value == agent, "\(line)")
        }
    }

    @Test("any generated value reads back whole from its field, and the line keeps its shape")
    func generatedValues() throws {
        var generator = SeededGenerator(seed: 4)
        let alphabet = Array("ab =\"\\\n\r\t\u{0}\u{7F}\u{85}\u{2028}é😀,:[]")
        let (logger, lines) = self.capturing()
        var values: [String] = []
        for _ in 0..<500 {
            let value = String((0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            values.append(value)
            logger.info("message \(value)", metadata: ["value": "\(value)", "z": "last"])
        }
        for (line, value) in zip(lines.all, values) {
            #expect(!line.dropLast().contains("\n") && !line.dropLast().contains("\r") && !line.contains("\u{2028}"), "\(line)")
            let fields = try Self.logfmtFields(line)
            #expect(fields.map(\.key) == ["value", "z"], "\(line)")
            #expect(fields.first?.value == value, "\(line.debugDescription)")
        }
    }

    @Test("the line names the time, level, logger and source; odd metadata keys are made safe")
    func shape() throws {
        let (logger, lines) = self.capturing("api")
        logger.warning("hello", metadata: ["bad key=x": "1"])
        let line = try #require(lines.all.first)
        let parts = line.split(separator: " ")
        #expect(parts[0].hasSuffix("Z") && parts[1] == "warning" && parts[2] == "api:", "\(line)")
        #expect(line.contains(" bad_key_x=1 ") && line.hasSuffix("] hello\n"), "\(line)")
    }

    /// The `key=value` pairs of a line (between `logger:` and ` [source]`), values unquoted and unescaped as a
    /// logfmt reader would.
    static func logfmtFields(_ line: String) throws -> [(key: String, value: String)] {
        var scalars = Substring(line).unicodeScalars
        // Skip "time level logger:".
        for _ in 0..<3 {
            while let first = scalars.first, first != " " { scalars.removeFirst() }
            scalars.removeFirst()
        }
        var fields: [(key: String, value: String)] = []
        while let first = scalars.first, first != "[" {
            var key = ""
            while let next = scalars.popFirst(), next != "=" { key.unicodeScalars.append(next) }
            var value = ""
            if scalars.first == "\"" {
                scalars.removeFirst()
                while let next = scalars.popFirst(), next != "\"" {
                    guard next == "\\" else {
                        value.unicodeScalars.append(next)
                        continue
                    }
                    let escape = scalars.popFirst()
                    switch try #require(escape) {
                    case "n": value += "\n"
                    case "r": value += "\r"
                    case "t": value += "\t"
                    case "u":
                        #expect(scalars.popFirst() == "{")
                        var hex = ""
                        while let digit = scalars.popFirst(), digit != "}" { hex.unicodeScalars.append(digit) }
                        value.unicodeScalars.append(try #require(UInt32(hex, radix: 16).flatMap(Unicode.Scalar.init)))
                    case let other: value.unicodeScalars.append(other)
                    }
                }
            } else {
                while let next = scalars.first, next != " " {
                    value.unicodeScalars.append(next)
                    scalars.removeFirst()
                }
            }
            #expect(scalars.popFirst() == " ")
            fields.append((key, value))
        }
        return fields
    }
}
