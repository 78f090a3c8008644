public import Foundation

/// A type whose input contract is a ``Schema`` of itself: what `@Contract` (product `ValidationMacros`) declares
/// from the type's own stored properties, or what you write by hand.
///
/// ```swift
/// @Contract
/// struct NewNote: Codable {
///     /// 1–100 characters.
///     @Field(.string(minLength: 1, maxLength: 100, trimmed: true)) var title: String
///     var tags: [String] = []
/// }
/// let note = try NewNote.schema.decode(json: body)   // every problem collected
/// ```
public protocol Contract: Sendable {
    /// The type's schema: decoding with every problem collected, JSON Schema, TypeScript.
    static var schema: Schema<Self> { get }
}

extension FieldType {
    /// A nested contract's fields, as an object.
    public static func inferred(_ type: Value.Type) -> FieldType<Value> where Value: Contract { .object(Value.schema) }

    /// One of a string enumeration's raw values.
    public static func inferred(_ type: Value.Type) -> FieldType<Value>
    where Value: RawRepresentable & CaseIterable, Value.RawValue == String { .oneOf(Value.self) }
}

extension FieldType where Value == String {
    /// Any string.
    public static func inferred(_ type: String.Type) -> FieldType<String> { .string() }
}

extension FieldType where Value == Int {
    /// Any integer.
    public static func inferred(_ type: Int.Type) -> FieldType<Int> { .integer() }
}

extension FieldType where Value == Double {
    /// Any number.
    public static func inferred(_ type: Double.Type) -> FieldType<Double> { .number() }
}

extension FieldType where Value == Bool {
    /// A boolean.
    public static func inferred(_ type: Bool.Type) -> FieldType<Bool> { .boolean }
}

extension FieldType where Value == Date {
    /// An RFC 3339 date-time.
    public static func inferred(_ type: Date.Type) -> FieldType<Date> { .dateTime }
}
