package import NIOCore

/// Rewrites `SETTINGS_MAX_CONCURRENT_STREAMS` in the server's first `SETTINGS` frame (the connection preface, RFC
/// 9113 §3.4: the first frame a server sends) from swift-nio-http2's ceiling to the limit ``StreamAdmission``
/// enforces, so clients are told the real limit. Removes itself after the first write.
package final class ConcurrentStreamsAdvertiser: ChannelOutboundHandler, RemovableChannelHandler {
    package typealias OutboundIn = IOData
    package typealias OutboundOut = IOData

    private let advertised: UInt32

    package init(advertised: Int) {
        self.advertised = UInt32(clamping: advertised)
    }

    package func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var data = data
        if case .byteBuffer(var buffer) = self.unwrapOutboundIn(data) {
            Self.rewriteSettings(in: &buffer, maxConcurrentStreams: self.advertised)
            data = self.wrapOutboundOut(.byteBuffer(buffer))
        }
        context.write(data, promise: promise)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// Sets every `SETTINGS_MAX_CONCURRENT_STREAMS` of the `SETTINGS` frame at the start of `buffer` to
    /// `maxConcurrentStreams`; `false` when `buffer` does not start with a whole `SETTINGS` frame (nothing changed).
    @discardableResult
    package static func rewriteSettings(in buffer: inout ByteBuffer, maxConcurrentStreams: UInt32) -> Bool {
        let start = buffer.readerIndex
        // The frame header: length (24 bits), type, flags, stream id.
        guard let high = buffer.getInteger(at: start, as: UInt8.self), let low = buffer.getInteger(at: start + 1, as: UInt16.self),
            buffer.getInteger(at: start + 3, as: UInt8.self) == 0x4,  // SETTINGS
            let flags = buffer.getInteger(at: start + 4, as: UInt8.self), flags & 0x1 == 0,  // not an ACK
            buffer.getInteger(at: start + 5, as: UInt32.self).map({ $0 & 0x7FFF_FFFF }) == 0
        else { return false }
        let length = Int(high) << 16 | Int(low)
        guard length % 6 == 0, buffer.readableBytes >= 9 + length else { return false }
        for entry in stride(from: start + 9, to: start + 9 + length, by: 6)
        where buffer.getInteger(at: entry, as: UInt16.self) == 0x3 {
            buffer.setInteger(maxConcurrentStreams, at: entry + 2)
        }
        return true
    }
}

@available(*, unavailable)
extension ConcurrentStreamsAdvertiser: Sendable {}
