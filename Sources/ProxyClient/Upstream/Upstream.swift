import CoreMetrics
public import HTTPCore
import HTTPTypes
import Logging
public import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import NIOPosix
import Synchronization
import Tracing

/// A group of upstream servers behind one name, with pooled keep-alive connections to each.
///
/// - Balancing: round-robin or least-connections.
/// - Passive health: after `maxFailures` consecutive failures a server is skipped for `failTimeout`
///   (nginx `max_fails`/`fail_timeout`); if every server is down, all are tried again.
/// - One retry, on another connection (and another server when there is one), for idempotent requests
///   without a body that failed before any response byte arrived — never for a POST.
///
/// ```swift
/// let api = try Upstream(["http://10.0.0.1:8000", "http://10.0.0.2:8000"], configuration: .init(balancing: .leastConnections))
/// ```
public final class Upstream: UpstreamTransport {

    /// The servers' addresses.
    public let urls: [UpstreamURL]
    /// The configuration.
    public let configuration: Configuration
    let servers: [Server]
    /// `nil` when nothing is traced.
    let tracer: (any Tracer)?
    /// Health and tunnel gauges; `nil` without a metrics backend.
    let gauges: UpstreamGauges?
    /// Where client durations go; `nil` without a metrics backend (resolved once: the fast path records per request).
    private let metricsFactory: (any MetricsFactory)?
    /// The client timers by server and outcome (`http.client.request.duration`).
    private let timers = MetricCache<TimerKey, Timer>()
    let next = Atomic<Int>(0)
    /// Counts requests forwarded by the event-loop fast path.
    let fastPathCounter = Atomic<Int>(0)
    /// Requests forwarded by the event-loop fast path so far (for tests and diagnostics).
    package var fastPathRequests: Int { self.fastPathCounter.load(ordering: .relaxed) }

    /// An upstream of the servers at `urls` (`http://host:port[/base]`).
    /// - Throws: ``UpstreamURLError`` for an address that is not `http://host:port`.
    public convenience init(
        _ urls: [String],
        configuration: Configuration = Configuration(),
        eventLoopGroup: (any EventLoopGroup)? = nil
    ) throws {
        try self.init(urls, configuration: configuration, eventLoopGroup: eventLoopGroup, connector: nil)
    }

    /// An upstream whose pools open their channels through `connector` instead of sockets (tests put channels
    /// without sockets under the real pools and connections; see `UpstreamHarness` in TandemTesting). Such channels
    /// are plaintext HTTP/1.1: the pool adds no TLS to them.
    package init(
        _ urls: [String],
        configuration: Configuration = Configuration(),
        eventLoopGroup: (any EventLoopGroup)?,
        connector: (@Sendable (_ eventLoop: any EventLoop) async throws -> any Channel)?
    ) throws {
        let group = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        let parsed = try urls.map { (url: String) throws(UpstreamURLError) -> UpstreamURL in try UpstreamURL(url) }
        guard !parsed.isEmpty else { throw UpstreamURLError(url: "", reason: "an upstream needs at least one server") }
        if configuration.tls == nil, let secure = parsed.first(where: \.isSecure) {
            throw UpstreamURLError(
                url: secure.description,
                reason: "an https:// upstream needs configuration.tls (TandemTLS: `.tls()` trusts the system's roots)"
            )
        }
        self.urls = parsed
        self.configuration = configuration
        let tracer = configuration.tracer ?? InstrumentationSystem.tracer
        self.tracer = tracer is NoOpTracer ? nil : tracer
        let poolConfiguration = ConnectionPool.Configuration(
            maxConnections: configuration.maxConnectionsPerServer,
            idleTimeout: configuration.idleTimeout.timeAmount,
            connectTimeout: configuration.connectTimeout.timeAmount,
            bodyBuffer: (low: max(1, configuration.bodyHighWatermark / 4), high: configuration.bodyHighWatermark),
            tls: nil,
            connector: connector
        )
        let factory = configuration.metricsFactory ?? MetricsSystem.factory
        self.metricsFactory = factory is NOOPMetricsHandler ? nil : factory
        let gauges = UpstreamGauges(factory: factory)
        self.gauges = gauges
        self.servers = parsed.map { url in
            var poolConfiguration = poolConfiguration
            if url.isSecure { poolConfiguration.tls = configuration.tls }
            let pool = ConnectionPool(
                host: url.host,
                port: url.port,
                configuration: poolConfiguration,
                group: group,
                gauges: PoolGauges(host: url.host, port: url.port, factory: factory)
            )
            return Server(url: url, pool: pool, healthy: gauges?.healthGauge(host: url.host, port: url.port))
        }
    }

    /// An upstream of one server.
    public convenience init(_ url: String, configuration: Configuration = Configuration()) throws {
        try self.init([url], configuration: configuration)
    }

    /// Connections lent out right now, over all servers (tests wait for it to reach 0).
    package var leasedConnections: Int { self.servers.reduce(0) { $0 + $1.pool.activeRequests } }

    /// Requests queued for a connection right now, over all servers (tests wait for one to be).
    package var waitingRequests: Int { self.servers.reduce(0) { $0 + $1.pool.waitingRequests } }

    /// Closes idle connections; requests in flight finish.
    public func shutdown() {
        for server in self.servers { server.pool.shutdown() }
    }

    public func send(_ request: Request, context: RequestContext) async throws -> Response {
        let retryable = self.configuration.retryIdempotentRequests && Self.idempotent.contains(request.method) && request.body.isKnownEmpty
        var tried: [Int] = []
        var chosen: Int?
        if let earlier = context.fastPathFallback, earlier.upstream == ObjectIdentifier(self) {
            if let failure = earlier.failure {
                // The event-loop fast path tried a pooled connection and handed the request back: that was the first try.
                self.recordFailure(self.servers[earlier.server])
                guard retryable, failure.isRetryable else { throw failure.error }
                context.logger.debug("Retrying on another connection", metadata: ["error": "\(failure.error)"])
                tried.append(earlier.server)
            } else {
                // The fast path chose the server but had no warm connection to it: keep its choice.
                chosen = earlier.server
            }
        }
        while true {
            let index = chosen ?? self.choose(excluding: tried)
            chosen = nil
            tried.append(index)
            let server = self.servers[index]
            let start = ContinuousClock.now
            var outgoing = request
            let span = self.startSpan(for: &outgoing, to: server, resendCount: tried.count - 1)
            do {
                let response = try await self.send(outgoing, to: server, span: span)
                server.recordSuccess()
                self.recordDuration(server, since: start, outcome: .status(response.status.code))
                context.recordUpstream(server.address, duration: .now - start)
                return response
            } catch let error as UpstreamError {
                self.recordDuration(server, since: start, outcome: .failure(error.metricName))
                context.recordUpstream(server.address, duration: .now - start)
                self.recordFailure(server)
                Self.end(span, failure: error, type: error.metricName)
                if retryable, error.isRetryable, tried.count == 1 {
                    context.logger.debug("Retrying on another connection", metadata: ["error": "\(error)"])
                    continue
                }
                throw error
            } catch {
                Self.end(span, failure: error, type: String(describing: type(of: error)))
                throw error
            }
        }
    }

    /// Starts the client span of a try at `server`, and puts its context into `request`'s fields (replacing the
    /// caller's `traceparent` and `tracestate`); `nil` when nothing is traced.
    private func startSpan(for request: inout Request, to server: Server, resendCount: Int) -> (any Span)? {
        guard let tracer = self.tracer else { return nil }
        let original = request.method.rawValue
        let method = KnownMethods.standard.label(for: original)
        let span = tracer.startSpan(KnownMethods.spanName(method: method), context: ServiceContext.current ?? .topLevel, ofKind: .client)
        if span.isRecording {
            span.updateAttributes { attributes in
                attributes["http.request.method"] = method
                if method != original { attributes["http.request.method_original"] = original }
                attributes["server.address"] = server.url.host
                attributes["server.port"] = server.url.port
                attributes["url.full"] = "\(server.url.origin)\(server.url.basePath)\(request.target)"
                if resendCount > 0 { attributes["http.request.resend_count"] = resendCount }
            }
        }
        // The caller's trace context is replaced, not merged: after an invalid `traceparent` this span starts a new
        // trace, and the caller's `tracestate` belongs to the trace it left (the W3C processing model drops it).
        request.headers[.traceparent] = nil
        request.headers[.tracestate] = nil
        tracer.inject(span.context, into: &request.headers, using: HTTPFieldsInjector())
        return span
    }

    /// Ends a client span with the response's status (4xx and 5xx are failures for a client).
    static func end(_ span: (any Span)?, status: Int) {
        guard let span else { return }
        guard span.isRecording else { return span.end() }
        span.attributes["http.response.status_code"] = status
        if status >= 400 {
            span.attributes["error.type"] = String(status)
            span.setStatus(SpanStatus(code: .error))
        }
        span.end()
    }

    /// Ends a client span with the error that ended its try or its body.
    static func end(_ span: (any Span)?, failure error: any Error, type: String) {
        guard let span else { return }
        guard span.isRecording else { return span.end() }
        span.recordError(error)
        span.attributes["error.type"] = type
        span.setStatus(SpanStatus(code: .error))
        span.end()
    }

    /// One try at `server`; `span` ends with the response's body.
    private func send(_ request: Request, to server: Server, span: (any Span)?) async throws -> Response {
        let head = try Self.requestHead(for: request, basePath: server.url.basePath)
        let pool = server.pool
        let connection = try await pool.lease()
        let exchange: UpstreamExchange
        do {
            exchange = try await connection.execute(head: head, body: request.body, timeouts: self.configuration.exchangeTimeouts)
        } catch {
            pool.release(connection, reusable: false)
            throw error
        }
        // Compare codes: NIO parses a 101 with its reason phrase, which is not `==` to `.switchingProtocols`.
        if exchange.head.status.code == 101 {
            // The connection leaves the pool for good: the two sides are glued byte for byte until either closes.
            var response = Response(status: .switchingProtocols)
            response.headers = HTTPFields(exchange.head.headers, splitCookie: false)
            Self.end(span, status: 101)
            let gauges = self.gauges
            response.body = .upgrade { client in
                gauges?.tunnelOpened()
                defer {
                    gauges?.tunnelClosed()
                    pool.release(connection, reusable: false)
                }
                let upstream = try await connection.switchToRawTunnel()
                await Self.glue(client, upstream)
            }
            return response
        }
        let lease = ConnectionLease(pool: pool, connection: connection, ended: exchange.ended)
        var response = Response(
            status: HTTPResponse.Status(code: Int(exchange.head.status.code), reasonPhrase: exchange.head.status.reasonPhrase)
        )
        response.headers = HTTPFields(exchange.head.headers, splitCookie: false)
        let status = response.status.code
        guard let body = exchange.body else {
            lease.finish()
            if let buffered = exchange.bufferedBody { response.body = .bytes(buffered) }
            Self.end(span, status: status)
            return response
        }
        let length = exchange.head.headers.first(name: "content-length").flatMap { Int($0) }
        response.body = .stream(contentLength: length) { writer in
            do {
                for try await chunk in body {
                    try await writer.write(chunk)
                }
            } catch {
                lease.abandon()
                Self.end(span, failure: error, type: (error as? UpstreamError)?.metricName ?? "body_aborted")
                throw error
            }
            lease.finish()
            Self.end(span, status: status)
        }
        return response
    }

    /// Copies bytes both ways until either side closes, then stops the other direction.
    static func glue(_ first: UpgradedConnection, _ second: UpgradedConnection) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await copy(from: first, to: second) }
            group.addTask { try? await copy(from: second, to: first) }
            await group.next()
            group.cancelAll()
        }
    }

    private static func copy(from source: UpgradedConnection, to destination: UpgradedConnection) async throws {
        for try await bytes in source.inbound { try await destination.outbound.write(bytes) }
    }

    /// The HTTP/1 head for the upstream: the request's target under `basePath`, framing made explicit.
    static func requestHead(for request: Request, basePath: String) throws -> HTTPRequestHead {
        var newRequest = request.head
        if !basePath.isEmpty { newRequest.path = basePath + (newRequest.path ?? "/") }
        var head = try HTTPRequestHead(newRequest)
        if request.body.isKnownEmpty {
            head.headers.remove(name: "transfer-encoding")
            let needsLength = [.POST, .PUT, .PATCH].contains(head.method)
            if needsLength {
                head.headers.replaceOrAdd(name: "content-length", value: "0")
            } else {
                head.headers.remove(name: "content-length")
            }
        } else if !head.headers.contains(name: "content-length") {
            head.headers.replaceOrAdd(name: "transfer-encoding", value: "chunked")
        }
        return head
    }

    /// RFC 9110 §9.2.2.
    static let idempotent: Set<HTTPRequest.Method> = [.get, .head, .options, .put, .delete, .trace]

    /// How an upstream call ended, for `http.client.request.duration`.
    enum CallOutcome: Hashable, Sendable {
        case status(Int)
        case failure(String)

        var dimension: (String, String) {
            switch self {
            case .status(let code): ("http.response.status_code", String(code))
            case .failure(let name): ("error.type", name)
            }
        }
    }

    struct TimerKey: Hashable, Sendable {
        let server: ObjectIdentifier
        let outcome: CallOutcome
    }

    /// `http.client.request.duration` (until the response head), when a metrics backend is bootstrapped.
    func recordDuration(_ server: Server, since start: ContinuousClock.Instant, outcome: CallOutcome) {
        guard let factory = self.metricsFactory else { return }
        let timer = self.timers.metric(TimerKey(server: ObjectIdentifier(server), outcome: outcome)) {
            Timer(
                label: "http.client.request.duration",
                dimensions: [("server.address", server.url.host), ("server.port", String(server.url.port)), outcome.dimension],
                preferredDisplayUnit: .seconds,
                factory: factory
            )
        }
        timer.record(since: start)
    }

    func recordFailure(_ server: Server) {
        server.recordFailure(maxFailures: self.configuration.maxFailures, failTimeout: self.configuration.failTimeout.timeAmount)
    }
}
