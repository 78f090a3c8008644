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
        document.append(contentsOf: self.objectSchema())
        return OrderedJSON.object(document).printed() + "\n"
    }

    func objectSchema() -> [(String, OrderedJSON)] {
        var members: [(String, OrderedJSON)] = [("title", .string(self.name))]
        if let description { members.append(("description", .string(description))) }
        members.append(("type", .string("object")))
        members.append(("properties", .object(self.fields.map { ($0.name, $0.jsonSchema()) })))
        let required = self.fields.filter { $0.presence == .required }.map { OrderedJSON.string($0.name) }
        if !required.isEmpty { members.append(("required", .array(required))) }
        if self.unknownFields == .reject { members.append(("additionalProperties", .bool(false))) }
        return members
    }
}

extension FieldDescriptor {
    func jsonSchema() -> OrderedJSON {
        var members = self.type.jsonSchema()
        if self.presence != .required, let index = members.firstIndex(where: { $0.0 == "type" }), case .string(let type) = members[index].1
        {
            members[index].1 = .array([.string(type), .string("null")])
        }
        if let description { members.insert(("description", .string(description)), at: 0) }
        if case .defaultValue(let value) = self.presence { members.append(("default", OrderedJSON(value))) }
        return .object(members)
    }
}

extension TypeDescriptor {
    func jsonSchema() -> [(String, OrderedJSON)] {
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
            var members: [(String, OrderedJSON)] = [("type", .string("integer"))]
            if let minimum { members.append(("minimum", .integer(Int64(minimum)))) }
            if let maximum { members.append(("maximum", .integer(Int64(maximum)))) }
            return members
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
            var members: [(String, OrderedJSON)] = [("type", .string("array")), ("items", .object(element.jsonSchema()))]
            if let minItems { members.append(("minItems", .integer(Int64(minItems)))) }
            if let maxItems { members.append(("maxItems", .integer(Int64(maxItems)))) }
            return members
        case .object(let schema):
            return schema.objectSchema()
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
        var ordered: [SchemaDescriptor] = []
        func collect(_ schema: SchemaDescriptor) {
            guard !ordered.contains(where: { $0.name == schema.name }) else { return }
            ordered.append(schema)
            for field in schema.fields { collectNested(field.type) }
        }
        func collectNested(_ type: TypeDescriptor) {
            switch type {
            case .object(let nested): collect(nested)
            case .array(let element, _, _): collectNested(element)
            default: break
            }
        }
        schemas.forEach(collect)
        return "// \(header)\n" + ordered.map(self.interface).joined()
    }

    static func interface(_ schema: SchemaDescriptor) -> String {
        var lines = [""]
        lines.append(contentsOf: self.comment([schema.description].compactMap { $0 }, indent: ""))
        lines.append("export interface \(schema.name) {")
        for field in schema.fields {
            var notes: [String] = []
            if let description = field.description { notes.append(description) }
            notes.append(contentsOf: self.constraints(field.type))
            if case .defaultValue(let value) = field.presence { notes.append("@default \(OrderedJSON(value).printed())") }
            lines.append(contentsOf: self.comment(notes, indent: "  "))
            let optional = field.presence == .required ? "" : "?"
            lines.append("  \(self.propertyName(field.name))\(optional): \(self.typeName(field.type));")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    static func typeName(_ type: TypeDescriptor) -> String {
        switch type {
        case .string(let rules): rules.oneOf.map(self.literalUnion) ?? "string"
        case .integer, .number: "number"
        case .boolean: "boolean"
        case .enumeration(let values): self.literalUnion(values)
        case .dateTime: "string"
        case .array(let element, _, _):
            switch element {
            case .string(let rules) where rules.oneOf != nil: "Array<\(self.typeName(element))>"
            case .enumeration: "Array<\(self.typeName(element))>"
            default: "\(self.typeName(element))[]"
            }
        case .object(let schema): schema.name
        }
    }

    static func literalUnion(_ values: [String]) -> String {
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
        case .boolean, .enumeration, .object:
            return []
        }
    }

    static func comment(_ notes: [String], indent: String) -> [String] {
        guard !notes.isEmpty else { return [] }
        let safe = notes.map { $0.replacingOccurrences(of: "*/", with: "*\\/") }
        if safe.count == 1 { return ["\(indent)/** \(safe[0]) */"] }
        return ["\(indent)/**"] + safe.map { "\(indent) * \($0)" } + ["\(indent) */"]
    }

    static func propertyName(_ name: String) -> String {
        let identifier = name.unicodeScalars.allSatisfy {
            $0 == "_" || $0 == "$" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
        }
        return identifier && !(name.first?.isNumber ?? true) ? name : OrderedJSON.quoted(name)
    }
}
