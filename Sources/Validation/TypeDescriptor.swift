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
    public var format: StringFormat? = nil
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
