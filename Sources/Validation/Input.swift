/// A value to validate: JSON, or the strings a query string or form gave for one name.
enum Input: Sendable {
    case json(JSONValue)
    /// Every value given for a name, in order (`?tag=a&tag=b`).
    case strings([String])
}

/// How strictly values are read.
struct DecodingMode: Sendable {
    /// Coerce strings to numbers and booleans (always for query and form input; optional for JSON).
    var lenient: Bool
}
