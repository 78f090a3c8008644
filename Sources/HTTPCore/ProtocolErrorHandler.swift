import NIOCore
import NIOHTTP1

/// Answers requests the parser rejects — 431 for oversized heads, 400 for anything else — and closes.
///
/// NIO's `HTTPServerProtocolErrorHandler` answers every parse error with 400; clients deserve to know
/// that their headers were too large (RFC 6585 §5).
final class ProtocolErrorHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var hasUnterminatedResponse = false
    /// Knows about responses written past the encoder (the event-loop fast path).
    private let connection: HTTPConnectionHandler?

    init(connection: HTTPConnectionHandler? = nil) {
        self.connection = connection
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        if !self.hasUnterminatedResponse && !(self.connection?.rawResponseInFlight ?? false) {
            let (status, text): (HTTPResponseStatus, String) =
                switch parserError {
                case .headerOverflow: (.requestHeaderFieldsTooLarge, "Request Header Fields Too Large\n")
                default: (.badRequest, "Bad Request\n")
                }
            let headers = HTTPHeaders([
                ("connection", "close"), ("content-type", "text/plain; charset=utf-8"),
                ("content-length", String(text.utf8.count)),
            ])
            context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
            let loopBound = context.loopBound
            context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
                loopBound.value.close(promise: nil)
            }
        } else {
            context.close(promise: nil)
        }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .head(let head) where head.status.code >= 200: self.hasUnterminatedResponse = true
        case .end: self.hasUnterminatedResponse = false
        case .head, .body: break
        }
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension ProtocolErrorHandler: Sendable {}
