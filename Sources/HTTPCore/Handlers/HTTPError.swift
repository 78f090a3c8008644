public import HTTPTypes

/// An error that carries the HTTP status it should be answered with.
///
/// The message is meant for the client: only put text there that is safe to show. Any other error
/// thrown by a handler is answered with a generic 500 and logged.
///
/// ```swift
/// guard let id = Int(raw) else { throw HTTPError(.badRequest, message: "id must be a number") }
/// ```
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The response status.
    public var status: HTTPResponse.Status
    /// Text shown to the client; the status' reason phrase when `nil`.
    public var message: String?
    /// Extra response header fields (`Allow`, `WWW-Authenticate`, `Retry-After`, ...).
    public var headers: HTTPFields

    /// Creates an error answered with `status`.
    public init(_ status: HTTPResponse.Status, message: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    /// The message, or the status' reason phrase when there is none.
    public var publicMessage: String {
        self.message ?? self.status.reasonPhrase
    }

    public var description: String {
        "HTTPError(\(self.status.code) \(self.publicMessage))"
    }
}

extension HTTPError {
    /// 413: the request body is larger than the configured limit.
    public static func contentTooLarge(limit: Int) -> HTTPError {
        HTTPError(.contentTooLarge, message: "Request body is larger than \(limit) bytes")
    }
}
