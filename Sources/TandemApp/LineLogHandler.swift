import Foundation
public import Logging

/// How a ``LineLogHandler`` writes one record: ``TextLogLines`` (logfmt) or ``JSONLogLines``.
public protocol LogLineFormat: Sendable {
    /// The record `event` of the logger `label` as one line, newline included; `metadata` is the logger's and the
    /// record's, merged (the record's wins).
    static func line(label: String, event: LogEvent, metadata: Logger.Metadata) -> String
}

/// A log handler that writes each record as one line in `Format`, to standard error or to a closure of yours: the
/// one implementation of ``TextLogHandler`` and ``JSONLogHandler``.
///
/// ```swift
/// LoggingSystem.bootstrap(TextLogHandler.init)
/// let captured = JSONLogHandler(label: "api") { line in lines.append(line) }
/// ```
public struct LineLogHandler<Format: LogLineFormat>: LogHandler {
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
        self.write(Format.line(label: self.label, event: event, metadata: merged))
    }
}

/// The time of a log line: UTC, ISO 8601 with milliseconds (`2026-11-29T02:30:00.123Z`).
enum LogTimestamp {
    static func now() -> String {
        Date().formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon))
            + "Z"
    }
}
