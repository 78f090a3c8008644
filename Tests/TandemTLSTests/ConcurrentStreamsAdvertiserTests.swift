import NIOCore
import TandemTLS
import TandemTesting
import Testing

@Suite("The advertised HTTP/2 stream limit")
struct ConcurrentStreamsAdvertiserTests {
    /// A frame: 24-bit length, type, flags, stream id, payload.
    static func frame(type: UInt8, flags: UInt8 = 0, stream: UInt32 = 0, _ payload: [UInt8]) -> [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type, flags]
            + withUnsafeBytes(of: stream.bigEndian, Array.init) + payload
    }

    static func setting(_ id: UInt16, _ value: UInt32) -> [UInt8] {
        withUnsafeBytes(of: id.bigEndian, Array.init) + withUnsafeBytes(of: value.bigEndian, Array.init)
    }

    @Test("generated SETTINGS prefaces: every MAX_CONCURRENT_STREAMS is rewritten, no other byte changes")
    func rewrites() {
        var generator = SeededGenerator(seed: 17)
        for _ in 0..<1_000 {
            let settings = (0..<Int.random(in: 0...7, using: &generator)).map { _ in
                (UInt16.random(in: 1...6, using: &generator), UInt32.random(in: 0...UInt32.max, using: &generator))
            }
            let trailing = (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let original = Self.frame(type: 0x4, settings.flatMap { Self.setting($0.0, $0.1) }) + trailing
            var buffer = ByteBuffer(bytes: original)
            #expect(ConcurrentStreamsAdvertiser.rewriteSettings(in: &buffer, maxConcurrentStreams: 4))
            let expected =
                Self.frame(type: 0x4, settings.flatMap { Self.setting($0.0, $0.0 == 3 ? 4 : $0.1) }) + trailing
            #expect(Array(buffer.readableBytesView) == expected)
        }
    }

    @Test("anything else passes untouched: another frame first, a SETTINGS ACK, a frame cut short, a stream's frame")
    func untouched() {
        let payload = Self.setting(3, 1000)
        for bytes in [
            Self.frame(type: 0x8, payload), Self.frame(type: 0x4, flags: 0x1, payload),
            Array(Self.frame(type: 0x4, payload).dropLast(2)), Self.frame(type: 0x4, stream: 1, payload),
            Self.frame(type: 0x4, payload + [0]), [0, 0],
        ] {
            var buffer = ByteBuffer(bytes: bytes)
            #expect(!ConcurrentStreamsAdvertiser.rewriteSettings(in: &buffer, maxConcurrentStreams: 4))
            #expect(Array(buffer.readableBytesView) == bytes)
        }
    }
}
