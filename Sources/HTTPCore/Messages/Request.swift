public import HTTPTypes

/// An HTTP request: the head (swift-http-types' `HTTPRequest`) and a streaming ``RequestBody``.
///
/// ```swift
/// let request = Request(head: HTTPRequest(method: .get, scheme: nil, authority: "example.com", path: "/search/?query=swift"))
/// request.path            // "/search/"
/// request.query["query"]  // "swift"
/// ```
public struct Request: Sendable {
    /// Method, target, and header fields as received.
    public var head: HTTPRequest
    /// The body; read it at most once.
    public var body: RequestBody

    /// Creates a request.
    public init(head: HTTPRequest, body: RequestBody = .empty) {
        self.head = head
        self.body = body
    }

    /// The request method.
    @inlinable
    public var method: HTTPRequest.Method { self.head.method }

    /// The header fields.
    @inlinable
    public var headers: HTTPFields {
        get { self.head.headerFields }
        set { self.head.headerFields = newValue }
    }

    /// The raw request target as received (path and query, still percent-encoded).
    @inlinable
    public var target: String { self.head.path ?? "/" }

    /// The raw path, without the query, still percent-encoded.
    public var path: Substring {
        let target = self.target
        guard let question = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return target[...] }
        return target[..<question]
    }

    /// The raw query string after `?`, or `nil` when there is none.
    public var queryString: Substring? {
        let target = self.target
        guard let question = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        return target[target.index(after: question)...]
    }

    /// The decoded query parameters.
    public var query: QueryParameters {
        QueryParameters(parsing: self.queryString ?? "")
    }
}
