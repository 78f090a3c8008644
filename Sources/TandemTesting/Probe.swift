import Synchronization

/// A thread-safe tally that handlers write and tests read.
///
/// ```swift
/// let probe = Probe()
/// let handler = HandlerFunction { _, _ in probe.add("calls"); return .text("ok") }
/// #expect(probe["calls"] == 1)
/// ```
public final class Probe: Sendable {
    private let values = Mutex<[String: Int]>([:])

    /// An empty tally.
    public init() {}

    /// Adds `amount` to `key`.
    public func add(_ key: String, _ amount: Int = 1) { self.values.withLock { $0[key, default: 0] += amount } }

    /// Raises `key` to `value` if that is larger.
    public func max(_ key: String, _ value: Int) { self.values.withLock { $0[key] = Swift.max($0[key] ?? 0, value) } }

    /// The keys set so far, sorted.
    public var keys: [String] { self.values.withLock { $0.keys.sorted() } }

    /// The current value of `key` (0 when never set).
    public subscript(_ key: String) -> Int { self.values.withLock { $0[key] ?? 0 } }
}
