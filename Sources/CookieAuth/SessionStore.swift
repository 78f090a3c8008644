import Synchronization

/// Where server-side sessions live: the seam for an in-memory store, Redis, a database, ...
public protocol SessionStore: Sendable {
    /// Creates a session holding `data`; returns its id (the cookie value).
    func create(_ data: [String: String]) async throws -> String
    /// The data of session `id`, or `nil` when unknown or expired.
    func load(_ id: String) async throws -> [String: String]?
    /// Replaces the data of session `id` (no-op when it does not exist).
    func save(_ id: String, _ data: [String: String]) async throws
    /// Ends session `id`.
    func destroy(_ id: String) async throws
}

/// Sessions in memory: random 256-bit ids, sliding expiry, a size bound (oldest dropped first).
///
/// ```swift
/// let sessions = InMemorySessionStore(lifetime: .seconds(1800))
/// let id = try await sessions.create(["user": "ada"])
/// ```
public final class InMemorySessionStore: SessionStore {
    private struct Entry {
        var data: [String: String]
        var expires: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// Idle time after which a session expires.
    public let lifetime: Duration
    /// The most sessions kept.
    public let capacity: Int

    /// Creates a store.
    public init(lifetime: Duration = .seconds(1800), capacity: Int = 100_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    public func create(_ data: [String: String]) async throws -> String {
        let id = randomToken()
        let now = ContinuousClock.now
        self.entries.withLock { entries in
            if entries.count >= self.capacity {
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= self.capacity, let oldest = entries.min(by: { $0.value.expires < $1.value.expires })?.key {
                    entries[oldest] = nil
                }
            }
            entries[id] = Entry(data: data, expires: now + self.lifetime)
        }
        return id
    }

    public func load(_ id: String) async throws -> [String: String]? {
        let now = ContinuousClock.now
        return self.entries.withLock { entries in
            guard var entry = entries[id] else { return nil }
            guard entry.expires > now else {
                entries[id] = nil
                return nil
            }
            entry.expires = now + self.lifetime
            entries[id] = entry
            return entry.data
        }
    }

    public func save(_ id: String, _ data: [String: String]) async throws {
        self.entries.withLock { entries in
            guard entries[id] != nil else { return }
            entries[id]?.data = data
        }
    }

    public func destroy(_ id: String) async throws {
        _ = self.entries.withLock { $0.removeValue(forKey: id) }
    }
}
