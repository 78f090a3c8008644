import NIOCore

/// Turns the flushes of one event-loop turn into one, under an HTTP/2 connection: every stream flushes its own
/// response, and without this each flush is a TLS record and a `write` system call of its own. Measured with h2load
/// (32 connections × 10 streams, Benchmarks/tls-vs-nginx.sh), that was most of the gateway's CPU per request.
///
/// The deferred flush runs from the loop's task queue, after the work now running (the other streams' writes). A
/// close flushes first, so a `GOAWAY` written just before it still goes out.
final class FlushCoalescingHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private var flushPending = false

    func flush(context: ChannelHandlerContext) {
        guard !self.flushPending else { return }
        self.flushPending = true
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        context.eventLoop.execute {
            let (handler, context) = bound.value
            guard handler.flushPending else { return }
            handler.flushPending = false
            context.flush()
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if self.flushPending {
            self.flushPending = false
            context.flush()
        }
        context.close(mode: mode, promise: promise)
    }
}

@available(*, unavailable)
extension FlushCoalescingHandler: Sendable {}
