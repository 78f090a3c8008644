public import HTTPCore
import HTTPTypes

/// The cookies of a request, parsed from every `Cookie` field (RFC 6265 §5.4), leniently.
///
/// Pairs without `=` or with an empty name are skipped, surrounding double quotes are removed from
/// values, and no byte sequence makes parsing fail. The first occurrence of a name wins, as browsers
/// send the most specific cookie first.
///
/// ```swift
/// let token = request.cookies["access_token"]
/// ```
public struct Cookies: Sendable, Sequence {
    /// The pairs in the order received.
    public private(set) var pairs: [(name: String, value: String)] = []

    /// Parses `Cookie` header values.
    public init(parsing headerValues: some Sequence<String>) {
        for header in headerValues {
            for part in header.split(separator: ";", omittingEmptySubsequences: true) {
                guard let equals = part.firstIndex(of: "=") else { continue }
                let name = part[..<equals].trimmingOWS
                guard !name.isEmpty else { continue }
                var value = part[part.index(after: equals)...].trimmingOWS
                if value.count >= 2, value.first == "\"", value.last == "\"" {
                    value = String(value.dropFirst().dropLast())
                }
                self.pairs.append((name: name, value: value))
            }
        }
    }

    /// The value of the first cookie called `name`.
    public subscript(_ name: String) -> String? {
        self.pairs.first { $0.name == name }?.value
    }

    /// Every value sent for `name`.
    public func all(_ name: String) -> [String] {
        self.pairs.filter { $0.name == name }.map(\.value)
    }

    public func makeIterator() -> some IteratorProtocol<(name: String, value: String)> {
        self.pairs.makeIterator()
    }
}

extension Request {
    /// The request's cookies (from every `Cookie` field).
    public var cookies: Cookies {
        Cookies(parsing: self.headers[values: .cookie])
    }
}
