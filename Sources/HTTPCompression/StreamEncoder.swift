import CompressNIO
import NIOCore

/// One compressed stream of a response body, whatever its coding: zlib (gzip, deflate) through compress-nio, or,
/// with the package traits `Brotli` and `Zstd`, the system's libbrotli and libzstd.
///
/// Not `Sendable`: a streamed body's encoder is only used under its writer's lock.
protocol StreamEncoder: AnyObject {
    /// Compresses `input`, then either flushes, so that everything written so far decodes on its own (a streamed
    /// page's part reaches the browser whole), or, with `finish`, ends the stream.
    func encode(_ input: ByteBuffer, finish: Bool) throws -> ByteBuffer
}

extension StreamEncoder {
    /// Runs a compression library's `step` over `input` until it has consumed it all and has no output left. Each step
    /// gets the input not consumed yet and room in the output, and says how much it consumed and wrote and whether it
    /// holds more output (a flush or the stream's end under way).
    func drive(
        _ input: ByteBuffer,
        _ step: (_ input: UnsafeRawBufferPointer, _ output: UnsafeMutableRawBufferPointer) throws -> (
            consumed: Int, written: Int, more: Bool
        )
    ) throws -> ByteBuffer {
        var output = ByteBuffer()
        try input.withUnsafeReadableBytes { raw in
            var offset = 0
            var more = false
            repeat {
                try output.writeWithUnsafeMutableBytes(minimumWritableBytes: max(4096, (raw.count - offset) / 2 + 64)) { out in
                    let result = try step(UnsafeRawBufferPointer(rebasing: raw[offset...]), out)
                    offset += result.consumed
                    more = result.more
                    return result.written
                }
            } while more || offset < raw.count
        }
        return output
    }
}

/// A compression library refused its input or could not be set up; the response fails rather than go out corrupt.
struct CompressionFailure: Error, CustomStringConvertible {
    let description: String
}

/// gzip or HTTP's `deflate` (the zlib format), through compress-nio.
final class ZlibStreamEncoder: StreamEncoder {
    private let compressor: any NIOCompressor

    init(_ algorithm: CompressionAlgorithm) throws {
        self.compressor = algorithm.compressor
        self.compressor.window = nil
        try self.compressor.startStream()
    }

    func encode(_ input: ByteBuffer, finish: Bool) throws -> ByteBuffer {
        var input = input
        var output = ByteBuffer()
        output.reserveCapacity(self.compressor.maxSize(from: input) + 64)
        // Grown as zlib asks, should its bound fall short.
        while true {
            do {
                try self.compressor.streamDeflate(from: &input, to: &output, flush: finish ? .finish : .sync)
                break
            } catch let error as CompressNIOError where error == .bufferOverflow {
                output.reserveCapacity(output.capacity * 2 + 1024)
            }
        }
        if finish { try self.compressor.finishStream() }
        return output
    }
}
