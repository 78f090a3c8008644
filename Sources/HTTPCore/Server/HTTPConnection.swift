import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import Tracing

/// One accepted connection as the server's task group sees it: the channel, its handler, and the executor
/// of its event loop.
///
/// ``run(handler:errorRenderer:logger:)`` runs in a task that prefers ``executor``, so all of its
/// nonisolated code — including the user's handler, unless it isolates itself to an actor, and the code
/// after every `await` — runs on the channel's event loop, where ``HTTPConnectionHandler`` may be touched.
package struct HTTPConnection: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<HTTPConnectionHandler>
    let executor: EventLoopTaskExecutor

    /// Pipelined requests waiting behind the one in flight (for the fuzz target's bound check).
    package var queuedRequests: Int { self.handler.value.queuedRequests }

    /// Serves requests one after another until the connection closes.
    func run<Handler: HTTPHandler>(handler: Handler, errorRenderer: any ErrorRenderer, logger: Logger) async {
        await withTaskCancellationHandler {
            await self.serve(handler: handler, errorRenderer: errorRenderer, logger: logger)
        } onCancel: {
            self.channel.close(promise: nil)
        }
    }

    private func serve<Handler: HTTPHandler>(handler: Handler, errorRenderer: any ErrorRenderer, logger: Logger) async {
        let remoteAddress = self.channel.remoteAddress
        let observability = self.handler.value.observability
        let metrics = observability.metrics
        while let incoming = await self.handler.value.nextRequest() {
            let request = incoming.request
            let start = ContinuousClock.now
            var storage = ContextStorage()
            // A record routers and proxies fill in, only when metrics or spans are recorded.
            let record = observability.recordsRequests ? RequestRecord() : nil
            if let record { storage[RequestRecord.self] = record }
            metrics?.requestStarted()
            let client = observability.clientAddress(
                peer: self.handler.value.clientAddress,
                forwardedFor: request.headers[values: .xForwardedFor]
            )
            var context = RequestContext(logger: logger, remoteAddress: remoteAddress, clientAddress: client, storage: storage)
            context.fastPathFallback = incoming.fastPathFallback
            let outcome: Outcome
            if let tracing = observability.tracing {
                let span = tracing.startSpan(for: request, context: context)
                record?.setTraceID { tracing.traceID(of: span) }
                outcome = await ServiceContext.withValue(span.context) {
                    await self.respond(to: incoming, context: context, handler: handler, errorRenderer: errorRenderer)
                }
                tracing.end(span, method: request.method.rawValue, status: outcome.status, route: record?.template, error: outcome.error)
            } else {
                outcome = await self.respond(to: incoming, context: context, handler: handler, errorRenderer: errorRenderer)
            }
            metrics?.requestEnded(method: request.method.rawValue, status: outcome.status, route: record?.template, since: start)
            guard outcome.servesMore else { return }
        }
    }

    /// How one request went: its status, the error that escaped its handler, whether the connection serves more.
    private struct Outcome {
        var status: Int
        var error: (any Error)?
        var servesMore: Bool
    }

    /// Answers one request: its handler's response (or the error page for a refusal or a thrown error), written out.
    private func respond<Handler: HTTPHandler>(
        to incoming: HTTPConnectionHandler.Incoming,
        context: RequestContext,
        handler: Handler,
        errorRenderer: any ErrorRenderer
    ) async -> Outcome {
        let request = incoming.request
        var response: Response
        var escaped: (any Error)?
        if let rejection = incoming.rejection {
            response = errorRenderer.response(for: rejection, request: request, context: context)
            self.handler.value.metrics?.rejected(status: response.status.code)
        } else {
            do {
                response = try await handler.handle(request, context: context)
            } catch {
                escaped = error
                response = errorRenderer.response(for: error, request: request, context: context)
            }
        }
        let status = response.status.code
        do {
            return Outcome(status: status, error: escaped, servesMore: try await self.write(response, for: request))
        } catch {
            context.logger.debug("Connection ended while writing a response", metadata: ["error": "\(error)"])
            self.channel.close(promise: nil)
            return Outcome(status: status, error: escaped ?? error, servesMore: false)
        }
    }

    /// Writes `response`; `false` when the connection was handed over (an upgrade) and serves no more HTTP.
    private func write(_ response: Response, for request: Request) async throws -> Bool {
        let connection = self.handler.value
        guard let context = connection.context, !connection.isClosed else { throw ChannelError.ioOnClosedChannel }
        let isHead = request.method == .head
        let end: EventLoopFuture<Void>
        switch response.body.storage {
        case .bytes(let buffer):
            let head = connection.makeHead(response, contentLength: buffer?.readableBytes ?? 0)
            context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
            if !isHead, let buffer, buffer.readableBytes > 0 {
                context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))), promise: nil)
            }
            end = context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
            if !context.channel.isWritable {
                try await end.get()
            }
        case .upgrade(let run):
            guard response.status == .switchingProtocols else {
                throw HTTPError(.internalServerError, message: "An upgrade body needs status 101")
            }
            let head = connection.makeHead(response, contentLength: nil)
            context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
            context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)), promise: nil)
            let upgraded = try connection.switchToRawTunnel()
            defer { self.channel.close(promise: nil) }
            try await run(upgraded)
            return false
        case .stream(let contentLength, let write):
            let head = connection.makeHead(response, contentLength: contentLength)
            context.writeAndFlush(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
            if !isHead {
                do {
                    try await write(ChannelResponseBodyWriter(connection: self))
                } catch {
                    // The head is out: the only honest way to report a failed body is to cut the connection,
                    // so the client never takes a truncated body for a complete one.
                    self.channel.close(promise: nil)
                    throw error
                }
            }
            guard let context = connection.context, !connection.isClosed else { throw ChannelError.ioOnClosedChannel }
            end = context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
        }
        connection.responseEnded(lastWrite: end)
        return true
    }

    /// Writes one body chunk; the returned future completes once the bytes reached the socket.
    /// Must run on the channel's event loop.
    func writeBodyChunk(_ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let connection = self.handler.value
        guard let context = connection.context, !connection.isClosed else {
            return self.channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))), promise: promise)
        return promise.futureResult
    }
}

/// Writes a streamed response body to the channel, waiting while the client is slower than the producer.
struct ChannelResponseBodyWriter: ResponseBodyWriter {
    let connection: HTTPConnection

    func write(_ buffer: ByteBuffer) async throws {
        let channel = self.connection.channel
        if channel.eventLoop.inEventLoop {
            // A producer must learn that the client is gone, or it streams into nothing until it is done (or a
            // shutdown's drain deadline cuts it).
            guard !self.connection.handler.value.isClosed else { throw ChannelError.ioOnClosedChannel }
            let written = self.connection.writeBodyChunk(buffer)
            if !channel.isWritable {
                try await written.get()
            }
        } else {
            // Called from a task that is not on the loop (a detached producer, say): hop, and wait for
            // the write so that back-pressure still holds.
            let connection = self.connection
            try await channel.eventLoop.flatSubmit { connection.writeBodyChunk(buffer) }.get()
        }
    }
}
