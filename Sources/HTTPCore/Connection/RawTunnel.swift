package import NIOCore

/// A connection after a successful `Upgrade` (101): raw bytes both ways, with back-pressure.
///
/// ```swift
/// return Response(status: .switchingProtocols, headers: [.upgrade: "echo", .connection: "upgrade"], body: .upgrade { connection in
///     for try await bytes in connection.inbound { try await connection.outbound.write(bytes) }
/// })
/// ```
public struct UpgradedConnection: Sendable {
    /// Bytes from the peer; ends when the peer closes its side.
    public let inbound: RequestBody
    /// Writes bytes to the peer.
    public let outbound: any ResponseBodyWriter

    /// Creates a connection from its two directions.
    public init(inbound: RequestBody, outbound: any ResponseBodyWriter) {
        self.inbound = inbound
        self.outbound = outbound
    }
}

/// The last handler of a connection that switched protocols: streams raw bytes with back-pressure.
package final class RawTunnelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    package typealias InboundIn = ByteBuffer
    package typealias OutboundIn = ByteBuffer
    package typealias OutboundOut = ByteBuffer

    private var source: RequestBody.Producer.Source?
    private var context: ChannelHandlerContext?
    private let reads = ReadGate()
    private let inbound: RequestBody

    /// Creates the handler; add it to the pipeline on `eventLoop` before removing the HTTP decoder, so the
    /// bytes the decoder held back reach it.
    package init(eventLoop: any EventLoop) {
        // The delegate needs the handler, the handler the stream: the box breaks the cycle on the loop.
        let box = NIOLoopBoundBox<RawTunnelHandler?>(nil, eventLoop: eventLoop)
        let delegate = BodyReadDelegate(
            on: eventLoop,
            owner: box,
            produceMore: { $0.value?.resumeReading() },
            didTerminate: { $0.value?.context?.close(promise: nil) }
        )
        let (body, source) = RequestBody.makeStream(delegate: delegate)
        self.inbound = body
        self.source = source
        box.value = self
    }

    package func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    package func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Turns an HTTP/1 pipeline into a raw tunnel, on the channel's loop: adds the tunnel at the end, then removes
    /// `handlers` in order. Give the HTTP handler first and the decoder before the encoder: removing the decoder
    /// forwards what it held back (the first bytes of the new protocol), which the tunnel must be there to get.
    /// - Returns: the two directions of the upgraded connection.
    package static func replace(_ handlers: [ChannelHandlerContext], in channel: any Channel) throws -> UpgradedConnection {
        let pipeline = channel.pipeline.syncOperations
        let tunnel = RawTunnelHandler(eventLoop: channel.eventLoop)
        try pipeline.addHandler(tunnel)
        for handler in handlers { _ = pipeline.removeHandler(context: handler) }
        return tunnel.connection(channel: channel)
    }

    /// The two directions, for the code that owns the upgraded connection.
    package func connection(channel: any Channel) -> UpgradedConnection {
        UpgradedConnection(inbound: self.inbound, outbound: ChannelByteWriter(channel: channel))
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let source = self.source else { return }
        if case .stopProducing = source.yield(self.unwrapInboundIn(data)) { self.reads.pause() }
    }

    package func channelInactive(context: ChannelHandlerContext) {
        self.source?.finish()
        self.source = nil
        context.fireChannelInactive()
    }

    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            self.source?.finish()
            self.source = nil
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.source?.finish(error)
        self.source = nil
        context.close(promise: nil)
    }

    package func read(context: ChannelHandlerContext) {
        self.reads.read(context)
    }

    private func resumeReading() {
        self.reads.resume(self.context)
    }
}

@available(*, unavailable)
extension RawTunnelHandler: Sendable {}

/// Writes raw bytes to a channel, waiting while the peer is slower than the producer.
package struct ChannelByteWriter: ResponseBodyWriter {
    let channel: any Channel

    package func write(_ buffer: ByteBuffer) async throws {
        let written = self.channel.eventLoop.makePromise(of: Void.self)
        self.channel.writeAndFlush(buffer, promise: written)
        if !self.channel.isWritable { try await written.futureResult.get() }
    }
}
