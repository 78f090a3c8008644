import HTTPTypes

/// Route parameters captured while matching a path, in match order.
///
/// ```swift
/// router.get("/users/:id") { request, context in
///     let id = try context.parameters.require("id", as: Int.self)   // 400 when not an Int
///     ...
/// }
/// ```
public struct Parameters: Sendable, Equatable, Sequence {
    @usableFromInline
    var storage: [(name: String, value: String)] = []

    /// No parameters.
    public init() {}

    /// Parameters from `(name, value)` pairs.
    public init(_ pairs: [(String, String)]) {
        self.storage = pairs.map { (name: $0.0, value: $0.1) }
    }

    /// The value captured for `name`, or `nil`.
    @inlinable
    public subscript(_ name: String) -> String? {
        for entry in self.storage where entry.name == name {
            return entry.value
        }
        return nil
    }

    /// Whether there are no parameters.
    public var isEmpty: Bool { self.storage.isEmpty }

    /// Adds a captured value.
    public mutating func append(_ name: String, _ value: String) {
        self.storage.append((name: name, value: value))
    }

    /// The value captured for `name`, converted to `T`.
    /// - Throws: ``HTTPError`` 400 when the parameter is missing or does not convert.
    public func require<T: LosslessStringConvertible>(_ name: String, as type: T.Type = T.self) throws -> T {
        guard let raw = self[name] else {
            throw HTTPError(.badRequest, message: "Missing path parameter '\(name)'")
        }
        guard let value = T(raw) else {
            throw HTTPError(.badRequest, message: "Path parameter '\(name)' is not a valid \(T.self)")
        }
        return value
    }

    /// The value captured for `name`.
    /// - Throws: ``HTTPError`` 400 when the parameter is missing.
    public func require(_ name: String) throws -> String {
        try self.require(name, as: String.self)
    }

    public func makeIterator() -> some IteratorProtocol<(name: String, value: String)> {
        self.storage.makeIterator()
    }

    public static func == (lhs: Parameters, rhs: Parameters) -> Bool {
        lhs.storage.elementsEqual(rhs.storage) { $0.name == $1.name && $0.value == $1.value }
    }
}
