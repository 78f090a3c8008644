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
        output.reserveCapacity(input.readableBytes / 2 + 64)
        try Self.deflate(self.compressor, &input, into: &output, flush: finish ? .finish : .sync)
        if finish { try self.compressor.finishStream() }
        return output
    }

    /// Compresses `input` into `output`, growing `output` as zlib asks.
    private static func deflate(
        _ compressor: any NIOCompressor,
        _ input: inout ByteBuffer,
        into output: inout ByteBuffer,
        flush: CompressNIOFlush
    ) throws {
        output.reserveCapacity(output.writerIndex + compressor.maxSize(from: input) + 64)
        while true {
            do {
                try compressor.streamDeflate(from: &input, to: &output, flush: flush)
                return
            } catch let error as CompressNIOError where error == .bufferOverflow {
                output.reserveCapacity(output.capacity * 2 + 1024)
            }
        }
    }
}
