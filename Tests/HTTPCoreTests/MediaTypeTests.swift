import Foundation
import HTTPCore
import TandemTesting
import Testing

@Suite("Media types (Content-Type)")
struct MediaTypeTests {
    @Test("a generated media type written every way the grammar allows reads back as its parts")
    func generatedRoundTrip() throws {
        var generator = SeededGenerator(seed: 23)
        let tokenCharacters = Array("abcXYZ019!#$%&'*+-.^_`|~")
        let valueCharacters = Array("abc XYZ 019;,=\"\\/()<>@:?[]{}\t~é")
        for _ in 0..<2_000 {
            let type = String((0..<Int.random(in: 1...8, using: &generator)).map { _ in tokenCharacters.randomElement(using: &generator)! })
            var names: [String] = []
            while names.count < Int.random(in: 0...4, using: &generator) {
                let name = String(
                    (0..<Int.random(in: 1...6, using: &generator)).map { _ in tokenCharacters.randomElement(using: &generator)! }
                )
                if !names.contains(where: { $0.lowercased() == name.lowercased() }) { names.append(name) }
            }
            var parameters: [(String, String)] = []
            var text = Self.whitespace(using: &generator) + type + "/" + type + Self.whitespace(using: &generator)
            for name in names {
                let value = String(
                    (0..<Int.random(in: 0...10, using: &generator)).map { _ in valueCharacters.randomElement(using: &generator)! }
                )
                parameters.append((name.lowercased(), value))
                let isToken = !value.isEmpty && value.utf8.allSatisfy(HeaderToken.isTokenCharacter)
                let written =
                    isToken && Bool.random(using: &generator)
                    ? value
                    : "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
                text += ";" + Self.whitespace(using: &generator) + name + "=" + written + Self.whitespace(using: &generator)
                if Bool.random(using: &generator) { text += ";" }  // an empty parameter is allowed
            }
            let parsed = try MediaType(parsing: text)
            #expect(parsed.essence == (type + "/" + type).lowercased(), "\(text)")
            #expect(parsed.parameters.map(\.name) == parameters.map(\.0), "\(text)")
            #expect(parsed.parameters.map(\.value) == parameters.map(\.1), "\(text)")
            for (name, value) in parameters { #expect(parsed[name.uppercased()] == value) }
        }
    }

    @Test("a parameter named twice, in any case, is refused wherever it stands")
    func repeatedParameter() {
        for text in [
            "multipart/form-data; boundary=a; boundary=b", "multipart/form-data; Boundary=a; x=1; BOUNDARY=a",
            "text/plain; charset=\"utf-8\"; CHARSET=utf-8",
        ] {
            #expect(throws: MediaType.ParseError.self, "\(text)") { try MediaType(parsing: text) }
            do {
                _ = try MediaType(parsing: text)
            } catch {
                guard case .repeatedParameter = error else {
                    Issue.record("\(text): \(error)")
                    continue
                }
            }
        }
    }

    @Test("malformed fields are refused, not guessed at")
    func malformed() {
        for text in [
            "", "text", "text/", "/plain", "te xt/plain", "text/plain; charset", "text/plain; =utf-8", "text/plain; charset=",
            "text/plain; charset=\"utf-8", "text/plain; charset=utf 8", "text/plain charset=utf-8", "text/plain; a=\"\u{1}\"",
            "text/plain; a=\"x\\",
        ] {
            #expect(throws: MediaType.ParseError.self, "\(text.debugDescription)") { try MediaType(parsing: text) }
        }
    }

    static func whitespace(using generator: inout SeededGenerator) -> String {
        String((0..<Int.random(in: 0...2, using: &generator)).map { _ in Bool.random(using: &generator) ? " " : "\t" })
    }
}
