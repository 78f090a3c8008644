import APIEnvelope
public import HTTPCore
public import HTTPTypes
public import Logging
import NIOCore
import ProxyClient

/// An error as a page may show it: status, a message safe for anyone to read, the path and the request id.
/// Built by ``PageError/init(_:path:requestID:logger:)``, which never copies an internal error's text.
public struct PageError: Sendable, Hashable {
    /// The status the error page is sent with.
    public var status: HTTPResponse.Status
    /// A message for people, chosen by status (never the text of the underlying error).
    public var message: String
    /// The requested path.
    public var path: String
    /// The request id, for the user to quote.
    public var requestID: String?

    /// Creates an error description.
    public init(status: HTTPResponse.Status, message: String? = nil, path: String, requestID: String?) {
        self.status = status
        self.message = message ?? Self.message(for: status)
        self.path = path
        self.requestID = requestID
    }

    /// The page error for anything a loader or renderer threw. Unknown errors are logged and become 500;
    /// an unreachable API is 502 (504 when it timed out); an API's own 5xx is 502 (503 stays 503); its 4xx
    /// answers keep their status (a 422 the loader does not handle is a 422 page, a 404 a 404 page).
    public init(_ error: any Error, path: String, requestID: String?, logger: Logger) {
        let status: HTTPResponse.Status
        switch error {
        case let error as HTTPError:
            status = error.status
        case let error as UpstreamError:
            logger.warning("The API could not be reached", metadata: ["error": "\(error)"])
            status = error.isTimeout ? .gatewayTimeout : .badGateway
        case let error as APIError:
            switch error.status.code {
            case 400..<500: status = error.status
            case 503: status = .serviceUnavailable
            default: status = .badGateway
            }
            logger.warning("The API answered with an error", metadata: ["error": "\(error)"])
        case let error as EnvelopeDecodingError:
            logger.error("The API's answer was not an envelope", metadata: ["error": "\(error)"])
            status = .badGateway
        case is PageMethodNotAllowed:
            status = .methodNotAllowed
        default:
            logger.error("Page failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(path)"])
            status = .internalServerError
        }
        self.init(status: status, path: path, requestID: requestID)
    }

    /// The default message for a status.
    public static func message(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "The request could not be understood."
        case 401: "Please sign in to see this page."
        case 403: "You are not allowed to see this page."
        case 404: "There is no page at this address."
        case 405: "This page does not accept that kind of request."
        case 410: "This page is gone."
        case 409: "This conflicts with the current state of the resource."
        case 413: "What you sent is too large."
        case 415: "This kind of content is not accepted here."
        case 422: "Some of what you entered is not valid."
        case 429: "Too many requests. Please wait a moment and try again."
        case 502: "A service this page depends on is not reachable right now. Please try again in a moment."
        case 503: "This site is temporarily unavailable. Please try again in a moment."
        case 504: "A service this page depends on did not answer in time. Please try again in a moment."
        case 500...: "Something went wrong on our side."
        default: status.reasonPhrase
        }
    }
}

/// Custom pages for errors: 404 for unknown paths under the page mount, 500 for failures, 502/503/504 when
/// the API cannot be reached while loading. The error's status is kept.
///
/// ```swift
/// struct SiteErrorPages: ErrorPages {
///     func document(for error: PageError) -> Document {
///         Document(head: Head(title: "\(error.status.code) – Example")) {   // noindex is added
///             h1 { error.message }
///             if let id = error.requestID { p { "Reference: "; code { id } } }
///         }
///     }
/// }
/// ```
public protocol ErrorPages: Sendable {
    /// The page for `error`.
    func document(for error: PageError) -> Document
}

extension ErrorPages {
    /// The complete response for `error`: the page, its status, `text/html`, `Cache-Control: no-store`, and
    /// kept out of search engines: `X-Robots-Tag: noindex`, and `<meta name="robots" content="noindex">` unless the
    /// document sets its own robots rule.
    public func response(for error: PageError, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "text/html; charset=utf-8"
        fields[.cacheControl] = "no-store"
        fields[.xRobotsTag] = "noindex"
        var document = self.document(for: error)
        if document.head.robots == nil { document.head.robots = "noindex" }
        return Response(status: error.status, headers: fields, body: RenderedHTML(document).responseBody())
    }
}

/// Plain, self-contained error pages: the status, the message and the request id; `noindex`.
public struct DefaultErrorPages: ErrorPages {
    /// Creates the pages.
    public init() {}

    public func document(for error: PageError) -> Document {
        Document(head: Head(title: "\(error.status.code) \(error.status.reasonPhrase)", robots: "noindex")) {
            main(.class("error")) {
                h1 { "\(error.status.code) \(error.status.reasonPhrase)" }
                p { error.message }
                if let requestID = error.requestID {
                    p(.class("request-id")) {
                        "Request ID: "; code { requestID }
                    }
                }
            }
        }
    }
}

/// Renders thrown errors as HTML error pages: the `ErrorRenderer` for a page mount, or for a proxy whose
/// clients are browsers.
///
/// ```swift
/// let pages = router.wrapped(in: ErrorMiddleware(ErrorPageRenderer(SiteErrorPages())))
/// ```
public struct ErrorPageRenderer<Pages: ErrorPages>: ErrorRenderer {
    /// The pages.
    public let pages: Pages

    /// Creates the renderer.
    public init(_ pages: Pages) { self.pages = pages }

    public func response(for error: any Error, request: Request, context: RequestContext) -> Response {
        let pageError = PageError(error, path: String(request.path), requestID: context.requestID, logger: context.logger)
        var headers = HTTPFields()
        if let httpError = error as? HTTPError { headers.append(contentsOf: httpError.headers) }
        return self.pages.response(for: pageError, headers: headers)
    }
}
