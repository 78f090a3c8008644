public import Foundation

/// The type and constraints of a field, and how to read and check it.
///
/// ```swift
/// .string(minLength: 1, maxLength: 200, trimmed: true)
/// .integer(1...100)
/// .array(.string(maxLength: 30), maxItems: 10)
/// .oneOf(SortOrder.self)
/// .object(Address.schema)
/// ```
public struct FieldType<Value: Sendable>: Sendable {
    /// The shape, for exports.
    public let descriptor: TypeDescriptor
    let read: @Sendable (Input, [PathComponent], DecodingMode, inout [ValidationIssue]) -> Value?

    init(
        _ descriptor: TypeDescriptor,
        read: @escaping @Sendable (Input, [PathComponent], DecodingMode, inout [ValidationIssue]) -> Value?
    ) {
        self.descriptor = descriptor
        self.read = read
    }
}

/// The scalar behind an input, when there is exactly one.
private func scalar(_ input: Input, _ loc: [PathComponent], expected: String, _ issues: inout [ValidationIssue]) -> JSONValue? {
    switch input {
    case .json(let value):
        return value
    case .strings(let values):
        guard values.count == 1 else {
            issues.append(ValidationIssue(loc: loc, code: .type, message: "Expected a single \(expected), got \(values.count) values"))
            return nil
        }
        return .string(values[0])
    }
}

extension FieldType where Value == String {
    /// A string.
    /// - Parameters:
    ///   - minLength: fewest characters (after trimming when `trimmed`).
    ///   - maxLength: most characters.
    ///   - pattern: a regular expression the whole string must match.
    ///   - oneOf: the allowed values.
    ///   - trimmed: remove surrounding white space first (the value delivered is trimmed too).
    ///   - format: a named format the value must have (``StringFormat/email``, `.uuid`, `.uri`, `.date`).
    public static func string(
        minLength: Int? = nil,
        maxLength: Int? = nil,
        pattern: String? = nil,
        oneOf: [String]? = nil,
        trimmed: Bool = false,
        format: StringFormat? = nil
    ) -> FieldType<String> {
        let rules = StringRules(
            minLength: minLength,
            maxLength: maxLength,
            pattern: pattern,
            oneOf: oneOf,
            trimmed: trimmed,
            format: format
        )
        let regex = pattern.map { try! Regex("^(?:\($0))$") }
        nonisolated(unsafe) let compiled = regex  // Regex is immutable once built; only matched against.
        return FieldType(.string(rules)) { input, loc, _, issues in
            guard let value = scalar(input, loc, expected: "string", &issues) else { return nil }
            guard case .string(var string) = value else {
                issues.append(ValidationIssue(loc: loc, code: .type, message: "Expected a string, got \(value.typeName)"))
                return nil
            }
            if trimmed { string = string.trimmingCharacters(in: .whitespacesAndNewlines) }
            let length = string.unicodeScalars.count
            var valid = true
            if let minLength, length < minLength {
                let unit = minLength == 1 ? "character" : "characters"
                issues.append(ValidationIssue(loc: loc, code: .tooShort, message: "Must be at least \(minLength) \(unit)"))
                valid = false
            }
            if let maxLength, length > maxLength {
                issues.append(ValidationIssue(loc: loc, code: .tooLong, message: "Must be at most \(maxLength) characters"))
                valid = false
            }
            if let compiled, (try? compiled.wholeMatch(in: string)) == nil {
                issues.append(ValidationIssue(loc: loc, code: .pattern, message: "Must match the pattern \(pattern ?? "")"))
                valid = false
            }
            if let oneOf, !oneOf.contains(string) {
                issues.append(ValidationIssue(loc: loc, code: .notOneOf, message: "Must be one of: \(oneOf.joined(separator: ", "))"))
                valid = false
            }
            if let format, !format.matches(string) {
                issues.append(ValidationIssue(loc: loc, code: .format, message: "Must be a valid \(format.name)"))
                valid = false
            }
            return valid ? string : nil
        }
    }
}

extension FieldType where Value == Int {
    /// An integer, optionally within `range`.
    public static func integer(_ range: ClosedRange<Int>? = nil) -> FieldType<Int> {
        .integer(minimum: range?.lowerBound, maximum: range?.upperBound)
    }

    /// An integer with optional bounds.
    public static func integer(minimum: Int?, maximum: Int?) -> FieldType<Int> {
        FieldType(.integer(minimum: minimum, maximum: maximum)) { input, loc, mode, issues in
            let lenient: Bool
            if case .strings = input { lenient = true } else { lenient = mode.lenient }
            guard let value = scalar(input, loc, expected: "integer", &issues) else { return nil }
            let integer: Int?
            switch value {
            case .integer(let raw): integer = Int(exactly: raw)
            // A `.number` is a fraction, an exponent, or an integer beyond 64 bits that the parser rounded to a double:
            // -2^63 - 1 rounds to -2^63, so the bound is strict on both sides.
            case .number(let raw): integer = raw.rounded() == raw && abs(raw) < 0x1p63 ? Int(exactly: raw) : nil
            case .string(let raw) where lenient: integer = Int(raw.trimmingCharacters(in: .whitespaces))
            default: integer = nil
            }
            guard let integer else {
                issues.append(ValidationIssue(loc: loc, code: .type, message: "Expected an integer"))
                return nil
            }
            if let minimum, integer < minimum {
                issues.append(ValidationIssue(loc: loc, code: .outOfRange, message: rangeMessage(minimum, maximum)))
                return nil
            }
            if let maximum, integer > maximum {
                issues.append(ValidationIssue(loc: loc, code: .outOfRange, message: rangeMessage(minimum, maximum)))
                return nil
            }
            return integer
        }
    }
}

private func rangeMessage<T>(_ minimum: T?, _ maximum: T?) -> String {
    switch (minimum, maximum) {
    case (let minimum?, let maximum?): "Must be between \(minimum) and \(maximum)"
    case (let minimum?, nil): "Must be at least \(minimum)"
    case (nil, let maximum?): "Must be at most \(maximum)"
    case (nil, nil): "Out of range"
    }
}

extension FieldType where Value == Double {
    /// A number with optional bounds.
    public static func number(minimum: Double? = nil, maximum: Double? = nil) -> FieldType<Double> {
        FieldType(.number(minimum: minimum, maximum: maximum)) { input, loc, mode, issues in
            let lenient: Bool
            if case .strings = input { lenient = true } else { lenient = mode.lenient }
            guard let value = scalar(input, loc, expected: "number", &issues) else { return nil }
            let number: Double?
            switch value {
            case .integer(let raw): number = Double(raw)
            case .number(let raw): number = raw
            case .string(let raw) where lenient:
                number = Double(raw.trimmingCharacters(in: .whitespaces)).flatMap { $0.isFinite ? $0 : nil }
            default: number = nil
            }
            guard let number else {
                issues.append(ValidationIssue(loc: loc, code: .type, message: "Expected a number"))
                return nil
            }
            if minimum.map({ number < $0 }) == true || maximum.map({ number > $0 }) == true {
                issues.append(ValidationIssue(loc: loc, code: .outOfRange, message: rangeMessage(minimum, maximum)))
                return nil
            }
            return number
        }
    }
}

extension FieldType where Value == Bool {
    /// A boolean; query and form input accept `true/false`, `1/0`, `yes/no`, `on/off`.
    public static var boolean: FieldType<Bool> {
        FieldType(.boolean) { input, loc, mode, issues in
            let lenient: Bool
            if case .strings = input { lenient = true } else { lenient = mode.lenient }
            guard let value = scalar(input, loc, expected: "boolean", &issues) else { return nil }
            switch value {
            case .bool(let bool):
                return bool
            case .string(let raw) where lenient:
                switch raw.lowercased() {
                case "true", "1", "yes", "on": return true
                case "false", "0", "no", "off": return false
                default: break
                }
            default:
                break
            }
            issues.append(ValidationIssue(loc: loc, code: .type, message: "Expected a boolean"))
            return nil
        }
    }
}

extension FieldType where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    /// One of an enumeration's raw values.
    public static func oneOf(_ type: Value.Type) -> FieldType<Value> {
        let allowed = Value.allCases.map(\.rawValue)
        return FieldType(.enumeration(allowed)) { input, loc, _, issues in
            guard let value = scalar(input, loc, expected: "string", &issues) else { return nil }
            guard case .string(let raw) = value else {
                issues.append(ValidationIssue(loc: loc, code: .type, message: "Expected a string, got \(value.typeName)"))
                return nil
            }
            guard let result = Value(rawValue: raw) else {
                issues.append(ValidationIssue(loc: loc, code: .notOneOf, message: "Must be one of: \(allowed.joined(separator: ", "))"))
                return nil
            }
            return result
        }
    }
}

extension FieldType {
    /// A list of `element`s; query and form input give one element per repeated name.
    public static func array<Element: Sendable>(
        _ element: FieldType<Element>,
        minItems: Int? = nil,
        maxItems: Int? = nil
    ) -> FieldType<[Element]>
    where Value == [Element] {
        FieldType(.array(element.descriptor, minItems: minItems, maxItems: maxItems)) { input, loc, mode, issues in
            let items: [Input]
            switch input {
            case .strings(let values): items = values.map { .strings([$0]) }
            case .json(.array(let values)): items = values.map { .json($0) }
            case .json(let other):
                issues.append(ValidationIssue(loc: loc, code: .type, message: "Expected an array, got \(other.typeName)"))
                return nil
            }
            var valid = true
            if let minItems, items.count < minItems {
                issues.append(ValidationIssue(loc: loc, code: .tooFewItems, message: "Must have at least \(minItems) items"))
                valid = false
            }
            if let maxItems, items.count > maxItems {
                issues.append(ValidationIssue(loc: loc, code: .tooManyItems, message: "Must have at most \(maxItems) items"))
                valid = false
            }
            var result: [Element] = []
            for (index, item) in items.enumerated() {
                if let value = element.read(item, loc + [.index(index)], mode, &issues) {
                    result.append(value)
                } else {
                    valid = false
                }
            }
            return valid ? result : nil
        }
    }

    /// A nested object described by another schema.
    public static func object(_ schema: Schema<Value>) -> FieldType<Value> {
        FieldType(.object(schema.descriptor)) { input, loc, mode, issues in
            guard case .json(.object(let members)) = input else {
                let got = if case .json(let value) = input { value.typeName } else { "text" }
                issues.append(ValidationIssue(loc: loc, code: .type, message: "Expected an object, got \(got)"))
                return nil
            }
            return schema.read(members.mapValues { .json($0) }, at: loc, mode: mode, issues: &issues)
        }
    }
}

extension FieldType where Value == Date {
    /// An RFC 3339 date-time such as `2026-11-24T10:00:00Z` (JSON Schema's `date-time` format).
    public static var dateTime: FieldType<Date> {
        FieldType(.dateTime) { input, loc, _, issues in
            guard let value = scalar(input, loc, expected: "date-time", &issues) else { return nil }
            guard case .string(let raw) = value else {
                issues.append(ValidationIssue(loc: loc, code: .type, message: "Expected a date-time string, got \(value.typeName)"))
                return nil
            }
            if let date = RFC3339.date(from: raw) { return date }
            issues.append(ValidationIssue(loc: loc, code: .format, message: "Expected an RFC 3339 date-time such as 2026-01-31T12:00:00Z"))
            return nil
        }
    }
}

extension FieldType {
    /// A JSON object used as a dictionary: any string keys, each value an `element` (`{"swift": 12, "nio": 3}`).
    /// - Parameter maxEntries: the most keys accepted (a `too_many_items` issue beyond).
    ///
    /// ```swift
    /// s.field("labels", .map(.string(maxLength: 100), maxEntries: 20))
    /// ```
    public static func map<Element: Sendable>(_ element: FieldType<Element>, maxEntries: Int? = nil) -> FieldType<[String: Element]>
    where Value == [String: Element] {
        FieldType(.map(element.descriptor, maxEntries: maxEntries)) { input, loc, mode, issues in
            guard case .json(.object(let members)) = input else {
                let got = if case .json(let value) = input { value.typeName } else { "text" }
                issues.append(ValidationIssue(loc: loc, code: .type, message: "Expected an object, got \(got)"))
                return nil
            }
            var valid = true
            if let maxEntries, members.count > maxEntries {
                issues.append(ValidationIssue(loc: loc, code: .tooManyItems, message: "Must have at most \(maxEntries) entries"))
                valid = false
            }
            var result: [String: Element] = [:]
            result.reserveCapacity(members.count)
            for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                if let value = element.read(.json(member), loc + [.key(key)], mode, &issues) {
                    result[key] = value
                } else {
                    valid = false
                }
            }
            return valid ? result : nil
        }
    }
}
