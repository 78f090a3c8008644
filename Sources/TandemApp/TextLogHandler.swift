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
public typealias TextLogHandler = LineLogHandler<TextLogLines>

/// logfmt lines (``TextLogHandler``): `time level logger: key=value … [source] message`, client-controlled values
/// quoted and escaped.
public enum TextLogLines: LogLineFormat {
    public static func line(label: String, event: LogEvent, metadata: Logger.Metadata) -> String {
        var line = LogTimestamp.now() + " " + event.level.rawValue + " " + Self.escaped(label, quoting: false) + ":"
        for key in metadata.keys.sorted() {
            line += " " + Self.key(key) + "=" + Self.escaped("\(metadata[key]!)", quoting: true)
        }
        return line + " [" + Self.escaped(event.source, quoting: false) + "] " + Self.escaped("\(event.message)", quoting: false) + "\n"
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
