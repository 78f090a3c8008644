import Foundation

extension SchemaDescriptor {
    /// The schema as a JSON Schema (draft 2020-12) document, pretty-printed and deterministic.
    ///
    /// Semantics match the Swift decoder for JSON input in strict mode: lengths count Unicode scalars,
    /// trimmed strings are checked after trimming (through an anchored pattern), optional and defaulted
    /// fields accept `null`, patterns must match the whole string, unknown fields follow the policy.
    ///
    /// ```swift
    /// try searchSchema.descriptor.jsonSchema().write(to: url, atomically: true, encoding: .utf8)
    /// ```
    public func jsonSchema() -> String {
        var document: [(String, OrderedJSON)] = [("$schema", .string("https://json-schema.org/draft/2020-12/schema"))]
        document.append(contentsOf: self.objectSchema(nil))
        return OrderedJSON.object(document).printed() + "\n"
    }

    /// The object's JSON Schema members; nested named shapes go to `components` as `$ref`s, or inline without.
    package func objectSchema(_ components: SchemaComponents?) -> [(String, OrderedJSON)] {
        var members: [(String, OrderedJSON)] = [("title", .string(self.name))]
        if let description { members.append(("description", .string(description))) }
        members.append(("type", .string("object")))
        members.append(("properties", .object(self.fields.map { ($0.name, $0.jsonSchema(components)) })))
        let required = self.fields.filter { $0.presence == .required }.map { OrderedJSON.string($0.name) }
        if !required.isEmpty { members.append(("required", .array(required))) }
        if self.unknownFields == .reject { members.append(("additionalProperties", .bool(false))) }
        return members
    }
}

extension FieldDescriptor {
    package func jsonSchema(_ components: SchemaComponents?) -> OrderedJSON {
        var members = self.type.jsonSchema(components)
        if self.presence != .required {
            if let index = members.firstIndex(where: { $0.0 == "type" }), case .string(let type) = members[index].1 {
                members[index].1 = .array([.string(type), .string("null")])
            } else {
                // A `$ref` or a union: null as the other alternative.
                members = [("anyOf", .array([.object(members), .object([("type", .string("null"))])]))]
            }
        }
        if let description { members.insert(("description", .string(description)), at: 0) }
        if case .defaultValue(let value) = self.presence { members.append(("default", OrderedJSON(value))) }
        return .object(members)
    }
}

/// Collects the named shapes (objects, unions) of an OpenAPI document's `components.schemas`, each written once and
/// referred to by `$ref`; two different shapes with one name get distinct names (`Name`, `Name2`).
package final class SchemaComponents {
    /// The components, in first-seen order.
    package private(set) var schemas: [(name: String, schema: OrderedJSON)] = []
    private var names = ShapeNames()
    private let prefix: String

    /// - Parameter prefix: what a `$ref` puts before a name (`#/components/schemas/`).
    package init(prefix: String = "#/components/schemas/") { self.prefix = prefix }

    /// A `$ref` to `schema`, written into the components on first use.
    package func reference(to schema: SchemaDescriptor) -> [(String, OrderedJSON)] {
        self.reference(.object(schema), preferredName: schema.name) { OrderedJSON.object(schema.objectSchema(self)) }
    }

    /// A `$ref` to `union`: `oneOf` its tagged variants (each a component) with OpenAPI's `discriminator` mapping.
    package func reference(to union: UnionDescriptor) -> [(String, OrderedJSON)] {
        self.reference(.union(union), preferredName: union.name) { () -> OrderedJSON in
            var refs: [OrderedJSON] = []
            var mapping: [(String, OrderedJSON)] = []
            for (variant, tagged) in zip(union.variants, union.taggedVariants) {
                let ref = self.reference(to: tagged)
                refs.append(.object(ref))
                if case .string(let target) = ref[0].1 { mapping.append((variant.tag, .string(target))) }
            }
            var members: [(String, OrderedJSON)] = [("title", .string(union.name))]
            if let description = union.description { members.append(("description", .string(description))) }
            members.append(("oneOf", .array(refs)))
            members.append(("discriminator", .object([("propertyName", .string(union.discriminator)), ("mapping", .object(mapping))])))
            return .object(members)
        }
    }

    private func reference(_ key: ShapeNames.Shape, preferredName: String, build: () -> OrderedJSON) -> [(String, OrderedJSON)] {
        let (name, isNew) = self.names.name(for: key, preferred: preferredName)
        if isNew {
            let index = self.schemas.count
            self.schemas.append((name, .null))  // reserved first: a shape may refer to itself
            self.schemas[index].schema = build()
        }
        return [("$ref", .string(self.prefix + name))]
    }
}

/// Names for the TypeScript declarations of named shapes: a schema's own name, and `Name2`, `Name3` for different
/// shapes that share one (as ``SchemaComponents`` names OpenAPI components).
package final class TypeScriptNames {
    private var names = ShapeNames()

    package init() {}

    /// The name of `schema`'s interface.
    package func name(for schema: SchemaDescriptor) -> String { self.names.name(for: .object(schema), preferred: schema.name).name }

    /// The name of `union`'s type.
    package func name(for union: UnionDescriptor) -> String { self.names.name(for: .union(union), preferred: union.name).name }
}

/// One name per distinct shape: its own when free, else `Name2`, `Name3`, … in the order shapes are met.
struct ShapeNames {
    enum Shape: Hashable {
        case object(SchemaDescriptor)
        case union(UnionDescriptor)
    }

    private var names: [Shape: String] = [:]
    private var taken: Set<String> = []

    /// The shape's name, and whether this call gave it.
    mutating func name(for shape: Shape, preferred: String) -> (name: String, isNew: Bool) {
        if let name = self.names[shape] { return (name, false) }
        var name = preferred
        var counter = 2
        while self.taken.contains(name) {
            name = "\(preferred)\(counter)"
            counter += 1
        }
        self.names[shape] = name
        self.taken.insert(name)
        return (name, true)
    }
}

extension TypeDescriptor {
    /// The JSON Schema members for this shape; named shapes as `$ref`s into `components` when given.
    package func jsonSchema(_ components: SchemaComponents?) -> [(String, OrderedJSON)] {
        switch self {
        case .string(let rules):
            var members: [(String, OrderedJSON)] = [("type", .string("string"))]
            var patterns: [String] = []
            if rules.trimmed {
                if rules.minLength != nil || rules.maxLength != nil {
                    // Length after trimming: the content between the outer white space, first and last
                    // characters not white space, counted by the quantifier.
                    let lower = max(rules.minLength ?? 0, 1)
                    let upper = rules.maxLength.map(String.init) ?? ""
                    let content = "(?=\\S)[\\s\\S]{\(lower),\(upper)}(?<=\\S)"
                    patterns.append((rules.minLength ?? 0) == 0 ? "^\\s*(?:\(content))?\\s*$" : "^\\s*\(content)\\s*$")
                }
                if let pattern = rules.pattern { patterns.append("^\\s*(?:\(pattern))\\s*$") }
            } else {
                if let minLength = rules.minLength { members.append(("minLength", .integer(Int64(minLength)))) }
                if let maxLength = rules.maxLength { members.append(("maxLength", .integer(Int64(maxLength)))) }
                if let pattern = rules.pattern { patterns.append("^(?:\(pattern))$") }
            }
            if patterns.count == 1 {
                members.append(("pattern", .string(patterns[0])))
            } else if patterns.count > 1 {
                members.append(("allOf", .array(patterns.map { .object([("pattern", .string($0))]) })))
            }
            if let oneOf = rules.oneOf { members.append(("enum", .array(oneOf.map { .string($0) }))) }
            if let format = rules.format { members.append(("format", .string(format.name))) }
            return members
        case .integer(let minimum, let maximum):
            // Unbounded means what a Swift `Int` holds: a larger JSON integer is a `type` issue when decoding, so the
            // schema says so too (a client generating valid input must not send 2^70).
            return [
                ("type", .string("integer")), ("minimum", .integer(Int64(minimum ?? Int.min))),
                ("maximum", .integer(Int64(maximum ?? Int.max))),
            ]
        case .number(let minimum, let maximum):
            var members: [(String, OrderedJSON)] = [("type", .string("number"))]
            if let minimum { members.append(("minimum", .number(minimum))) }
            if let maximum { members.append(("maximum", .number(maximum))) }
            return members
        case .boolean:
            return [("type", .string("boolean"))]
        case .enumeration(let values):
            return [("type", .string("string")), ("enum", .array(values.map { .string($0) }))]
        case .dateTime:
            return [("type", .string("string")), ("format", .string("date-time"))]
        case .array(let element, let minItems, let maxItems):
            var members: [(String, OrderedJSON)] = [("type", .string("array")), ("items", .object(element.jsonSchema(components)))]
            if let minItems { members.append(("minItems", .integer(Int64(minItems)))) }
            if let maxItems { members.append(("maxItems", .integer(Int64(maxItems)))) }
            return members
        case .object(let schema):
            return components.map { $0.reference(to: schema) } ?? schema.objectSchema(nil)
        case .map(let element, let maxEntries):
            var members: [(String, OrderedJSON)] = [
                ("type", .string("object")), ("additionalProperties", .object(element.jsonSchema(components))),
            ]
            if let maxEntries { members.append(("maxProperties", .integer(Int64(maxEntries)))) }
            return members
        case .union(let union):
            if let components { return components.reference(to: union) }
            var members: [(String, OrderedJSON)] = [("title", .string(union.name))]
            if let description = union.description { members.append(("description", .string(description))) }
            members.append(("oneOf", .array(union.taggedVariants.map { .object($0.objectSchema(nil)) })))
            return members
        }
    }
}

/// TypeScript declarations for schemas: an `interface` per schema (nested ones included once).
///
/// ```swift
/// let source = TypeScriptDeclarations.render([searchSchema.descriptor])
/// ```
public enum TypeScriptDeclarations {
    /// The declarations for `schemas` and every schema nested in them, in first-seen order.
    public static func render(_ schemas: [SchemaDescriptor], header: String = "Generated from the Swift schemas. Do not edit.") -> String {
        "// \(header)\n" + self.declarations(for: schemas.map { .object($0) }, names: TypeScriptNames())
    }

    /// An `interface` per object and a `type` per union met in `types` (nested ones included), once each, in
    /// first-seen order, named by `names`.
    package static func declarations(for types: [TypeDescriptor], names: TypeScriptNames) -> String {
        var declared: Set<String> = []
        var output: [String] = []
        func collect(_ type: TypeDescriptor) {
            switch type {
            case .object(let schema):
                guard declared.insert(names.name(for: schema)).inserted else { return }
                output.append(self.interface(schema, names))
                schema.fields.forEach { collect($0.type) }
            case .union(let union):
                guard declared.insert(names.name(for: union)).inserted else { return }
                output.append(self.unionType(union, names))
                union.taggedVariants.forEach { collect(.object($0)) }
            case .array(let element, _, _), .map(let element, _):
                collect(element)
            case .string, .integer, .number, .boolean, .enumeration, .dateTime:
                break
            }
        }
        types.forEach(collect)
        return output.joined()
    }

    static func unionType(_ union: UnionDescriptor, _ names: TypeScriptNames) -> String {
        var lines = [""]
        let notes = [union.description].compactMap { $0 } + ["Tagged by `\(union.discriminator)`."]
        lines.append(contentsOf: self.comment(notes, indent: ""))
        let variants = union.taggedVariants.map { names.name(for: $0) }.joined(separator: " | ")
        lines.append("export type \(names.name(for: union)) = \(variants);")
        return lines.joined(separator: "\n") + "\n"
    }

    static func interface(_ schema: SchemaDescriptor, _ names: TypeScriptNames) -> String {
        var lines = [""]
        lines.append(contentsOf: self.comment([schema.description].compactMap { $0 }, indent: ""))
        lines.append("export interface \(names.name(for: schema)) {")
        for field in schema.fields {
            var notes: [String] = []
            if let description = field.description { notes.append(description) }
            notes.append(contentsOf: self.constraints(field.type))
            if case .defaultValue(let value) = field.presence { notes.append("@default \(OrderedJSON(value).printed())") }
            lines.append(contentsOf: self.comment(notes, indent: "  "))
            let optional = field.presence == .required ? "" : "?"
            lines.append("  \(self.propertyName(field.name))\(optional): \(self.typeName(field.type, names));")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The TypeScript type for `type`, named shapes by `names`.
    package static func typeName(_ type: TypeDescriptor, _ names: TypeScriptNames) -> String {
        switch type {
        case .string(let rules): rules.oneOf.map(self.literalUnion) ?? "string"
        case .integer, .number: "number"
        case .boolean: "boolean"
        case .enumeration(let values): self.literalUnion(values)
        case .dateTime: "string"
        case .array(let element, _, _):
            switch element {
            case .string(let rules) where rules.oneOf != nil: "Array<\(self.typeName(element, names))>"
            case .enumeration, .union: "Array<\(self.typeName(element, names))>"
            default: "\(self.typeName(element, names))[]"
            }
        case .object(let schema): names.name(for: schema)
        case .union(let union): names.name(for: union)
        case .map(let element, _): "Record<string, \(self.typeName(element, names))>"
        }
    }

    package static func literalUnion(_ values: [String]) -> String {
        values.map { OrderedJSON.quoted($0) }.joined(separator: " | ")
    }

    static func constraints(_ type: TypeDescriptor) -> [String] {
        switch type {
        case .string(let rules):
            var notes: [String] = []
            if let minLength = rules.minLength { notes.append("@minLength \(minLength)") }
            if let maxLength = rules.maxLength { notes.append("@maxLength \(maxLength)") }
            if let pattern = rules.pattern { notes.append("@pattern \(pattern)") }
            if let format = rules.format { notes.append("@format \(format.name)") }
            if rules.trimmed { notes.append("Surrounding white space is trimmed before the checks.") }
            return notes
        case .integer(let minimum, let maximum):
            return ["@integer"] + [minimum.map { "@minimum \($0)" }, maximum.map { "@maximum \($0)" }].compactMap { $0 }
        case .number(let minimum, let maximum):
            return [minimum.map { "@minimum \($0)" }, maximum.map { "@maximum \($0)" }].compactMap { $0 }
        case .dateTime:
            return ["@format date-time (RFC 3339)"]
        case .array(_, let minItems, let maxItems):
            return [minItems.map { "@minItems \($0)" }, maxItems.map { "@maxItems \($0)" }].compactMap { $0 }
        case .map(_, let maxEntries):
            return [maxEntries.map { "@maxProperties \($0)" }].compactMap { $0 }
        case .boolean, .enumeration, .object, .union:
            return []
        }
    }

    package static func comment(_ notes: [String], indent: String) -> [String] {
        guard !notes.isEmpty else { return [] }
        let safe = notes.map { $0.replacingOccurrences(of: "*/", with: "*\\/") }
        if safe.count == 1 { return ["\(indent)/** \(safe[0]) */"] }
        return ["\(indent)/**"] + safe.map { "\(indent) * \($0)" } + ["\(indent) */"]
    }

    package static func propertyName(_ name: String) -> String {
        let identifier = name.unicodeScalars.allSatisfy {
            $0 == "_" || $0 == "$" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
        }
        return identifier && !(name.first?.isNumber ?? true) ? name : OrderedJSON.quoted(name)
    }
}
