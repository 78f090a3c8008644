@_exported public import Validation

/// Declares a struct's input (or output) contract once, in its own stored properties: a `Schema<Self>` (decoding
/// of query, form and JSON input with every problem collected; JSON Schema and TypeScript export) and
/// `CodingKeys` with the wire names, so `Codable` agrees with the schema.
///
/// ```swift
/// /// A note to add.
/// @Contract
/// struct NewNote: Codable {
///     /// 1–100 characters.
///     @Field(.string(minLength: 1, maxLength: 100, trimmed: true)) var title: String
///     var body: String = ""                                    // optional on the wire, "" when absent
///     @Field(.array(.string(minLength: 1), maxItems: 5)) var tags: [String] = []
///     @Field("max_results", .integer(1...100)) var maxResults: Int = 10
///     var due: Date?                                           // RFC 3339, optional
/// }
///
/// let note = try await request.decodeJSON(NewNote.schema)      // 422 with every problem
/// ```
///
/// Rules are inferred from types where `@Field` gives none (`String`, `Int`, `Double`, `Bool`, `Date`, arrays,
/// nested `@Contract` types, `String` enumerations that are `CaseIterable`); `T?` is optional; an initial value is
/// the default; `///` comments become descriptions. The struct keeps its memberwise initializer (the schema makes
/// values with it), so it declares no `init` of its own.
@attached(member, names: named(CodingKeys))
@attached(extension, conformances: Contract, names: named(schema))
public macro Contract(_ name: String? = nil, description: String? = nil) =
    #externalMacro(module: "ValidationMacrosPlugin", type: "ContractMacro")

/// A stored property's rule in a `@Contract` struct: its ``FieldType``, wire name and description.
@attached(peer)
public macro Field<Value>(_ name: String, _ rule: FieldType<Value>, description: String? = nil) =
    #externalMacro(module: "ValidationMacrosPlugin", type: "FieldMacro")

/// A stored property's rule in a `@Contract` struct: its ``FieldType`` and description.
@attached(peer)
public macro Field<Value>(_ rule: FieldType<Value>, description: String? = nil) =
    #externalMacro(module: "ValidationMacrosPlugin", type: "FieldMacro")

/// A stored property's wire name in a `@Contract` struct (the rule is inferred from its type).
@attached(peer)
public macro Field(_ name: String, description: String? = nil) =
    #externalMacro(module: "ValidationMacrosPlugin", type: "FieldMacro")
