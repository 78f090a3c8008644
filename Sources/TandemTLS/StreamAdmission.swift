import NIOCore
import NIOHTTP2

/// Admits an HTTP/2 connection's streams up to ``HTTP2Limits/maxConcurrentStreams`` and refuses the rest one by
/// one, with `RST_STREAM` `REFUSED_STREAM`: RFC 9113 §5.1.2 makes a stream over the advertised limit a *stream*
/// error, so the streams already in flight go on. (swift-nio-http2 treats one as a connection error, `GOAWAY
/// PROTOCOL_ERROR`, losing every stream in flight: it is given a higher ceiling, and this enforces the limit.)
///
/// One per connection; touched only on the connection's event loop, where its streams' channels live too.
final class StreamAdmission {
    private let limit: Int
    private var open = 0

    init(limit: Int) {
        self.limit = limit
    }

    /// Whether `stream` may be served; an admitted stream counts until its channel closes. A refused one gets a
    /// handler that resets it as soon as it is active.
    func admit(_ stream: any Channel) throws -> Bool {
        guard self.open < self.limit else {
            try stream.pipeline.syncOperations.addHandler(RefusedStreamHandler())
            return false
        }
        self.open += 1
        stream.closeFuture.assumeIsolated().whenComplete { _ in self.open -= 1 }
        return true
    }
}

@available(*, unavailable)
extension StreamAdmission: Sendable {}

/// Resets its stream with `REFUSED_STREAM` (the client may retry it: no part of it was processed) and drops what
/// the client sent on it.
final class RefusedStreamHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.refuse(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.refuse(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func refuse(_ context: ChannelHandlerContext) {
        context.writeAndFlush(self.wrapOutboundOut(.rstStream(.refusedStream)), promise: nil)
    }
}

@available(*, unavailable)
extension RefusedStreamHandler: Sendable {}
