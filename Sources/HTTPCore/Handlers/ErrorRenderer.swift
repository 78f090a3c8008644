public import HTTPTypes
import Logging

/// Turns an error thrown by a handler into a response: the seam each mount uses to pick its error format.
///
/// Plain text is the default; the API mount uses the JSON envelope and the page mount HTML error pages.
/// A renderer must never put the text of an unknown error into the response: log it instead.
///
/// ```swift
/// struct TeapotRenderer: ErrorRenderer {
///     func response(for error: any Error, request: Request, context: RequestContext) -> Response {
///         .text("short and stout", status: HTTPError.status(of: error))
///     }
/// }
/// ```
public protocol ErrorRenderer: Sendable {
    /// The response for `error`, thrown while handling `request`.
    func response(for error: any Error, request: Request, context: RequestContext) -> Response
}

extension HTTPError {
    /// The status an error is answered with: its own for ``HTTPError``, 500 for anything else.
    public static func status(of error: any Error) -> HTTPResponse.Status {
        (error as? HTTPError)?.status ?? .internalServerError
    }
}

/// The default renderer: `text/plain` with the ``HTTPError`` message or the status' reason phrase, and the
/// request id on a second line when one is known (so a user's report can be matched with the log).
///
/// Errors that are not ``HTTPError`` become `500 Internal Server Error`; their text goes to the log only.
public struct PlainTextErrorRenderer: ErrorRenderer {
    /// Creates the renderer.
    public init() {}

    public func response(for error: any Error, request: Request, context: RequestContext) -> Response {
        guard let httpError = error as? HTTPError else {
            context.logger.error(
                "Unhandled error",
                metadata: ["error": "\(String(reflecting: error))", "path": "\(request.path)"]
            )
            return .text("Internal Server Error\n" + Self.requestIDLine(context), status: .internalServerError)
        }
        var response = Response.text(httpError.publicMessage + "\n" + Self.requestIDLine(context), status: httpError.status)
        for field in httpError.headers {
            response.headers.append(field)
        }
        return response
    }

    private static func requestIDLine(_ context: RequestContext) -> String {
        context.requestID.map { "Request ID: \($0)\n" } ?? ""
    }
}

/// Catches errors from the handlers inside it and renders them with `renderer`.
///
/// Put it innermost, so that request ids and access logs outside it see the rendered response:
/// ```swift
/// let app = router
///     .wrapped(in: ErrorMiddleware(PlainTextErrorRenderer()))
///     .wrapped(in: RequestIDMiddleware())
///     .wrapped(in: AccessLogMiddleware())
/// ```
public struct ErrorMiddleware<Renderer: ErrorRenderer>: Middleware {
    /// The renderer used for errors.
    public let renderer: Renderer

    /// Creates the middleware.
    public init(_ renderer: Renderer) {
        self.renderer = renderer
    }

    public func handle(_ request: Request, context: RequestContext, next: some HTTPHandler) async throws -> Response {
        do {
            return try await next.handle(request, context: context)
        } catch {
            return self.renderer.response(for: error, request: request, context: context)
        }
    }
}
