public import Logging

/// Writes each log record as one JSON object per line to standard error: `time`, `level`, `logger`,
/// `message`, `source`, and the metadata as string members (the logger's and the record's, the record's winning).
///
/// ```swift
/// LoggingSystem.bootstrap(JSONLogHandler.init)
/// // {"time":"2026-11-29T02:30:00.123Z","level":"info","logger":"api","message":"Server listening","address":"…"}
/// ```
public typealias JSONLogHandler = LineLogHandler<JSONLogLines>

/// One JSON object per line (``JSONLogHandler``).
public enum JSONLogLines: LogLineFormat {
    public static func line(label: String, event: LogEvent, metadata: Logger.Metadata) -> String {
        var line = "{"
        Self.member("time", LogTimestamp.now(), into: &line, first: true)
        Self.member("level", event.level.rawValue, into: &line)
        Self.member("logger", label, into: &line)
        Self.member("message", "\(event.message)", into: &line)
        Self.member("source", event.source, into: &line)
        for key in metadata.keys.sorted() where !["time", "level", "logger", "message", "source"].contains(key) {
            Self.member(key, "\(metadata[key]!)", into: &line)
        }
        return line + "}\n"
    }

    private static func member(_ key: String, _ value: String, into line: inout String, first: Bool = false) {
        if !first { line += "," }
        line += Self.quoted(key) + ":" + Self.quoted(value)
    }

    /// `text` as a JSON string.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                out += "\\u00" + String(c.value, radix: 16).leftPadded(to: 2)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - self.count)) + self
    }
}
