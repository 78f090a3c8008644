import NIOCore

/// On the listening socket: stops accepting while `maxConnections` connections are open.
///
/// Clients beyond the limit wait in the kernel's accept backlog instead of being refused or crashing
/// the process by exhausting file descriptors (nginx's `worker_connections`).
final class ConnectionLimitHandler: ChannelDuplexHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel
    typealias OutboundIn = Never
    typealias OutboundOut = Never

    private let maxConnections: Int
    private var open = 0
    private var readPending = false

    init(maxConnections: Int) {
        self.maxConnections = maxConnections
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = self.unwrapInboundIn(data)
        self.open += 1
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        child.closeFuture.hop(to: context.eventLoop).whenComplete { _ in
            let (handler, context) = loopBound.value
            handler.open -= 1
            if handler.readPending, handler.open < handler.maxConnections {
                handler.readPending = false
                context.read()
            }
        }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        if self.open < self.maxConnections {
            context.read()
        } else {
            self.readPending = true
        }
    }
}

@available(*, unavailable)
extension ConnectionLimitHandler: Sendable {}
