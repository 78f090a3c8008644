import Foundation
public import Logging

extension TandemApp {
    /// How log lines are written.
    public enum LogFormat: String, Sendable, CaseIterable {
        /// swift-log's text lines on standard error.
        case text
        /// One JSON object per line on standard error (``JSONLogHandler``).
        case json
    }

    /// Where the app's servers listen and how they log. Every value has a default; the environment and the
    /// command line change them.
    ///
    /// | setting | flag | environment | default |
    /// |---|---|---|---|
    /// | address every server binds | `--host H` | `HOST` | `127.0.0.1` |
    /// | the port of the server `NAME` | `--NAME-port P` | `NAME_PORT` (upper case, `-` as `_`) | as added |
    /// | log level | `--log-level L` | `LOG_LEVEL` | `info` |
    /// | log format (`text`, `json`) | `--log-format F` | `LOG_FORMAT` | `text` |
    ///
    /// ```swift
    /// let settings = try TandemApp.Settings.parse()   // CommandLine.arguments and the environment
    /// ```
    public struct Settings: Sendable, Equatable {
        /// The address every server binds.
        public var host: String
        /// Ports by server name, overriding the ports the servers were added with.
        public var ports: [String: Int]
        /// The level of every server's logger.
        public var logLevel: Logger.Level
        /// How log lines are written.
        public var logFormat: LogFormat

        /// Settings with explicit values.
        public init(host: String = "127.0.0.1", ports: [String: Int] = [:], logLevel: Logger.Level = .info, logFormat: LogFormat = .text) {
            self.host = host
            self.ports = ports
            self.logLevel = logLevel
            self.logFormat = logFormat
        }

        /// The defaults changed by `environment` (the process's when `nil`), then by the flags in `arguments`
        /// (`--flag value` or `--flag=value`).
        /// - Throws: ``TandemAppError`` for an unknown flag, a flag without a value, or a bad value.
        public static func parse(
            _ arguments: [String] = Array(CommandLine.arguments.dropFirst()),
            environment: [String: String]? = nil
        ) throws -> Settings {
            let environment = environment ?? ProcessInfo.processInfo.environment
            var settings = Settings()
            for (key, value) in environment {
                switch key {
                case "HOST": settings.host = value
                case "LOG_LEVEL": settings.logLevel = try Self.level(value, from: key)
                case "LOG_FORMAT": settings.logFormat = try Self.format(value, from: key)
                default:
                    guard key.hasSuffix("_PORT"), key.count > 5 else { continue }
                    let name = key.dropLast(5).lowercased().replacingOccurrences(of: "_", with: "-")
                    settings.ports[name] = try Self.port(value, from: key)
                }
            }
            var index = 0
            while index < arguments.count {
                var flag = arguments[index]
                var value: String?
                if let equals = flag.firstIndex(of: "=") {
                    value = String(flag[flag.index(after: equals)...])
                    flag = String(flag[..<equals])
                } else if index + 1 < arguments.count {
                    value = arguments[index + 1]
                    index += 1
                }
                index += 1
                guard flag.hasPrefix("--") else { throw TandemAppError(description: "Unexpected argument '\(flag)'\(Self.usage)") }
                guard let value else { throw TandemAppError(description: "\(flag) needs a value\(Self.usage)") }
                switch flag {
                case "--host": settings.host = value
                case "--log-level": settings.logLevel = try Self.level(value, from: flag)
                case "--log-format": settings.logFormat = try Self.format(value, from: flag)
                default:
                    guard flag.hasSuffix("-port"), flag.count > 7 else {
                        throw TandemAppError(description: "Unknown option '\(flag)'\(Self.usage)")
                    }
                    settings.ports[String(flag.dropFirst(2).dropLast(5))] = try Self.port(value, from: flag)
                }
            }
            return settings
        }

        private static let usage = " (options: --host H, --NAME-port P, --log-level L, --log-format text|json)"

        private static func level(_ text: String, from source: String) throws -> Logger.Level {
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                let known = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                throw TandemAppError(description: "\(source): '\(text)' is not a log level (\(known))")
            }
            return level
        }

        private static func format(_ text: String, from source: String) throws -> LogFormat {
            guard let format = LogFormat(rawValue: text.lowercased()) else {
                throw TandemAppError(description: "\(source): '\(text)' is not a log format (text, json)")
            }
            return format
        }

        private static func port(_ text: String, from source: String) throws -> Int {
            guard let port = Int(text), (0...65535).contains(port) else {
                throw TandemAppError(description: "\(source): '\(text)' is not a port (0 to 65535; 0 picks a free one)")
            }
            return port
        }
    }
}
