public import Logging
import Synchronization

/// A logger whose records are kept for assertions: what a server or a middleware logged, with the logger's
/// metadata and the record's own merged as a `LogHandler` would print them.
///
/// ```swift
/// let log = CapturedLog()
/// try await withTestServer(app, logger: log.logger) { port in _ = try await get(port) }
/// #expect(log.records.first?.metadata["request_id"] != nil)
/// ```
public final class CapturedLog: Sendable {
    /// One log call.
    public struct Record: Sendable {
        /// Its level.
        public let level: Logger.Level
        /// Its message.
        public let message: String
        /// The logger's metadata and the call's, the call's winning on the same key, as text.
        public let metadata: [String: String]
    }

    private let storage = Mutex<[Record]>([])

    /// Creates an empty log.
    public init() {}

    /// Every record so far, in order.
    public var records: [Record] { self.storage.withLock { $0 } }

    /// A logger that writes here, at every level from `level` up (`trace`: everything).
    public func logger(level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "captured") { _ in Handler(log: self) }
        logger.logLevel = level
        return logger
    }

    /// A logger that writes every level here.
    public var logger: Logger { self.logger() }

    /// A handler that writes here, for code that makes its own loggers (`TandemApp.logHandler`).
    ///
    /// ```swift
    /// app.logHandler = { _ in log.handler() }
    /// ```
    public func handler() -> some LogHandler { Handler(log: self) }

    fileprivate func append(_ record: Record) {
        self.storage.withLock { $0.append(record) }
    }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { self.metadata[key] }
            set { self.metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = self.metadata
            for (key, value) in event.metadata ?? [:] { merged[key] = value }
            self.log.append(Record(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
        }
    }
}
