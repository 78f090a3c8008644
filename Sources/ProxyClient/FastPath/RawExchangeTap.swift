import NIOCore

/// Sits next to the socket of an upstream connection. While a fast-path exchange reads its response it hands
/// the bytes to ``UpstreamConnectionHandler/rawRead(_:)`` instead of NIO's HTTP decoder (which never
/// sees them, so it stays between messages); otherwise it passes everything on. The fast path also writes
/// its requests through it, past the encoder.
final class RawExchangeTap: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private(set) var context: ChannelHandlerContext?
    var owner: UpstreamConnectionHandler?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.owner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let owner = self.owner, owner.isForwarding else {
            context.fireChannelRead(data)
            return
        }
        var input = self.unwrapInboundIn(data)
        owner.rawRead(&input)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.owner = nil  // the pipeline's handlers go with the channel; no cycle outlives it
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension RawExchangeTap: Sendable {}
