/// The shape of a value, as exported to JSON Schema and TypeScript.
public indirect enum TypeDescriptor: Sendable, Hashable {
    /// A string with its rules.
    case string(StringRules)
    /// An integer with optional bounds.
    case integer(minimum: Int?, maximum: Int?)
    /// A number with optional bounds.
    case number(minimum: Double?, maximum: Double?)
    /// A boolean.
    case boolean
    /// One of these strings.
    case enumeration([String])
    /// An RFC 3339 date-time string.
    case dateTime
    /// A list of elements with optional item counts.
    case array(TypeDescriptor, minItems: Int?, maxItems: Int?)
    /// A nested object.
    case object(SchemaDescriptor)
    /// A JSON object used as a dictionary: any string keys, each value of the element type.
    case map(TypeDescriptor, maxEntries: Int?)
    /// One of several object shapes, told apart by a string member (the discriminator).
    case union(UnionDescriptor)
}

/// A discriminated union, as exported: JSON Schema `oneOf` (OpenAPI adds its `discriminator` object), a TypeScript
/// union of tagged interfaces.
public struct UnionDescriptor: Sendable, Hashable {
    /// The union's name (TypeScript type, OpenAPI component).
    public var name: String
    /// Documentation carried into the exports.
    public var description: String?
    /// The member whose string value says which variant a value is (`"kind"`).
    public var discriminator: String
    /// The variants, in declaration order.
    public var variants: [UnionVariantDescriptor]

    /// Each variant's schema with the discriminator as its first, required field, fixed to the variant's tag: the
    /// shape on the wire.
    public var taggedVariants: [SchemaDescriptor] {
        self.variants.map { variant in
            var schema = variant.schema
            let tag = FieldDescriptor(
                name: self.discriminator,
                type: .string(StringRules(oneOf: [variant.tag], trimmed: false)),
                presence: .required,
                description: nil
            )
            schema.fields.removeAll { $0.name == self.discriminator }
            schema.fields.insert(tag, at: 0)
            return schema
        }
    }
}

/// One variant of a ``UnionDescriptor``: its tag and its fields.
public struct UnionVariantDescriptor: Sendable, Hashable {
    /// The discriminator's value for this variant.
    public var tag: String
    /// The variant's fields (without the discriminator).
    public var schema: SchemaDescriptor
}

/// Constraints on a string.
public struct StringRules: Sendable, Hashable {
    /// Fewest characters (Unicode scalars, as JSON Schema counts them).
    public var minLength: Int?
    /// Most characters.
    public var maxLength: Int?
    /// A regular expression the whole value must match (ECMA-262 subset: keep it simple and portable).
    public var pattern: String?
    /// Allowed values.
    public var oneOf: [String]?
    /// Whether surrounding white space is removed before the checks (and from the value).
    public var trimmed: Bool
    /// A named format the value must have (JSON Schema `format`).
    public var format: StringFormat?

    /// Rules for a string; none by default.
    public init(
        minLength: Int? = nil,
        maxLength: Int? = nil,
        pattern: String? = nil,
        oneOf: [String]? = nil,
        trimmed: Bool = false,
        format: StringFormat? = nil
    ) {
        self.minLength = minLength
        self.maxLength = maxLength
        self.pattern = pattern
        self.oneOf = oneOf
        self.trimmed = trimmed
        self.format = format
    }
}

/// Whether a field must be present.
public enum Presence: Sendable, Hashable {
    /// Must be present.
    case required
    /// May be absent (`nil`).
    case optional
    /// Absent means this value (as JSON, for exports).
    case defaultValue(JSONValue)
}

/// One field of a schema, as exported.
public struct FieldDescriptor: Sendable, Hashable {
    /// The wire name (`max_results`).
    public var name: String
    /// The value's type and constraints.
    public var type: TypeDescriptor
    /// Required, optional, or defaulted.
    public var presence: Presence
    /// Documentation carried into the exports.
    public var description: String?
}

/// What a schema does with fields it does not declare.
public enum UnknownFields: Sendable, Hashable {
    /// Ignore them (the default: clients may send more than a server knows).
    case ignore
    /// Report each as an `unknown_field` issue.
    case reject
}

/// A schema as exported: name, description and fields.
public struct SchemaDescriptor: Sendable, Hashable {
    /// The schema's name: the TypeScript interface and JSON Schema title.
    public var name: String
    /// Documentation carried into the exports.
    public var description: String?
    /// The fields in declaration order.
    public var fields: [FieldDescriptor]
    /// The unknown-field policy.
    public var unknownFields: UnknownFields
}
