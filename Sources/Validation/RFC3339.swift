package import Foundation

/// RFC 3339 date-times, as `FieldType.dateTime` checks them and the API's JSON writes and reads them.
package enum RFC3339 {
    // Made once, not per date written.
    private static let whole = Date.ISO8601FormatStyle()
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// `2026-11-29T10:00:00Z`, or `2026-11-29T10:00:00.250Z` when the date has a fraction of a second (UTC).
    package static func string(from date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        return seconds.rounded(.down) == seconds ? date.formatted(Self.whole) : date.formatted(Self.fractional)
    }

    /// The date `text` names, with or without a fraction of a second; `nil` when it is not RFC 3339 or its calendar
    /// date does not exist (Foundation's parser would roll 2026-02-30 over to March).
    package static func date(from text: String) -> Date? {
        guard hasValidCalendarDate(text) else { return nil }
        if let date = try? Date(text, strategy: Self.whole) { return date }
        return try? Date(text, strategy: Self.fractional)
    }
}

/// Whether a date-time starts with a real calendar date (`YYYY-MM-DD`): Foundation's parser rolls
/// 2026-02-30 over to March, RFC 3339 rejects it.
private func hasValidCalendarDate(_ raw: String) -> Bool {
    let parts = raw.prefix(10).split(separator: "-")
    guard raw.utf8.count >= 11, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
        parts[0].count == 4, parts[1].count == 2, parts[2].count == 2, (1...12).contains(month)
    else { return false }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return (1...days).contains(day)
}
