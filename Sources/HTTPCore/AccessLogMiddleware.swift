import HTTPTypes
public import Logging
import NIOCore
import Synchronization

/// Logs one line per request, as structured metadata: method, path, route (the template a router matched), status,
/// body bytes, duration, request id, client address (the peer's) and user agent.
///
/// For streamed bodies the line is written when the stream ends, with the bytes actually sent.
///
/// Every line has the request id, wherever ``RequestIDMiddleware`` sits: when this middleware runs first it
/// chooses the id as that one would (a sane incoming `X-Request-ID`, or a new one) and hands it inwards in
/// ``RequestContext/requestID``, where ``RequestIDMiddleware`` keeps it.
///
/// ```swift
/// let app = router.wrapped(in: RequestIDMiddleware()).wrapped(in: AccessLogMiddleware())
/// ```
public struct AccessLogMiddleware: Middleware {
    /// The level the lines are logged at.
    public let level: Logger.Level

    /// Creates the middleware.
    public init(level: Logger.Level = .info) {
        self.level = level
    }

    public func handle(_ request: Request, context: RequestContext, next: some HTTPHandler) async throws -> Response {
        let start = ContinuousClock.now
        let context = self.prepared(context, for: request)
        let response: Response
        do {
            response = try await next.handle(request, context: context)
        } catch {
            self.log(request, context, status: HTTPError.status(of: error).code, bytes: nil, since: start)
            throw error
        }
        switch response.body.storage {
        case .bytes(let buffer):
            self.log(request, context, status: response.status.code, bytes: buffer?.readableBytes ?? 0, since: start)
            return response
        case .upgrade:
            self.log(request, context, status: response.status.code, bytes: nil, since: start)
            return response
        case .stream(let length, let write):
            var logged = response
            let status = response.status.code
            logged.body = .stream(contentLength: length) { writer in
                let counter = CountingWriter(base: writer)
                do {
                    try await write(counter)
                } catch {
                    self.log(request, context, status: status, bytes: counter.count, since: start)
                    throw error
                }
                self.log(request, context, status: status, bytes: counter.count, since: start)
            }
            return logged
        }
    }

    /// `context` with a request id, and a record for the route template when lines are written and the server keeps
    /// none (metrics off).
    private func prepared(_ context: RequestContext, for request: Request) -> RequestContext {
        var context = Self.withRequestID(context, for: request)
        if context.storage[MatchedRoute.self] == nil, context.logger.logLevel <= self.level {
            context.storage[MatchedRoute.self] = MatchedRoute()
        }
        return context
    }

    /// `context` with a request id: its own, or one chosen as ``RequestIDMiddleware`` chooses.
    private static func withRequestID(_ context: RequestContext, for request: Request) -> RequestContext {
        guard context.requestID == nil else { return context }
        var context = context
        let id =
            RequestIDMiddleware.accepted(request.headers[values: .xRequestID], maxLength: RequestIDMiddleware.defaultMaxLength)
            ?? RequestIDMiddleware.generate()
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        return context
    }

    private func log(_ request: Request, _ context: RequestContext, status: Int, bytes: Int?, since start: ContinuousClock.Instant) {
        Self.log(
            to: context.logger,
            level: self.level,
            method: request.method.rawValue,
            path: String(request.path),
            route: context.storage[MatchedRoute.self]?.template,
            status: status,
            bytes: bytes,
            requestID: context.requestID,
            client: context.remoteAddress?.ipAddress,
            userAgent: request.headers[.userAgent],
            since: start
        )
    }

    /// One access-log line (also written by the server's event-loop fast path).
    package static func log(
        to logger: Logger,
        level: Logger.Level,
        method: String,
        path: String,
        route: String?,
        status: Int,
        bytes: Int?,
        requestID: String?,
        client: String?,
        userAgent: String?,
        since start: ContinuousClock.Instant
    ) {
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.log(
            level: level,
            "\(method) \(path) \(status)",
            metadata: [
                "method": .string(method),
                "path": .string(path),
                "status": .stringConvertible(status),
                "bytes": bytes.map { .stringConvertible($0) } ?? "-",
                "duration_ms": .string(String(format: milliseconds)),
                "request_id": .string(requestID ?? "-"),
                "route": .string(route ?? "-"),
                "client": .string(client ?? "-"),
                "user_agent": .string(userAgent.map { String($0.prefix(256)) } ?? "-"),
            ]
        )
    }
}

private func String(format milliseconds: Double) -> String {
    let hundredths = Int((milliseconds * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}

/// Counts the bytes a streamed body writes.
private final class CountingWriter: ResponseBodyWriter {
    private let base: any ResponseBodyWriter
    private let total = Atomic<Int>(0)

    init(base: any ResponseBodyWriter) { self.base = base }

    var count: Int { self.total.load(ordering: .relaxed) }

    func write(_ buffer: ByteBuffer) async throws {
        try await self.base.write(buffer)
        self.total.add(buffer.readableBytes, ordering: .relaxed)
    }
}
