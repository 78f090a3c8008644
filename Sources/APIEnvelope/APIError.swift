public import HTTPTypes
public import Validation

/// An error an API answers with: HTTP status, stable machine code, human message and details.
///
/// Rendered inside the envelope as
/// `{"status":"error","data":null,"error":{"code":…,"message":…,"details":[…],"request_id":…}}`.
///
/// ```swift
/// throw APIError(.notFound, code: "item_not_found", message: "No item with id 7")
/// throw APIError.unauthorized("Sign in first")
/// ```
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable code clients can switch on (`snake_case`).
    public var code: String
    /// A message for people; shown to clients, so never put internals here.
    public var message: String
    /// Per-field problems (validation) or other structured detail.
    public var details: [ValidationIssue]
    /// The request id, when known (set when decoding an error envelope).
    public var requestID: String?
    /// Extra response headers (`Allow`, `WWW-Authenticate`, `Retry-After`).
    public var headers: HTTPFields

    /// Creates an error.
    public init(
        _ status: HTTPResponse.Status,
        code: String,
        message: String,
        details: [ValidationIssue] = [],
        requestID: String? = nil,
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.requestID = requestID
        self.headers = headers
    }

    public var description: String {
        "APIError(\(self.status.code) \(self.code): \(self.message))"
    }

    /// 400 `bad_request`.
    public static func badRequest(_ message: String = "Bad request") -> APIError {
        APIError(.badRequest, code: "bad_request", message: message)
    }
    /// 401 `unauthorized` with `WWW-Authenticate: Bearer`.
    public static func unauthorized(_ message: String = "Authentication required") -> APIError {
        APIError(.unauthorized, code: "unauthorized", message: message, headers: [.wwwAuthenticate: "Bearer"])
    }
    /// 403 `forbidden`.
    public static func forbidden(_ message: String = "Forbidden") -> APIError { APIError(.forbidden, code: "forbidden", message: message) }
    /// 404 `not_found`.
    public static func notFound(_ message: String = "Not found") -> APIError { APIError(.notFound, code: "not_found", message: message) }
    /// 409 `conflict`.
    public static func conflict(_ message: String) -> APIError { APIError(.conflict, code: "conflict", message: message) }
    /// 422 `validation_failed` with every problem as details.
    public static func validationFailed(_ issues: [ValidationIssue]) -> APIError {
        APIError(.unprocessableContent, code: "validation_failed", message: "The input is not valid", details: issues)
    }
    /// 500 `internal_error` with a generic message.
    public static var internalError: APIError { APIError(.internalServerError, code: "internal_error", message: "Internal server error") }
}

/// A domain error that knows which ``APIError`` it is.
///
/// ```swift
/// enum CartError: APIErrorConvertible {
///     case empty
///     var apiError: APIError { APIError(.conflict, code: "cart_empty", message: "The cart is empty") }
/// }
/// ```
public protocol APIErrorConvertible: Error {
    /// The error to answer with.
    var apiError: APIError { get }
}
