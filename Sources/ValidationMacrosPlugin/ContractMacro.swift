import Foundation
import SwiftCompilerPlugin
import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxBuilder
import SwiftSyntaxMacros

/// `@Contract`: a `Schema<Self>` (and `CodingKeys` with the wire names) from a struct's stored properties.
///
/// For each stored `var` (and each `let` without an initial value), in order:
/// - the wire name is `@Field("name", …)`'s or the property's;
/// - the rule is `@Field(rule)`'s, or inferred from the type (`String`, `Int`, `Double`, `Bool`, `Date`, arrays of
///   them, and `.inferred(T.self)` for other types: nested contracts and string enumerations);
/// - `T?` is an optional field, a property with an initial value a field with that default (`[]`: optional on the
///   wire, empty when absent);
/// - the description is `@Field(description:)` or the property's `///` comment.
/// The schema makes values with the memberwise initializer.
struct ContractMacro: MemberMacro, ExtensionMacro {
    static func expansion(
        of node: AttributeSyntax,
        providingMembersOf declaration: some DeclGroupSyntax,
        conformingTo protocols: [TypeSyntax],
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        let properties = try Self.properties(of: declaration, node: node)
        let declaresCodingKeys = declaration.memberBlock.members.contains { member in
            if let enumDecl = member.decl.as(EnumDeclSyntax.self) { return enumDecl.name.text == "CodingKeys" }
            if let alias = member.decl.as(TypeAliasDeclSyntax.self) { return alias.name.text == "CodingKeys" }
            return false
        }
        guard !declaresCodingKeys else { return [] }
        let cases = properties.map { property in
            property.wireName == property.name ? "case \(property.name)" : "case \(property.name) = \(Self.literal(property.wireName))"
        }
        return ["enum CodingKeys: String, CodingKey {\n\(raw: cases.joined(separator: "\n"))\n}"]
    }

    static func expansion(
        of node: AttributeSyntax,
        attachedTo declaration: some DeclGroupSyntax,
        providingExtensionsOf type: some TypeSyntaxProtocol,
        conformingTo protocols: [TypeSyntax],
        in context: some MacroExpansionContext
    ) throws -> [ExtensionDeclSyntax] {
        let properties = try Self.properties(of: declaration, node: node)
        let typeName = type.trimmedDescription
        var name = typeName
        var description = Self.documentation(declaration.leadingTrivia)
        for argument in node.arguments?.as(LabeledExprListSyntax.self) ?? [] {
            if argument.label == nil, let text = Self.stringLiteral(argument.expression) { name = text }
            if argument.label?.text == "description" { description = argument.expression.trimmedDescription }
        }
        var lines: [String] = []
        for property in properties {
            let describe = property.description.map { ", description: \($0)" } ?? ""
            if property.defaultValue == "[]" {
                // An empty list needs no JSON form of its elements: optional on the wire, `[]` when absent.
                lines.append("let \(property.name) = s.optional(\(Self.literal(property.wireName)), \(property.rule)\(describe))")
            } else if property.isOptional {
                lines.append("let \(property.name) = s.optional(\(Self.literal(property.wireName)), \(property.rule)\(describe))")
            } else if let value = property.defaultValue {
                lines.append(
                    "let \(property.name) = s.field(\(Self.literal(property.wireName)), \(property.rule), default: \(value)\(describe))"
                )
            } else {
                lines.append("let \(property.name) = s.field(\(Self.literal(property.wireName)), \(property.rule)\(describe))")
            }
        }
        let arguments = properties.map {
            $0.defaultValue == "[]" ? "\($0.name): values[\($0.name)] ?? []" : "\($0.name): values[\($0.name)]"
        }
        .joined(separator: ", ")
        let descriptionArgument = description.map { ", description: \($0)" } ?? ""
        let conformance = protocols.isEmpty ? "" : ": Validation.Contract"
        // `schema` is as visible as the type (a `public` DTO in a library target must expose its conformance), and
        // built once: a stored `static let`, except in a generic type, where Swift has no stored static properties.
        let access = Self.accessLevel(of: declaration).map { $0 + " " } ?? ""
        let isGeneric = declaration.as(StructDeclSyntax.self)?.genericParameterClause != nil
        let builder = """
            Validation.Schema<\(typeName)>(\(Self.literal(name))\(descriptionArgument)) { s in
                \(lines.joined(separator: "\n"))
                return { values in \(typeName)(\(arguments)) }
            }
            """
        let member =
            isGeneric
            ? "\(access)static var schema: Validation.Schema<\(typeName)> {\n\(builder)\n}"
            : "\(access)static let schema: Validation.Schema<\(typeName)> = \(builder)"
        let source: DeclSyntax = """
            extension \(raw: typeName)\(raw: conformance) {
                /// The contract declared by the stored properties (`@Contract`).
                \(raw: member)
            }
            """
        return [source.cast(ExtensionDeclSyntax.self)]
    }

    /// The type's access level when other code must see its members by it: `public` or `package` (an internal,
    /// file-private or private type's members get the default, which the type already caps).
    static func accessLevel(of declaration: some DeclGroupSyntax) -> String? {
        for modifier in declaration.modifiers {
            switch modifier.name.tokenKind {
            case .keyword(.public), .keyword(.open): return "public"
            case .keyword(.package): return "package"
            default: continue
            }
        }
        return nil
    }

    struct Property {
        let name: String
        let wireName: String
        let rule: String
        let isOptional: Bool
        let defaultValue: String?
        let description: String?
    }

    static func properties(of declaration: some DeclGroupSyntax, node: AttributeSyntax) throws -> [Property] {
        guard declaration.is(StructDeclSyntax.self) else {
            throw MacroExpansionErrorMessage("@Contract applies to a struct")
        }
        var properties: [Property] = []
        for member in declaration.memberBlock.members {
            guard let variable = member.decl.as(VariableDeclSyntax.self) else { continue }
            if variable.modifiers.contains(where: { $0.name.tokenKind == .keyword(.static) || $0.name.tokenKind == .keyword(.class) }) {
                continue
            }
            let isLet = variable.bindingSpecifier.tokenKind == .keyword(.let)
            for binding in variable.bindings {
                guard binding.accessorBlock == nil, let identifier = binding.pattern.as(IdentifierPatternSyntax.self) else { continue }
                // A `let` with a value is not set by the memberwise initializer: not part of the contract.
                if isLet && binding.initializer != nil { continue }
                guard let type = binding.typeAnnotation?.type else {
                    throw MacroExpansionErrorMessage("@Contract needs the type of '\(identifier.identifier.text)' written out")
                }
                let name = identifier.identifier.trimmedDescription
                var wireName = name.hasPrefix("`") ? String(name.dropFirst().dropLast()) : name
                var rule: String?
                var description = Self.documentation(variable.leadingTrivia)
                for attribute in variable.attributes {
                    guard let attribute = attribute.as(AttributeSyntax.self), attribute.attributeName.trimmedDescription == "Field" else {
                        continue
                    }
                    for argument in attribute.arguments?.as(LabeledExprListSyntax.self) ?? [] {
                        if argument.label?.text == "description" {
                            description = argument.expression.trimmedDescription
                        } else if argument.label == nil, let text = Self.stringLiteral(argument.expression) {
                            wireName = text
                        } else if argument.label == nil {
                            rule = argument.expression.trimmedDescription
                        }
                    }
                }
                let (isOptional, wrapped) = Self.unwrapOptional(type)
                properties.append(
                    Property(
                        name: name,
                        wireName: wireName,
                        rule: rule ?? Self.inferredRule(wrapped),
                        isOptional: isOptional,
                        defaultValue: isOptional ? nil : binding.initializer?.value.trimmedDescription,
                        description: description
                    )
                )
            }
        }
        return properties
    }

    /// `T?` and `Optional<T>`: (true, T).
    static func unwrapOptional(_ type: TypeSyntax) -> (Bool, TypeSyntax) {
        if let optional = type.as(OptionalTypeSyntax.self) { return (true, optional.wrappedType) }
        if let implicit = type.as(ImplicitlyUnwrappedOptionalTypeSyntax.self) { return (true, implicit.wrappedType) }
        if let identifier = type.as(IdentifierTypeSyntax.self), identifier.name.text == "Optional",
            let argument = identifier.genericArgumentClause?.arguments.first
        {
            return (true, TypeSyntax(fromProtocol: argument.argument.as(TypeSyntax.self) ?? type))
        }
        return (false, type)
    }

    /// The rule for a type written out: built-in scalars by name, arrays element-wise, `.inferred(T.self)` else.
    static func inferredRule(_ type: TypeSyntax) -> String {
        if let array = type.as(ArrayTypeSyntax.self) { return ".array(\(Self.inferredRule(array.element)))" }
        switch type.trimmedDescription {
        case "String", "Swift.String": return ".string()"
        case "Int", "Swift.Int": return ".integer()"
        case "Double", "Swift.Double": return ".number()"
        case "Bool", "Swift.Bool": return ".boolean"
        case "Date", "Foundation.Date": return ".dateTime"
        default: return ".inferred(\(type.trimmedDescription).self)"
        }
    }

    /// The text of a plain string literal.
    static func stringLiteral(_ expression: ExprSyntax) -> String? {
        guard let literal = expression.as(StringLiteralExprSyntax.self), literal.segments.count == 1,
            let segment = literal.segments.first?.as(StringSegmentSyntax.self)
        else { return nil }
        return segment.content.text
    }

    /// `text` as a Swift string literal.
    static func literal(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return "\"" + escaped + "\""
    }

    /// The `///` lines before a declaration, joined, as a string literal; `nil` when there are none.
    static func documentation(_ trivia: Trivia) -> String? {
        var lines: [String] = []
        for piece in trivia {
            if case .docLineComment(let text) = piece {
                lines.append(String(text.dropFirst(3)).trimmingCharacters(in: .whitespaces))
            }
        }
        return lines.isEmpty ? nil : Self.literal(lines.joined(separator: " "))
    }
}

/// `@Field`: read by `@Contract`; adds nothing itself.
struct FieldMacro: PeerMacro {
    static func expansion(
        of node: AttributeSyntax,
        providingPeersOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        []
    }
}

@main
struct ValidationMacrosPlugin: CompilerPlugin {
    let providingMacros: [any Macro.Type] = [ContractMacro.self, FieldMacro.self]
}
