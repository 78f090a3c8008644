import HTTPTypes

/// The seam every part of Tandem plugs into: something that turns a ``Request`` into a ``Response``.
///
/// Routers, reverse proxies and page apps are all handlers, so a topology is a composition of handlers.
///
/// ```swift
/// struct Hello: HTTPHandler {
///     func handle(_ request: Request, context: RequestContext) async throws -> Response {
///         .text("hello")
///     }
/// }
/// ```
public protocol HTTPHandler: Sendable {
    /// Answers one request.
    /// - Throws: any error; ``HTTPError`` chooses the status, other errors become a 500 through the
    ///   ``ErrorRenderer`` in force.
    func handle(_ request: Request, context: RequestContext) async throws -> Response
}

/// Code that runs around a handler: it may change the request or context, short-circuit, or change the response.
///
/// ```swift
/// struct PoweredBy: Middleware {
///     func handle(_ request: Request, context: RequestContext, next: some HTTPHandler) async throws -> Response {
///         var response = try await next.handle(request, context: context)
///         response.headers[HTTPField.Name("X-Powered-By")!] = "Tandem"
///         return response
///     }
/// }
/// ```
public protocol Middleware: Sendable {
    /// Handles a request, calling `next` to continue down the chain.
    func handle(_ request: Request, context: RequestContext, next: some HTTPHandler) async throws -> Response
}

/// An ``HTTPHandler`` made from a closure.
///
/// ```swift
/// let ok = HandlerFunction { _, _ in .text("ok") }
/// ```
public struct HandlerFunction: HTTPHandler {
    @usableFromInline
    let body: @Sendable (Request, RequestContext) async throws -> Response

    /// Wraps `body` as a handler.
    public init(_ body: @escaping @Sendable (Request, RequestContext) async throws -> Response) {
        self.body = body
    }

    @inlinable
    public func handle(_ request: Request, context: RequestContext) async throws -> Response {
        try await self.body(request, context)
    }
}

/// A handler wrapped in one middleware; build chains with ``HTTPHandler/wrapped(in:)``.
public struct MiddlewareHandler<M: Middleware, Next: HTTPHandler>: HTTPHandler {
    /// The middleware that runs first.
    public let middleware: M
    /// The handler it calls next.
    public let next: Next

    /// Wraps `next` in `middleware`.
    public init(_ middleware: M, next: Next) {
        self.middleware = middleware
        self.next = next
    }

    @inlinable
    public func handle(_ request: Request, context: RequestContext) async throws -> Response {
        try await self.middleware.handle(request, context: context, next: self.next)
    }
}

extension HTTPHandler {
    /// Returns this handler with `middleware` running around it.
    ///
    /// ```swift
    /// let app = router.wrapped(in: RequestIDMiddleware()).wrapped(in: AccessLogMiddleware())
    /// ```
    public func wrapped<M: Middleware>(in middleware: M) -> MiddlewareHandler<M, Self> {
        MiddlewareHandler(middleware, next: self)
    }
}

/// A type-erased handler, for configuration-time composition (routers store their routes as this).
public struct AnyHTTPHandler: HTTPHandler {
    @usableFromInline
    let base: any HTTPHandler

    /// Erases `base`.
    public init(_ base: some HTTPHandler) {
        if let erased = base as? AnyHTTPHandler {
            self = erased
        } else {
            self.base = base
        }
    }

    @inlinable
    public func handle(_ request: Request, context: RequestContext) async throws -> Response {
        try await self.base.handle(request, context: context)
    }
}
