import HTTPTypes
public import SSRRendering

/// The example's error pages (the article's `_error`): 404 for unknown pages, 502/503 when the API is down,
/// 500 otherwise; with the site's frame, a way back and the request id.
public struct SiteErrorPages: ErrorPages {
    /// Creates the pages.
    public init() {}

    public func document(for error: PageError) -> Document {
        let title: String
        switch error.status.code {
        case 404: title = "Page not found"
        case 502, 503, 504: title = "The search service is unavailable"
        default: title = error.status.reasonPhrase
        }
        var head = Head(title: "\(title) · Tandem Search", robots: "noindex")
        head.stylesheets = [SiteLayout.stylesheet]
        return Document(head: head, bodyAttributes: [.class("error"), .data("status", String(error.status.code))]) {
            header(.class("site")) { a(.class("brand"), .href("/search/")) { "Tandem Search" } }
            main {
                h1 { title }
                p(.class("message")) { error.message }
                p { a(.href("/search/")) { "Back to search" } }
                if let requestID = error.requestID {
                    p(.class("request-id")) {
                        "Request ID: "; code { requestID }
                    }
                }
            }
        }
    }
}
