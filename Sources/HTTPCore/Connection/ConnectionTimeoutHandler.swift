import NIOCore

/// Sits in front of the HTTP decoder and applies ``ConnectionTimeoutStateMachine`` to raw bytes.
///
/// The connection handler tells it when a head was parsed and a response finished.
final class ConnectionTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var machine: ConnectionTimeoutStateMachine
    private var context: ChannelHandlerContext?
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?
    /// The request-head deadline of bytes received in the current read, not yet armed.
    private var pendingDeadline: NIODeadline?

    /// Only the body timer runs (an HTTP/2 stream): the stream exists because its head arrived, it ends with its
    /// response, and idle time is the HTTP/2 connection's. (Two timers scheduled and cancelled per stream for
    /// nothing were 3% of the gateway's CPU per HTTP/2 request.)
    private let timesBodyOnly: Bool

    /// - Parameter now: the time the connection was accepted, by its event loop's clock (which the handler reads
    ///   from then on: a test's loop moves it only when told).
    init(
        now: NIODeadline,
        idleTimeout: TimeAmount,
        requestHeadTimeout: TimeAmount,
        requestBodyTimeout: TimeAmount,
        timesBodyOnly: Bool = false
    ) {
        self.timesBodyOnly = timesBodyOnly
        self.machine = ConnectionTimeoutStateMachine(
            idleTimeout: idleTimeout,
            requestHeadTimeout: requestHeadTimeout,
            requestBodyTimeout: requestBodyTimeout,
            now: now
        )
    }

    /// The time by the connection's event loop.
    private var now: NIODeadline { self.context?.eventLoop.now ?? .now() }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.perform(self.machine.initialAction)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if self.machine.watchesBytes, case .arm(let deadline) = self.machine.bytesReceived(now: context.eventLoop.now) {
            // Armed at the end of the read, and only if the head is still incomplete then: usually it arrived
            // in this very read, and a timer scheduled and cancelled per request showed up in profiles.
            self.pendingDeadline = deadline
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let deadline = self.pendingDeadline {
            self.pendingDeadline = nil
            self.perform(.arm(deadline))
        }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.machine.closed()
        self.timer?.cancel()
        self.timer = nil
        context.fireChannelInactive()
    }

    func requestHeadReceived() {
        self.pendingDeadline = nil
        self.perform(self.machine.requestHeadReceived())
    }

    func responseCompleted() {
        self.perform(self.machine.responseCompleted(now: self.now))
    }

    func requestBodyStarted() {
        self.perform(self.machine.requestBodyStarted(now: self.now))
    }

    func requestBodyPaused() {
        self.machine.requestBodyPaused()
    }

    func requestBodyResumed() {
        self.perform(self.machine.requestBodyResumed(now: self.now))
    }

    func requestBodyEnded() {
        self.machine.requestBodyEnded()
    }

    private func perform(_ action: ConnectionTimeoutStateMachine.Action) {
        guard let context = self.context else { return }
        switch action {
        case .none:
            break
        case .arm(let deadline):
            if self.timesBodyOnly, !self.machine.timesBody { return }
            if let armed = self.timerDeadline, armed <= deadline, self.timer != nil { return }
            self.timer?.cancel()
            self.timerDeadline = deadline
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            self.timer = context.eventLoop.scheduleTask(deadline: deadline) {
                let handler = loopBound.value
                handler.timer = nil
                handler.timerDeadline = nil
                handler.perform(handler.machine.timerFired(now: handler.now))
            }
        case .close:
            context.close(promise: nil)
        case .requestBodyTimeout:
            // The connection handler knows whether a response is under way; it answers or cuts.
            context.fireUserInboundEventTriggered(RequestBodyTimeoutEvent())
        case .requestTimeout:
            let response = Self.requestTimeoutResponse
            let loopBound = context.loopBound
            context.writeAndFlush(NIOAny(response)).whenComplete { _ in loopBound.value.close(promise: nil) }
        }
    }

    /// Written straight to the socket: the encoder sits behind this handler.
    private static var requestTimeoutResponse: ByteBuffer {
        ByteBuffer(
            string: "HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\n"
                + "content-length: 16\r\n\r\nRequest Timeout\n"
        )
    }
}

@available(*, unavailable)
extension ConnectionTimeoutHandler: Sendable {}

/// Sent up the pipeline when a request body stalled past ``HTTPServer/Configuration/requestBodyTimeout``.
struct RequestBodyTimeoutEvent: Sendable {}
