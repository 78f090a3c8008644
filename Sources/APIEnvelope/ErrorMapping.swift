import HTTPCore
public import HTTPTypes
public import Logging
import Validation

extension APIError {
    /// The ``APIError`` for any thrown error. Unknown errors become ``internalError``; their text is logged,
    /// never returned.
    ///
    /// - `APIError` and `APIErrorConvertible` keep theirs;
    /// - `ValidationError`: 422 `validation_failed` with the issues, or 400 `invalid_json` for unparseable JSON;
    /// - `HTTPError` (router 404/405, body 413, ...): its status, a code named after it, its message and headers;
    /// - `DecodingError` from a handler's own `JSONDecoder`: 400 `invalid_json`.
    public static func from(_ error: any Error, logger: Logger) -> APIError {
        switch error {
        case let apiError as APIError:
            return apiError
        case let convertible as any APIErrorConvertible:
            return convertible.apiError
        case let validation as ValidationError:
            if validation.issues.contains(where: { $0.code == .invalidJSON }) {
                return APIError(.badRequest, code: "invalid_json", message: "The body is not valid JSON")
            }
            return .validationFailed(validation.issues)
        case let httpError as HTTPError:
            return APIError(
                httpError.status,
                code: Self.code(for: httpError.status),
                message: httpError.publicMessage,
                headers: httpError.headers
            )
        case is DecodingError:
            return APIError(.badRequest, code: "invalid_json", message: "The body does not have the expected JSON shape")
        default:
            logger.error("Unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return .internalError
        }
    }

    /// The stable code for a status: `not_found`, `method_not_allowed`, `payload_too_large`, ...
    public static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "bad_request"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 406: "not_acceptable"
        case 408: "request_timeout"
        case 409: "conflict"
        case 413: "payload_too_large"
        case 415: "unsupported_media_type"
        case 422: "unprocessable"
        case 429: "too_many_requests"
        case 431: "headers_too_large"
        case 500: "internal_error"
        case 502: "bad_gateway"
        case 503: "service_unavailable"
        case 504: "gateway_timeout"
        default: status.code >= 500 ? "server_error" : "client_error"
        }
    }
}
