import Foundation
public import Logging

/// Writes each log record as one line of text to standard error, its metadata as `key=value` pairs in the logfmt
/// convention: `time level logger: key=value … [source] message`.
///
/// Every value that is not a plain run of visible ASCII is quoted, with `"`, `\` and control characters escaped
/// (`\"`, `\\`, `\n`, `\u{1B}`), and control characters in the message are escaped too: what a client sends (a
/// `User-Agent` of `x status=500 client=6.6.6.6`, a line break) stays inside its own field and cannot forge another
/// field or line, as nginx escapes `$http_user_agent` in its access log. The logger's metadata and the record's are
/// merged (the record's wins) and written in key order.
///
/// ```swift
/// LoggingSystem.bootstrap(TextLogHandler.init)
/// // 2026-12-06T10:30:00.123Z info gateway: method=GET status=200 user_agent="x status=500" [HTTPCore] GET / 200
/// ```
public struct TextLogHandler: LogHandler {
    /// The logger's label.
    public let label: String
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let write: @Sendable (String) -> Void

    /// A handler for the logger `label`, writing to standard error.
    public init(label: String) {
        self.init(label: label) { line in FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// A handler for the logger `label` that hands each line (with its newline) to `write`.
    public init(label: String, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = self.metadata
        for (key, value) in event.metadata ?? [:] { merged[key] = value }
        var line = LogTimestamp.now() + " " + event.level.rawValue + " " + Self.escaped("\(self.label)", quoting: false) + ":"
        for key in merged.keys.sorted() {
            line += " " + Self.key(key) + "=" + Self.escaped("\(merged[key]!)", quoting: true)
        }
        line += " [" + Self.escaped(event.source, quoting: false) + "] " + Self.escaped("\(event.message)", quoting: false) + "\n"
        self.write(line)
    }

    /// A metadata key as logfmt writes one: characters other than letters, digits, `_`, `.`, `-` and `/` become `_`.
    static func key(_ key: String) -> String {
        let safe = key.unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_", ".", "-", "/": Character(scalar)
            default: "_"
            }
        }
        return safe.isEmpty ? "_" : String(safe)
    }

    /// `text` with its control characters escaped; with `quoting`, in double quotes unless it is a non-empty run
    /// of visible ASCII without `"`, `=` or `\` (the logfmt rule), `"` and `\` escaped inside them.
    static func escaped(_ text: String, quoting: Bool) -> String {
        let bare = !text.isEmpty && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x3D && $0 != 0x5C }
        if bare { return text }
        var out = quoting ? "\"" : ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"" where quoting: out += "\\\""
            case "\\" where quoting: out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // C0 and C1 controls, DEL, and the Unicode line and paragraph separators: nothing that ends or rewrites
            // a line on a terminal or in a log reader.
            case let c where c.value < 0x20 || (0x7F...0x9F).contains(c.value) || c.value == 0x2028 || c.value == 0x2029:
                out += "\\u{" + String(c.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return quoting ? out + "\"" : out
    }
}

/// The time of a log line: UTC, ISO 8601 with milliseconds (`2026-11-29T02:30:00.123Z`).
enum LogTimestamp {
    static func now() -> String {
        Date().formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon))
            + "Z"
    }
}
