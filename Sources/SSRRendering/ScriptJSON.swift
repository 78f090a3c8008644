import APIEnvelope
public import NIOCore

/// JSON inside a `<script>` element: `application/json` data for client-side hydration, or JSON-LD.
///
/// The JSON is written with `JSONWriter` and then `<`, `>`, `&`, U+2028 and U+2029 are replaced by
/// their `\uXXXX` escapes, so no string value can close the script element (`</script>`), open a comment
/// (`<!--`) or break a JavaScript parser; `JSON.parse` of the element's text gives back the value.
///
/// ```swift
/// ScriptJSON(id: "__PROPS__", props)                           // <script type="application/json" id="__PROPS__">
/// ScriptJSON(type: "application/ld+json", article)             // JSON-LD for search engines
/// ```
public struct ScriptJSON: HTML {
    /// The script's `type`.
    public let type: String
    /// The script's `id`, if any.
    public let id: String?
    /// The escaped JSON.
    public let json: ByteBuffer

    /// Encodes `value`.
    /// - Throws: what encoding `value` throws.
    public init(type: String = "application/json", id: String? = nil, _ value: some Encodable) throws {
        var raw = ByteBuffer()
        try JSONWriter.write(value, into: &raw)
        self.init(type: type, id: id, json: Self.escape(raw))
    }

    init(type: String, id: String?, json: ByteBuffer) {
        self.type = type
        self.id = id
        self.json = json
    }

    public func render(into writer: inout HTMLWriter) {
        writer.writeRaw("<script")
        Attribute.type(self.type).render(into: &writer)
        if let id = self.id { Attribute.id(id).render(into: &writer) }
        writer.writeRaw(">")
        writer.writeRaw(self.json)
        writer.writeRaw("</script>")
    }

    /// `json` with `<`, `>`, `&`, U+2028 and U+2029 as `\uXXXX` escapes. Valid JSON stays valid JSON with the
    /// same value: these characters only occur inside strings.
    static func escape(_ json: ByteBuffer) -> ByteBuffer {
        let bytes = json.readableBytesView
        guard bytes.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "&") || $0 == 0xE2 })
        else { return json }
        var output = ByteBuffer()
        output.reserveCapacity(json.readableBytes + 64)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "<"): output.writeStaticString("\\u003c")
            case UInt8(ascii: ">"): output.writeStaticString("\\u003e")
            case UInt8(ascii: "&"): output.writeStaticString("\\u0026")
            case 0xE2
            where index + 2 < bytes.endIndex && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                // U+2028 LINE SEPARATOR / U+2029 PARAGRAPH SEPARATOR (E2 80 A8 / E2 80 A9).
                output.writeStaticString(bytes[index + 2] == 0xA8 ? "\\u2028" : "\\u2029")
                index += 2
            default: output.writeInteger(byte)
            }
            index += 1
        }
        return output
    }
}
