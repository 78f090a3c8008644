import CookieAuth
public import SSRRendering

/// The example site's frame: header with navigation, the page, a footer; one stylesheet.
public struct SiteLayout: Layout {
    /// Where the stylesheet is served.
    public static let stylesheet = "/search/static/site.css"

    /// Creates the layout.
    public init() {}

    public func document(head: Head, content: some HTML, context: PageContext) -> Document {
        var head = head
        head.stylesheets.insert(Self.stylesheet, at: 0)
        let signedIn = context.cookies["access_token"] != nil
        return Document(head: head) {
            header(.class("site")) {
                a(.class("brand"), .href("/search/")) { "Tandem Search" }
                nav {
                    a(.href("/search/")) { "Search" }
                    " "  // apart without the stylesheet too (text browsers, readers): not "SearchSign in"
                    if signedIn { a(.href("/search/account/")) { "Account" } } else { a(.href("/search/login/")) { "Sign in" } }
                }
            }
            main { content }
            footer(.class("site")) { "Rendered by Tandem · pages on the web server, data from the API" }
        }
    }
}
