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
                    if signedIn { a(.href("/search/account/")) { "Account" } } else { a(.href("/search/login/")) { "Sign in" } }
                }
            }
            main { content }
            footer(.class("site")) { "Rendered by Tandem · pages on the web server, data from the API" }
        }
    }

    /// The stylesheet's text.
    public static let css = """
        body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
        header.site,footer.site{display:flex;gap:1.5rem;align-items:center;padding:.75rem 1.5rem;background:#1d1d1f;color:#fff}
        header.site a{color:#fff;text-decoration:none}.brand{font-weight:700;margin-right:auto}
        main{max-width:46rem;margin:2rem auto;padding:0 1.5rem}footer.site{font-size:.8rem;justify-content:center;background:#eee;color:#555}
        form.search{display:flex;gap:.5rem}form.search input{flex:1;padding:.5rem;font-size:1rem}
        ol.results{padding:0;list-style:none}ol.results li{margin:1.25rem 0}ol.results a{font-size:1.1rem}
        .url{color:#2a7a2a;font-size:.85rem}.problems{color:#b00020}.request-id{color:#777;font-size:.85rem}
        form.login{display:grid;gap:.75rem;max-width:20rem}form.login input{padding:.5rem}

        """
}
