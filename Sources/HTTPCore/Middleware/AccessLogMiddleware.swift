import HTTPTypes
public import Logging
import NIOCore
import Synchronization

/// Logs one line per request, as structured metadata: method, path, route (the template a router matched), status,
/// body bytes, duration, request id, trace id (when the server traces), client address (the peer's, or the one a trusted
/// proxy reports: ``HTTPServerConfiguration/trustedProxies``), user agent, and the upstream servers a proxy sent the
/// request to with their times to the response head (nginx `$upstream_addr`, `$upstream_response_time`).
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
        if context.storage[RequestRecord.self] == nil, context.logger.logLevel <= self.level {
            context.storage[RequestRecord.self] = RequestRecord()
        }
        return context
    }

    /// `context` with a request id: its own, or one chosen as ``RequestIDMiddleware`` chooses.
    private static func withRequestID(_ context: RequestContext, for request: Request) -> RequestContext {
        guard context.requestID == nil else { return context }
        var context = context
        let id = RequestIDMiddleware.id(for: request.headers[values: .xRequestID], maxLength: RequestIDMiddleware.defaultMaxLength)
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        return context
    }

    private func log(_ request: Request, _ context: RequestContext, status: Int, bytes: Int?, since start: ContinuousClock.Instant) {
        guard context.logger.logLevel <= self.level else { return }
        let record = context.storage[RequestRecord.self]
        Self.log(
            to: context.logger,
            level: self.level,
            method: request.method.rawValue,
            path: String(request.path),
            route: record?.template,
            status: status,
            bytes: bytes,
            requestID: context.requestID,
            traceID: record?.traceID,
            client: context.clientAddress ?? context.remoteAddress?.ipAddress,
            userAgent: request.headers[.userAgent],
            upstreams: record?.upstreams ?? [],
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
        traceID: String?,
        client: String?,
        userAgent: String?,
        upstreams: [RequestRecord.UpstreamAttempt],
        since start: ContinuousClock.Instant
    ) {
        // The fields are built only for a line that is written (at the default level this one is not).
        guard logger.logLevel <= level else { return }
        var metadata: Logger.Metadata = [
            "method": .string(method),
            "path": .string(path),
            "status": .stringConvertible(status),
            "bytes": bytes.map { .stringConvertible($0) } ?? "-",
            "duration_ms": .string(String(milliseconds: ContinuousClock.now - start)),
            "request_id": .string(requestID ?? "-"),
            "route": .string(route ?? "-"),
            "client": .string(client ?? "-"),
            "user_agent": .string(userAgent.map { String($0.prefix(256)) } ?? "-"),
        ]
        if let traceID { metadata["trace_id"] = .string(traceID) }
        if !upstreams.isEmpty {
            // As nginx writes `$upstream_addr` and `$upstream_response_time` after a retry: one entry per try.
            metadata["upstream"] = .string(upstreams.map(\.address).joined(separator: ", "))
            metadata["upstream_ms"] = .string(upstreams.map { String(milliseconds: $0.duration) }.joined(separator: ", "))
        }
        logger.log(
            level: level,
            "\(method) \(path) \(status)",
            metadata: metadata
        )
    }
}

private func String(milliseconds elapsed: Duration) -> String {
    let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
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
