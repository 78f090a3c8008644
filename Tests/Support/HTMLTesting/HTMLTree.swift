import CLibXML2

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A page parsed by libxml2's HTML parser, as a plain tree: what a browser-like parser made of the bytes.
///
/// ```swift
/// let page = try HTMLTree(parsing: body)
/// #expect(page.first("title")?.text == "Results")
/// #expect(page.all("meta").contains { $0["name"] == "description" })
/// ```
public struct HTMLTree: Sendable {
    /// An element or a text node.
    public struct Node: Sendable {
        /// The element's lower-case name; `#text` for text.
        public let name: String
        /// The element's attributes, in document order.
        public let attributes: [(name: String, value: String)]
        /// Child nodes.
        public let children: [Node]
        /// A text node's text.
        public let textValue: String

        /// The attribute `name`.
        public subscript(_ name: String) -> String? {
            self.attributes.first { $0.name == name }?.value
        }

        /// All text inside, concatenated.
        public var text: String {
            self.name == "#text" ? self.textValue : self.children.map(\.text).joined()
        }

        /// Every element named `name` inside this one (depth first, document order).
        public func all(_ name: String) -> [Node] {
            var found: [Node] = []
            for child in self.children {
                if child.name == name { found.append(child) }
                found.append(contentsOf: child.all(name))
            }
            return found
        }

        /// The first element named `name` inside this one.
        public func first(_ name: String) -> Node? {
            self.all(name).first
        }

        /// The first element whose attribute `attribute` is `value`.
        public func first(where attribute: String, is value: String) -> Node? {
            for child in self.children {
                if child[attribute] == value { return child }
                if let found = child.first(where: attribute, is: value) { return found }
            }
            return nil
        }
    }

    /// The document's root (`html`).
    public let root: Node

    /// Parses `html` (UTF-8).
    /// - Throws: when libxml2 returns no document at all.
    public init(parsing html: some Collection<UInt8>) throws {
        let bytes = Array(html)
        let options = Int32(HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                htmlReadMemory($0, Int32(buffer.count), "page.html", "UTF-8", options)
            }
        }
        guard let document else { throw HTMLParseError() }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else { throw HTMLParseError() }
        self.root = Self.node(root)
    }

    /// Parses a string.
    public init(parsing html: String) throws {
        try self.init(parsing: Array(html.utf8))
    }

    /// Every element named `name`, including the root.
    public func all(_ name: String) -> [Node] {
        (self.root.name == name ? [self.root] : []) + self.root.all(name)
    }

    /// The first element named `name`.
    public func first(_ name: String) -> Node? {
        self.all(name).first
    }

    /// The first element whose attribute `attribute` is `value`.
    public func first(where attribute: String, is value: String) -> Node? {
        self.root.first(where: attribute, is: value)
    }

    private static func node(_ pointer: xmlNodePtr) -> Node {
        let node = pointer.pointee
        if node.type == XML_TEXT_NODE || node.type == XML_CDATA_SECTION_NODE {
            return Node(name: "#text", attributes: [], children: [], textValue: Self.content(pointer))
        }
        var attributes: [(String, String)] = []
        var attribute = node.properties
        while let current = attribute {
            let name = String(cString: current.pointee.name)
            attributes.append((name, Self.content(UnsafeMutableRawPointer(current).assumingMemoryBound(to: xmlNode.self))))
            attribute = current.pointee.next
        }
        var children: [Node] = []
        var child = node.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE || current.pointee.type == XML_TEXT_NODE
                || current.pointee.type == XML_CDATA_SECTION_NODE
            {
                children.append(Self.node(current))
            }
            child = current.pointee.next
        }
        return Node(name: String(cString: node.name), attributes: attributes, children: children, textValue: "")
    }

    private static func content(_ pointer: xmlNodePtr) -> String {
        guard let text = xmlNodeGetContent(pointer) else { return "" }
        // libxml2's xmlFree is free() unless xmlMemSetup changed it, which nothing here does.
        defer { free(text) }
        return String(cString: text)
    }
}

/// libxml2 could not make a document of the input.
public struct HTMLParseError: Error {}
