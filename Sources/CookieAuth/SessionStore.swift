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
    private let store: ExpiringStore<[String: String]>
    /// Idle time after which a session expires.
    public var lifetime: Duration { self.store.lifetime }
    /// The most sessions kept.
    public var capacity: Int { self.store.capacity }

    /// Creates a store.
    public init(lifetime: Duration = .seconds(1800), capacity: Int = 100_000) {
        self.store = ExpiringStore(lifetime: lifetime, capacity: capacity)
    }

    public func create(_ data: [String: String]) async throws -> String {
        self.store.insert(data)
    }

    public func load(_ id: String) async throws -> [String: String]? {
        self.store.value(for: id, slide: true)
    }

    public func save(_ id: String, _ data: [String: String]) async throws {
        self.store.update(id, data)
    }

    public func destroy(_ id: String) async throws {
        self.store.remove(id)
    }
}
