import HTTPCore
import Testing

@Suite("Header text helpers")
struct HeaderNamesTests {
    /// The definition: spaces and tabs dropped at both ends, nothing else touched.
    static func reference(_ text: Substring) -> String {
        let bytes = Array(text.utf8)
        let isOWS = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isOWS($0) }), let last = bytes.lastIndex(where: { !isOWS($0) }) else {
            return ""
        }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    @Test("trimmingOWS drops spaces and tabs at both ends only, on generated text and substrings of it")
    func trimming() {
        let pieces = [" ", "\t", "a", "Z", ";", "\r", "\n", "é", "日本", "\u{301}", "🙂", "  ", "\t \t"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let text = (0..<Int.random(in: 0...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            // A substring that does not start at the string's start: the view's indices are not zero-based.
            let slice = ("xx" + text + "yy").dropFirst(2).dropLast(2)
            #expect(text.trimmingOWS == Self.reference(Substring(text)), "\(Array(text.utf8))")
            #expect(slice.trimmingOWS == Self.reference(slice), "\(Array(slice.utf8))")
        }
        #expect(" \t text/html \t".trimmingOWS == "text/html")
        #expect(" \t ".trimmingOWS.isEmpty)
        #expect("a b".trimmingOWS == "a b")
    }
}
