#if Brotli
import CBrotli
import NIOCore

/// `br` (RFC 7932) through the system's libbrotli: package trait `Brotli`.
final class BrotliStreamEncoder: StreamEncoder {
    private let state: OpaquePointer

    /// `quality` is brotli's 0–11; the middleware passes its level (1–9). `size`, when the whole input is known, sizes
    /// the window to it: a small page then costs a small encoder.
    init(quality: Int, size: Int? = nil) throws {
        guard let state = BrotliEncoderCreateInstance(nil, nil, nil) else {
            throw CompressionFailure(description: "brotli: the encoder could not be created")
        }
        self.state = state
        BrotliEncoderSetParameter(state, BROTLI_PARAM_QUALITY, UInt32(min(11, max(0, quality))))
        BrotliEncoderSetParameter(state, BROTLI_PARAM_MODE, BROTLI_MODE_TEXT.rawValue)
        if let size {
            BrotliEncoderSetParameter(state, BROTLI_PARAM_SIZE_HINT, UInt32(clamping: size))
            // The smallest window (10 to 22 bits) that holds the input.
            let bits = min(22, max(10, Int.bitWidth - max(1, size).leadingZeroBitCount))
            BrotliEncoderSetParameter(state, BROTLI_PARAM_LGWIN, UInt32(bits))
        }
    }

    deinit {
        BrotliEncoderDestroyInstance(self.state)
    }

    func encode(_ input: ByteBuffer, finish: Bool) throws -> ByteBuffer {
        let operation = finish ? BROTLI_OPERATION_FINISH : BROTLI_OPERATION_FLUSH
        let state = self.state
        return try self.drive(input) { input, output in
            var availableIn = input.count
            // libbrotli reads no input when `availableIn` is 0, but wants a pointer all the same.
            var nextIn: UnsafePointer<UInt8>? = (input.baseAddress ?? UnsafeRawPointer(bitPattern: 1))?.assumingMemoryBound(to: UInt8.self)
            var availableOut = output.count
            var nextOut = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
            guard BrotliEncoderCompressStream(state, operation, &availableIn, &nextIn, &availableOut, &nextOut, nil) != 0 else {
                throw CompressionFailure(description: "brotli: the encoder failed")
            }
            let more = BrotliEncoderHasMoreOutput(state) != 0 || (finish && BrotliEncoderIsFinished(state) == 0)
            return (input.count - availableIn, output.count - availableOut, more)
        }
    }
}
#endif
