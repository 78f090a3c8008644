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
    /// An empty value of an optional or defaulted field counts as absent (query strings and forms: a plain HTML
    /// form sends every field, filled in or not).
    var emptyIsAbsent = false
}
