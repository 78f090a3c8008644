public import HTTPCore

/// Sends requests somewhere and returns the responses: the seam between a proxy or API client and how the
/// request travels (a pooled HTTP/1.1 connection, or an in-process call).
///
/// ```swift
/// let transport: any UpstreamTransport = try Upstream("http://127.0.0.1:8000")
/// let response = try await transport.send(request, context: context)
/// ```
public protocol UpstreamTransport: Sendable {
    /// Sends `request` and returns the response; its body streams from the upstream.
    /// - Throws: ``UpstreamError`` when the upstream cannot be reached or does not answer.
    func send(_ request: Request, context: RequestContext) async throws -> Response
}

/// Calls an `HTTPHandler` directly: for monoliths (SSR and API in one process) and tests.
///
/// ```swift
/// let api = InProcessTransport(apiRouter)
/// ```
public struct InProcessTransport<Handler: HTTPHandler>: UpstreamTransport {
    /// The handler requests go to.
    public let handler: Handler
    /// Renders what the handler throws, as a server would.
    public let errorRenderer: any ErrorRenderer

    /// Creates the transport.
    public init(_ handler: Handler, errorRenderer: any ErrorRenderer = PlainTextErrorRenderer()) {
        self.handler = handler
        self.errorRenderer = errorRenderer
    }

    public func send(_ request: Request, context: RequestContext) async throws -> Response {
        do {
            return try await self.handler.handle(request, context: context)
        } catch {
            return self.errorRenderer.response(for: error, request: request, context: context)
        }
    }
}
