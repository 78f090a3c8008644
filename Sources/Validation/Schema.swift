/// An input contract declared once: wire names, types, defaults, constraints and descriptions.
///
/// The same declaration decodes query strings, form bodies and JSON — collecting every problem before
/// failing — and exports JSON Schema and TypeScript, so browsers and other services share the contract.
///
/// ```swift
/// struct SearchInput: Sendable { var query: String; var maxResults: Int }
///
/// let searchSchema = Schema<SearchInput>("SearchSchema", description: "A search request") { s in
///     let query = s.field("query", .string(minLength: 1, maxLength: 200, trimmed: true), description: "What to search for")
///     let maxResults = s.field("max_results", .integer(1...100), default: 10, description: "How many results")
///     return { values in SearchInput(query: values[query], maxResults: values[maxResults]) }
/// }
///
/// let input = try searchSchema.decode(pairs: [("query", "swift"), ("max_results", "5")])
/// ```
public struct Schema<Output: Sendable>: Sendable {
    /// The declaration, for exports.
    public let descriptor: SchemaDescriptor
    let fields: [SchemaBuilder.Field]
    let make: @Sendable (FieldValues) -> Output

    /// Declares a schema.
    /// - Parameters:
    ///   - name: the contract's name (TypeScript interface, JSON Schema title).
    ///   - description: documentation carried into the exports.
    ///   - unknownFields: ignore (default) or reject fields the schema does not declare.
    ///   - declare: declares the fields on the builder and returns how to make `Output` from their values.
    public init(
        _ name: String,
        description: String? = nil,
        unknownFields: UnknownFields = .ignore,
        _ declare: (inout SchemaBuilder) -> @Sendable (FieldValues) -> Output
    ) {
        var builder = SchemaBuilder()
        self.make = declare(&builder)
        self.fields = builder.fields
        self.descriptor = SchemaDescriptor(
            name: name,
            description: description,
            fields: builder.fields.map(\.descriptor),
            unknownFields: unknownFields
        )
    }

    /// Decodes JSON bytes.
    /// - Parameter strict: when `false`, strings are coerced to numbers and booleans as for query input.
    /// - Throws: ``ValidationError`` with every problem (or `invalid_json`).
    public func decode(json bytes: some Collection<UInt8>, strict: Bool = true) throws(ValidationError) -> Output {
        try self.decode(json: try JSONValue.parse(bytes), strict: strict)
    }

    /// Decodes a parsed JSON value.
    /// - Throws: ``ValidationError`` with every problem.
    public func decode(json value: JSONValue, strict: Bool = true) throws(ValidationError) -> Output {
        guard case .object(let members) = value else {
            throw ValidationError(issues: [ValidationIssue(loc: [], code: .type, message: "Expected a JSON object, got \(value.typeName)")])
        }
        var issues: [ValidationIssue] = []
        let output = self.read(members.mapValues { .json($0) }, at: [], mode: DecodingMode(lenient: !strict), issues: &issues)
        guard let output, issues.isEmpty else { throw ValidationError(issues: issues) }
        return output
    }

    /// Decodes name/value pairs from a query string or an `application/x-www-form-urlencoded` body
    /// (already percent-decoded). Values are coerced leniently; a repeated name is an array; an empty value of an
    /// optional or defaulted field counts as absent (`?tag=&q=` from a form left blank is two absent fields).
    /// - Throws: ``ValidationError`` with every problem.
    public func decode(pairs: some Sequence<(String, String)>) throws(ValidationError) -> Output {
        var grouped: [String: [String]] = [:]
        for (name, value) in pairs { grouped[name, default: []].append(value) }
        var issues: [ValidationIssue] = []
        let output = self.read(
            grouped.mapValues { .strings($0) },
            at: [],
            mode: DecodingMode(lenient: true, emptyIsAbsent: true),
            issues: &issues
        )
        guard let output, issues.isEmpty else { throw ValidationError(issues: issues) }
        return output
    }

    /// Reads an object's members, appending every problem to `issues`; `nil` when there was one.
    func read(_ members: [String: Input], at loc: [PathComponent], mode: DecodingMode, issues: inout [ValidationIssue]) -> Output? {
        let before = issues.count
        var values: [any Sendable] = []
        values.reserveCapacity(self.fields.count)
        for field in self.fields {
            let fieldLoc = loc + [.key(field.descriptor.name)]
            if let input = members[field.descriptor.name], !field.isNull(input), !field.isBlank(input, mode) {
                values.append(field.read(input, fieldLoc, mode, &issues) ?? Placeholder())
            } else if let fallback = field.absent {
                values.append(fallback)
            } else {
                issues.append(ValidationIssue(loc: fieldLoc, code: .missing, message: "Field required"))
                values.append(Placeholder())
            }
        }
        if self.descriptor.unknownFields == .reject {
            let known = Set(self.fields.map(\.descriptor.name))
            for name in members.keys.sorted() where !known.contains(name) {
                issues.append(ValidationIssue(loc: loc + [.key(name)], code: .unknownField, message: "Unknown field"))
            }
        }
        guard issues.count == before else { return nil }
        return self.make(FieldValues(values: values))
    }
}

/// Stands in for a value that failed; never read, because `make` only runs without issues.
private struct Placeholder: Sendable {}

/// A typed handle to a declared field, used to read its value in a schema's `make` closure.
public struct FieldKey<Value: Sendable>: Sendable {
    let index: Int
}

/// The validated values of a schema's fields.
public struct FieldValues: Sendable {
    let values: [any Sendable]

    /// The value of `key`'s field.
    public subscript<Value>(_ key: FieldKey<Value>) -> Value {
        self.values[key.index] as! Value
    }
}

/// Declares the fields of a ``Schema``.
public struct SchemaBuilder: Sendable {
    struct Field: Sendable {
        let descriptor: FieldDescriptor
        /// The value when the field is absent (the default, or `nil` for optional fields); `nil` when required.
        let absent: (any Sendable)?
        let nullable: Bool
        let read: @Sendable (Input, [PathComponent], DecodingMode, inout [ValidationIssue]) -> (any Sendable)?

        /// JSON `null` counts as absent for optional and defaulted fields.
        func isNull(_ input: Input) -> Bool {
            if case .json(.null) = input { return self.nullable }
            return false
        }

        /// In a query string or form, empty values count as absent for optional and defaulted fields.
        func isBlank(_ input: Input, _ mode: DecodingMode) -> Bool {
            guard mode.emptyIsAbsent, self.absent != nil, case .strings(let values) = input else { return false }
            return values.allSatisfy(\.isEmpty)
        }
    }

    var fields: [Field] = []

    /// A required field.
    public mutating func field<Value>(_ name: String, _ type: FieldType<Value>, description: String? = nil) -> FieldKey<Value> {
        self.add(name, type, presence: .required, absent: nil, description: description) { $0 }
    }

    /// A field that takes `defaultValue` when absent (or JSON `null`).
    public mutating func field<Value: JSONRepresentable>(
        _ name: String,
        _ type: FieldType<Value>,
        default defaultValue: Value,
        description: String? = nil
    ) -> FieldKey<Value> {
        self.add(name, type, presence: .defaultValue(defaultValue.jsonValue), absent: defaultValue, description: description) { $0 }
    }

    /// An optional field: `nil` when absent (or JSON `null`).
    public mutating func optional<Value>(_ name: String, _ type: FieldType<Value>, description: String? = nil) -> FieldKey<Value?> {
        // Boxed explicitly: `Value?.none` passed as `(any Sendable)?` would collapse to `nil` ("required").
        let none: any Sendable = Value?.none
        return self.add(name, type, presence: .optional, absent: none, description: description) { Optional($0) }
    }

    private mutating func add<Value, Stored>(
        _ name: String,
        _ type: FieldType<Value>,
        presence: Presence,
        absent: (any Sendable)?,
        description: String?,
        wrap: @escaping @Sendable (Value) -> Stored
    ) -> FieldKey<Stored> {
        let read = type.read
        self.fields.append(
            Field(
                descriptor: FieldDescriptor(name: name, type: type.descriptor, presence: presence, description: description),
                absent: absent,
                nullable: absent != nil,
                read: { input, loc, mode, issues in read(input, loc, mode, &issues).map { wrap($0) as any Sendable } }
            )
        )
        return FieldKey(index: self.fields.count - 1)
    }
}

/// A value that can be written as a JSON default in the exports.
public protocol JSONRepresentable: Sendable {
    /// The value as JSON.
    var jsonValue: JSONValue { get }
}

extension String: JSONRepresentable { public var jsonValue: JSONValue { .string(self) } }
extension Int: JSONRepresentable { public var jsonValue: JSONValue { .integer(Int64(self)) } }
extension Double: JSONRepresentable { public var jsonValue: JSONValue { .number(self) } }
extension Bool: JSONRepresentable { public var jsonValue: JSONValue { .bool(self) } }
extension Array: JSONRepresentable where Element: JSONRepresentable {
    public var jsonValue: JSONValue { .array(self.map(\.jsonValue)) }
}
extension RawRepresentable where Self: JSONRepresentable, RawValue == String {
    public var jsonValue: JSONValue { .string(self.rawValue) }
}
