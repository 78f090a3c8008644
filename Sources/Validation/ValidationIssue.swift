/// One step in the location of a problem: an object key or an array index.
public enum PathComponent: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringLiteral,
    ExpressibleByIntegerLiteral
{
    /// An object member.
    case key(String)
    /// An array position.
    case index(Int)

    public init(stringLiteral value: String) { self = .key(value) }
    public init(integerLiteral value: Int) { self = .index(value) }

    public var description: String {
        switch self {
        case .key(let key): key
        case .index(let index): String(index)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let index = try? container.decode(Int.self) {
            self = .index(index)
        } else {
            self = .key(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .key(let key): try container.encode(key)
        case .index(let index): try container.encode(index)
        }
    }
}

/// A stable, machine-readable problem code. The list is documented in Documentation/API.md and only grows.
public struct IssueCode: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { self.rawValue }

    /// A required field is absent.
    public static let missing = IssueCode(rawValue: "missing")
    /// The value has the wrong type and cannot be coerced.
    public static let type = IssueCode(rawValue: "type")
    /// A string is shorter than its minimum length.
    public static let tooShort = IssueCode(rawValue: "too_short")
    /// A string is longer than its maximum length.
    public static let tooLong = IssueCode(rawValue: "too_long")
    /// A number is outside its range.
    public static let outOfRange = IssueCode(rawValue: "out_of_range")
    /// A string does not match its pattern.
    public static let pattern = IssueCode(rawValue: "pattern")
    /// A value is not one of the allowed values.
    public static let notOneOf = IssueCode(rawValue: "not_one_of")
    /// A field the schema does not declare (when the schema rejects unknown fields).
    public static let unknownField = IssueCode(rawValue: "unknown_field")
    /// An array has fewer items than allowed.
    public static let tooFewItems = IssueCode(rawValue: "too_few_items")
    /// An array has more items than allowed.
    public static let tooManyItems = IssueCode(rawValue: "too_many_items")
    /// A string is not in the required format (e.g. an RFC 3339 date-time).
    public static let format = IssueCode(rawValue: "format")
    /// The body is not valid JSON.
    public static let invalidJSON = IssueCode(rawValue: "invalid_json")
}

/// One problem with an input: where, what, and a human-readable message.
public struct ValidationIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Where the problem is, e.g. `["items", 3, "name"]`; empty for the input as a whole.
    public var loc: [PathComponent]
    /// The stable code.
    public var code: IssueCode
    /// A message for people.
    public var message: String

    /// Creates an issue.
    public init(loc: [PathComponent], code: IssueCode, message: String) {
        self.loc = loc
        self.code = code
        self.message = message
    }

    public var description: String {
        "\(self.loc.map(\.description).joined(separator: ".")): \(self.code) (\(self.message))"
    }
}

/// Every problem found in an input; thrown only after the whole input was checked.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The problems, in field order.
    public var issues: [ValidationIssue]

    /// Creates the error.
    public init(issues: [ValidationIssue]) {
        self.issues = issues
    }

    public var description: String {
        "Validation failed: " + self.issues.map(\.description).joined(separator: "; ")
    }
}
