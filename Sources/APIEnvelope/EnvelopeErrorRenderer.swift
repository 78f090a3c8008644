public import HTTPCore
import HTTPTypes
import NIOCore
import Validation

/// Renders errors as the JSON envelope: the renderer for API mounts.
///
/// ```swift
/// let api = router.wrapped(in: ErrorMiddleware(EnvelopeErrorRenderer()))
/// let server = HTTPServer(handler: api, errorRenderer: EnvelopeErrorRenderer())   // also for the server's own 413s
/// ```
public struct EnvelopeErrorRenderer: ErrorRenderer {
    /// Creates the renderer.
    public init() {}

    public func response(for error: any Error, request: Request, context: RequestContext) -> Response {
        let apiError = APIError.from(error, logger: context.logger)
        var headers = apiError.headers
        headers[.contentType] = "application/json"
        return Response(status: apiError.status, headers: headers, body: .bytes(Envelope.failure(apiError, requestID: context.requestID)))
    }
}

/// Renders errors as RFC 9457 problem details (`application/problem+json`), for mounts that prefer them.
///
/// `{"type":…,"title":"Unprocessable Content","status":422,"detail":"The input is not valid",
/// "code":"validation_failed","errors":[…],"request_id":…}`
public struct ProblemDetailsRenderer: ErrorRenderer {
    /// Prefix of the `type` URI; the error code is appended. `nil` gives `about:blank`.
    public let typeBaseURI: String?

    /// Creates the renderer.
    public init(typeBaseURI: String? = nil) {
        self.typeBaseURI = typeBaseURI
    }

    struct Problem: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var code: String
        var errors: [Validation.ValidationIssue]
        var requestID: String?

        enum CodingKeys: String, CodingKey {
            case type, title, status, detail, code, errors
            case requestID = "request_id"
        }
    }

    public func response(for error: any Error, request: Request, context: RequestContext) -> Response {
        let apiError = APIError.from(error, logger: context.logger)
        let problem = Problem(
            type: self.typeBaseURI.map { $0 + apiError.code } ?? "about:blank",
            title: apiError.status.reasonPhrase,
            status: apiError.status.code,
            detail: apiError.message,
            code: apiError.code,
            errors: apiError.details,
            requestID: context.requestID
        )
        var headers = apiError.headers
        headers[.contentType] = "application/problem+json"
        let body = (try? JSONWriter.encode(problem)) ?? ByteBuffer(string: #"{"title":"Internal Server Error","status":500}"#)
        return Response(status: apiError.status, headers: headers, body: .bytes(body))
    }
}
