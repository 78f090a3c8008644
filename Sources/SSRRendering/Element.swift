/// An HTML element: a tag, attributes and content. Void elements (`meta`, `link`, `img`, `input`, `br`,
/// `hr`) have no content and no end tag.
///
/// The tag functions (`div`, `a`, `ul`, …) make elements; ``Element/init(_:_:content:)`` makes any other:
///
/// ```swift
/// div(.class("card"), .id("first")) {
///     h2 { title }
///     Element("details") { Element("summary") { "More" }; p { summary } }
/// }
/// ```
@frozen
public struct Element<Content: HTML>: HTML {
    /// The tag name.
    public let tag: String
    /// The attributes, in order.
    public let attributes: [Attribute]
    /// The content.
    public let content: Content
    @usableFromInline let isVoid: Bool

    /// An element with any tag name (letters, digits and `-`; anything else is removed).
    public init(_ tag: String, _ attributes: [Attribute] = [], @HTMLBuilder content: () -> Content) {
        self.init(tag: Attribute.cleanName(tag), attributes: attributes, content: content(), isVoid: false)
    }

    @inlinable
    init(tag: String, attributes: [Attribute], content: Content, isVoid: Bool) {
        self.tag = tag
        self.attributes = attributes
        self.content = content
        self.isVoid = isVoid
    }

    @inlinable
    public func render(into writer: inout HTMLWriter) {
        writer.writeRaw("<")
        writer.writeRaw(self.tag)
        for attribute in self.attributes { attribute.render(into: &writer) }
        writer.writeRaw(">")
        guard !self.isVoid else { return }
        self.content.render(into: &writer)
        writer.writeRaw("</")
        writer.writeRaw(self.tag)
        writer.writeRaw(">")
    }
}

extension Element where Content == EmptyHTML {
    /// An element with any tag name and no content.
    public init(_ tag: String, _ attributes: [Attribute] = []) {
        self.init(tag: Attribute.cleanName(tag), attributes: attributes, content: EmptyHTML(), isVoid: false)
    }
}

/// An attribute: `name="value"` with the value escaped, or a boolean attribute (`disabled`).
///
/// URL attributes (`href`, `src`, `action`, `formaction`) refuse `javascript:`, `vbscript:` and `data:`
/// URLs (except `data:image/…` in `src`): such a value is written as `about:invalid#blocked`, because
/// escaping alone does not stop a script URL.
public struct Attribute: Sendable, Hashable {
    /// The name.
    public let name: String
    /// The unescaped value; `nil` for a boolean attribute.
    public let value: String?

    /// An attribute with any name (letters, digits, `-`, `_`, `:`, `.`; anything else is removed).
    public init(_ name: String, _ value: String?) {
        let name = Self.cleanName(name)
        self.name = name
        let lowercased = name.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } ? name.lowercased() : name
        self.value = value.map { Self.urlAttributes.contains(lowercased) ? Self.safeURL($0, allowImageData: lowercased == "src") : $0 }
    }

    /// An attribute whose name is known to be clean and whose value needs no URL check.
    @inlinable
    init(validName name: String, value: String?) {
        self.name = name
        self.value = value
    }

    @inlinable
    func render(into writer: inout HTMLWriter) {
        guard !self.name.isEmpty else { return }
        writer.writeRaw(" ")
        writer.writeRaw(self.name)
        if let value = self.value {
            writer.writeRaw("=\"")
            writer.writeEscaped(value)
            writer.writeRaw("\"")
        }
    }

    static let urlAttributes: Set<String> = ["href", "src", "action", "formaction", "poster", "cite", "background"]

    /// `url`, or `about:invalid#blocked` when its scheme can run script.
    @usableFromInline
    static func safeURL(_ url: String, allowImageData: Bool) -> String {
        if let first = url.utf8.first, first == UInt8(ascii: "/") || first == UInt8(ascii: "#") || first == UInt8(ascii: "?") {
            return url
        }
        if url.hasPrefix("https://") || url.hasPrefix("http://") { return url }
        // Browsers ignore leading spaces/control characters and embedded tabs/newlines in a scheme.
        let scheme = url.unicodeScalars
            .drop { $0.value <= 0x20 }
            .prefix { $0 != ":" && $0 != "/" && $0 != "?" && $0 != "#" }
            .filter { $0 != "\t" && $0 != "\n" && $0 != "\r" }
        let name = String(String.UnicodeScalarView(scheme)).lowercased()
        guard url.unicodeScalars.drop(while: { $0.value <= 0x20 }).contains(":") else { return url }
        switch name {
        case "javascript", "vbscript": return "about:invalid#blocked"
        case "data":
            let rest = url.lowercased().drop { $0 != ":" }.dropFirst()
            return allowImageData && rest.hasPrefix("image/") && !rest.hasPrefix("image/svg") ? url : "about:invalid#blocked"
        default: return url
        }
    }

    static func cleanName(_ name: String) -> String {
        if name.utf8.allSatisfy(Self.isNameByte) { return name }
        return String(decoding: name.utf8.filter(Self.isNameByte), as: UTF8.self)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "."):
            true
        default: false
        }
    }
}

extension Attribute {
    /// `class`.
    @inlinable public static func `class`(_ value: String) -> Attribute { Attribute(validName: "class", value: value) }
    /// `id`.
    @inlinable public static func id(_ value: String) -> Attribute { Attribute(validName: "id", value: value) }
    /// `href` (script URLs are blocked).
    @inlinable public static func href(_ value: String) -> Attribute {
        Attribute(validName: "href", value: safeURL(value, allowImageData: false))
    }
    /// `src` (script URLs are blocked).
    @inlinable public static func src(_ value: String) -> Attribute {
        Attribute(validName: "src", value: safeURL(value, allowImageData: true))
    }
    /// `alt`.
    @inlinable public static func alt(_ value: String) -> Attribute { Attribute(validName: "alt", value: value) }
    /// `title`.
    @inlinable public static func title(_ value: String) -> Attribute { Attribute(validName: "title", value: value) }
    /// `type`.
    @inlinable public static func type(_ value: String) -> Attribute { Attribute(validName: "type", value: value) }
    /// `name`.
    @inlinable public static func name(_ value: String) -> Attribute { Attribute(validName: "name", value: value) }
    /// `value`.
    @inlinable public static func value(_ value: String) -> Attribute { Attribute(validName: "value", value: value) }
    /// `placeholder`.
    @inlinable public static func placeholder(_ value: String) -> Attribute { Attribute(validName: "placeholder", value: value) }
    /// `action` (script URLs are blocked).
    @inlinable public static func action(_ value: String) -> Attribute {
        Attribute(validName: "action", value: safeURL(value, allowImageData: false))
    }
    /// `method`.
    @inlinable public static func method(_ value: String) -> Attribute { Attribute(validName: "method", value: value) }
    /// `for`.
    @inlinable public static func `for`(_ value: String) -> Attribute { Attribute(validName: "for", value: value) }
    /// `rel`.
    @inlinable public static func rel(_ value: String) -> Attribute { Attribute(validName: "rel", value: value) }
    /// `lang`.
    @inlinable public static func lang(_ value: String) -> Attribute { Attribute(validName: "lang", value: value) }
    /// `autocomplete`.
    @inlinable public static func autocomplete(_ value: String) -> Attribute { Attribute(validName: "autocomplete", value: value) }
    /// `role`.
    @inlinable public static func role(_ value: String) -> Attribute { Attribute(validName: "role", value: value) }
    /// `aria-NAME`.
    public static func aria(_ name: String, _ value: String) -> Attribute { Attribute("aria-" + name, value) }
    /// `data-NAME`.
    public static func data(_ name: String, _ value: String) -> Attribute { Attribute("data-" + name, value) }
    /// `required` (boolean).
    @inlinable public static var required: Attribute { Attribute(validName: "required", value: nil) }
    /// `disabled` (boolean).
    @inlinable public static var disabled: Attribute { Attribute(validName: "disabled", value: nil) }
    /// `checked` (boolean).
    @inlinable public static var checked: Attribute { Attribute(validName: "checked", value: nil) }
    /// `selected` (boolean).
    @inlinable public static var selected: Attribute { Attribute(validName: "selected", value: nil) }
    /// `autofocus` (boolean).
    @inlinable public static var autofocus: Attribute { Attribute(validName: "autofocus", value: nil) }
}
