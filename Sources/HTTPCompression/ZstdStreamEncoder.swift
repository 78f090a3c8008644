#if Zstd
import CZstd
import NIOCore

/// `zstd` (RFC 8878, for HTTP RFC 9659) through the system's libzstd: package trait `Zstd`.
final class ZstdStreamEncoder: StreamEncoder {
    private let context: OpaquePointer

    /// `level` is zstd's (1–22); the middleware passes its level (1–9). `size`, when the whole input is known, lets
    /// zstd size its window and tables to it: a small page then costs a small context.
    init(level: Int, size: Int? = nil) throws {
        guard let context = ZSTD_createCCtx() else {
            throw CompressionFailure(description: "zstd: the encoder could not be created")
        }
        self.context = context
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, Int32(level))
        if let size {
            ZSTD_CCtx_setPledgedSrcSize(context, UInt64(size))
        } else {
            // A window of 512 KiB: a stream of unknown length would otherwise get the level's (up to 2 MiB here),
            // allocated per response; RFC 9659 lets decoders refuse windows over 8 MiB.
            ZSTD_CCtx_setParameter(context, ZSTD_c_windowLog, 19)
        }
    }

    deinit {
        ZSTD_freeCCtx(self.context)
    }

    func encode(_ input: ByteBuffer, finish: Bool) throws -> ByteBuffer {
        let directive = finish ? ZSTD_e_end : ZSTD_e_flush
        let context = self.context
        return try self.drive(input) { input, output in
            var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
            var target = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
            // What is left to flush once the call returns: 0 when the flush (or the frame) is complete.
            let remaining = ZSTD_compressStream2(context, &target, &source, directive)
            guard ZSTD_isError(remaining) == 0 else {
                throw CompressionFailure(description: "zstd: \(String(cString: ZSTD_getErrorName(remaining)))")
            }
            return (source.pos, target.pos, remaining > 0)
        }
    }
}
#endif
