import Synchronization

/// Values under random keys with expiry and a size bound: the shared core of ``InMemoryTokenStore`` and
/// ``InMemorySessionStore``. When full, expired entries go first, then the one closest to expiry.
final class ExpiringStore<Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var expires: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    let lifetime: Duration
    let capacity: Int

    init(lifetime: Duration, capacity: Int) {
        self.lifetime = lifetime
        self.capacity = max(1, capacity)
    }

    /// Stores `value` under a new random 256-bit key.
    func insert(_ value: Value) -> String {
        let key = randomToken()
        let now = ContinuousClock.now
        self.entries.withLock { entries in
            if entries.count >= self.capacity {
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= self.capacity, let oldest = entries.min(by: { $0.value.expires < $1.value.expires })?.key {
                    entries[oldest] = nil
                }
            }
            entries[key] = Entry(value: value, expires: now + self.lifetime)
        }
        return key
    }

    /// The value under `key`, if present and not expired; `slide` extends its life.
    func value(for key: String, slide: Bool = false) -> Value? {
        let now = ContinuousClock.now
        return self.entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.expires > now else {
                entries[key] = nil
                return nil
            }
            if slide { entries[key]?.expires = now + self.lifetime }
            return entry.value
        }
    }

    /// Replaces the value under an existing `key`.
    func update(_ key: String, _ value: Value) {
        self.entries.withLock { entries in
            if entries[key] != nil { entries[key]?.value = value }
        }
    }

    /// Forgets `key`.
    func remove(_ key: String) {
        _ = self.entries.withLock { $0.removeValue(forKey: key) }
    }
}
