/// A whole HTML page: `<!DOCTYPE html>`, `<html lang>`, the ``Head`` and the body.
///
/// ```swift
/// Document(head: Head(title: "Results for \(query)", description: "Search results")) {
///     h1 { "Results for "; query }
///     ResultList(results: results)
/// }
/// ```
public struct Document: HTML {
    /// The `lang` of `<html>`.
    public var lang: String
    /// Title, meta tags, links, scripts.
    public var head: Head
    /// Attributes of `<body>`.
    public var bodyAttributes: [Attribute]
    /// The body's content.
    public var body: any HTML
    /// Data for client-side code, written as the last element of the body (see ``ScriptJSON``).
    public var hydration: ScriptJSON?

    /// Creates a document.
    public init(
        lang: String = "en",
        head: Head,
        bodyAttributes: [Attribute] = [],
        hydration: ScriptJSON? = nil,
        @HTMLBuilder body: () -> some HTML
    ) {
        self.lang = lang
        self.head = head
        self.bodyAttributes = bodyAttributes
        self.body = body()
        self.hydration = hydration
    }

    public func render(into writer: inout HTMLWriter) {
        writer.writeRaw("<!DOCTYPE html>\n<html")
        Attribute.lang(self.lang).render(into: &writer)
        writer.writeRaw(">")
        self.head.render(into: &writer)
        writer.writeRaw("<body")
        for attribute in self.bodyAttributes { attribute.render(into: &writer) }
        writer.writeRaw(">")
        self.body.render(into: &writer)
        self.hydration?.render(into: &writer)
        writer.writeRaw("</body></html>\n")
    }
}

/// The document head: title, description, canonical URL, robots, OpenGraph and Twitter cards, JSON-LD,
/// stylesheets and scripts. `<meta charset="utf-8">` and a responsive viewport come first.
///
/// ```swift
/// var head = Head(title: "Swift results", description: "12 results for swift")
/// head.canonicalURL = "https://example.com/search/?query=swift"
/// head.openGraph = OpenGraph(title: head.title, type: "website")
/// head.stylesheets.append("/static/site.css")
/// ```
public struct Head: HTML {
    /// `<title>`.
    public var title: String
    /// `<meta name="description">`.
    public var description: String?
    /// `<link rel="canonical">`.
    public var canonicalURL: String?
    /// `<meta name="robots">`, e.g. `noindex, nofollow`.
    public var robots: String?
    /// OpenGraph `og:` tags.
    public var openGraph: OpenGraph?
    /// Twitter card tags.
    public var twitter: TwitterCard?
    /// `<script type="application/ld+json">` blocks (build them with ``ScriptJSON``).
    public var jsonLD: [ScriptJSON]
    /// Other `<meta name content>` pairs, in order.
    public var meta: [(name: String, content: String)]
    /// `<link rel="stylesheet">` URLs.
    public var stylesheets: [String]
    /// `<script src>` elements.
    public var scripts: [Script]
    /// `<meta name="viewport">`; `nil` leaves it out.
    public var viewport: String?

    /// Creates a head.
    public init(
        title: String,
        description: String? = nil,
        canonicalURL: String? = nil,
        robots: String? = nil,
        openGraph: OpenGraph? = nil,
        twitter: TwitterCard? = nil,
        jsonLD: [ScriptJSON] = [],
        meta: [(name: String, content: String)] = [],
        stylesheets: [String] = [],
        scripts: [Script] = [],
        viewport: String? = "width=device-width, initial-scale=1"
    ) {
        self.title = title
        self.description = description
        self.canonicalURL = canonicalURL
        self.robots = robots
        self.openGraph = openGraph
        self.twitter = twitter
        self.jsonLD = jsonLD
        self.meta = meta
        self.stylesheets = stylesheets
        self.scripts = scripts
        self.viewport = viewport
    }

    public func render(into writer: inout HTMLWriter) {
        writer.writeRaw("<head><meta charset=\"utf-8\">")
        Self.meta(name: "viewport", self.viewport, into: &writer)
        writer.writeRaw("<title>")
        writer.writeEscaped(self.title)
        writer.writeRaw("</title>")
        Self.meta(name: "description", self.description, into: &writer)
        Self.meta(name: "robots", self.robots, into: &writer)
        if let canonicalURL { link(.rel("canonical"), .href(canonicalURL)).render(into: &writer) }
        for (name, content) in self.meta { Self.meta(name: name, content, into: &writer) }
        if let openGraph { openGraph.render(into: &writer) }
        if let twitter { twitter.render(into: &writer) }
        for stylesheet in self.stylesheets { link(.rel("stylesheet"), .href(stylesheet)).render(into: &writer) }
        for script in self.scripts { script.render(into: &writer) }
        for block in self.jsonLD { block.render(into: &writer) }
        writer.writeRaw("</head>")
    }

    /// `<meta name="…" content="…">`, or `<meta property="…" …>` for OpenGraph; nothing without content.
    static func meta(name: String? = nil, property: String? = nil, _ content: String?, into writer: inout HTMLWriter) {
        guard let content else { return }
        writer.writeRaw("<meta")
        if let name { Attribute(validName: "name", value: name).render(into: &writer) }
        if let property { Attribute(validName: "property", value: property).render(into: &writer) }
        Attribute(validName: "content", value: content).render(into: &writer)
        writer.writeRaw(">")
    }
}

/// OpenGraph tags (`og:title`, `og:description`, `og:type`, `og:url`, `og:image`, `og:site_name`).
public struct OpenGraph: Sendable, HTML {
    /// `og:title`.
    public var title: String
    /// `og:description`.
    public var description: String?
    /// `og:type` (`website`, `article`, …).
    public var type: String
    /// `og:url`.
    public var url: String?
    /// `og:image`.
    public var image: String?
    /// `og:site_name`.
    public var siteName: String?

    /// Creates the tags.
    public init(
        title: String,
        description: String? = nil,
        type: String = "website",
        url: String? = nil,
        image: String? = nil,
        siteName: String? = nil
    ) {
        self.title = title
        self.description = description
        self.type = type
        self.url = url
        self.image = image
        self.siteName = siteName
    }

    public func render(into writer: inout HTMLWriter) {
        Head.meta(property: "og:title", self.title, into: &writer)
        Head.meta(property: "og:description", self.description, into: &writer)
        Head.meta(property: "og:type", self.type, into: &writer)
        Head.meta(property: "og:url", self.url, into: &writer)
        Head.meta(property: "og:image", self.image, into: &writer)
        Head.meta(property: "og:site_name", self.siteName, into: &writer)
    }
}

/// Twitter card tags (`twitter:card`, `twitter:site`, `twitter:title`, `twitter:description`, `twitter:image`).
public struct TwitterCard: Sendable, HTML {
    /// `twitter:card` (`summary`, `summary_large_image`).
    public var card: String
    /// `twitter:site` (`@handle`).
    public var site: String?
    /// `twitter:title`.
    public var title: String?
    /// `twitter:description`.
    public var description: String?
    /// `twitter:image`.
    public var image: String?

    /// Creates the tags.
    public init(card: String = "summary", site: String? = nil, title: String? = nil, description: String? = nil, image: String? = nil) {
        self.card = card
        self.site = site
        self.title = title
        self.description = description
        self.image = image
    }

    public func render(into writer: inout HTMLWriter) {
        Head.meta(name: "twitter:card", self.card, into: &writer)
        Head.meta(name: "twitter:site", self.site, into: &writer)
        Head.meta(name: "twitter:title", self.title, into: &writer)
        Head.meta(name: "twitter:description", self.description, into: &writer)
        Head.meta(name: "twitter:image", self.image, into: &writer)
    }
}

/// A `<script src>` element.
public struct Script: Sendable, Hashable, HTML {
    /// How the script loads.
    public enum Loading: Sendable, Hashable {
        /// Blocks parsing.
        case blocking
        /// `defer`: runs after parsing, in order.
        case `defer`
        /// `async`: runs when loaded.
        case async
        /// `type="module"` (deferred by default).
        case module
    }

    /// The URL.
    public var src: String
    /// How it loads.
    public var loading: Loading

    /// Creates a script element; deferred by default.
    public init(_ src: String, loading: Loading = .defer) {
        self.src = src
        self.loading = loading
    }

    public func render(into writer: inout HTMLWriter) {
        writer.writeRaw("<script")
        Attribute.src(self.src).render(into: &writer)
        switch self.loading {
        case .blocking: break
        case .defer: writer.writeRaw(" defer")
        case .async: writer.writeRaw(" async")
        case .module: writer.writeRaw(" type=\"module\"")
        }
        writer.writeRaw("></script>")
    }
}

/// A layout shared between pages: wraps a page's content in the site's frame and adds site-wide head entries.
///
/// ```swift
/// struct SiteLayout: Layout {
///     func document(head: Head, content: some HTML, context: PageContext) -> Document {
///         var head = head
///         head.stylesheets.insert("/static/site.css", at: 0)
///         return Document(head: head) {
///             header { a(.href("/")) { "Home" } }
///             main { content }
///         }
///     }
/// }
/// ```
public protocol Layout: Sendable {
    /// The document for a page's `head` and `content`.
    func document(head: Head, content: some HTML, context: PageContext) -> Document
}

extension Layout {
    /// The document for `head` and the builder's content.
    public func callAsFunction(_ head: Head, context: PageContext, @HTMLBuilder content: () -> some HTML) -> Document {
        self.document(head: head, content: content(), context: context)
    }
}
