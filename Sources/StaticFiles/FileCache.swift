import NIOCore
import Synchronization

/// What a ``FileServer`` remembers between requests, as nginx's `open_file_cache` does: the facts of each path it
/// looked at (including "not there"), trusted for ``FileServer/Configuration/cacheValidity``, and the bytes of small
/// files, kept while their size and modification time stay the same.
///
/// Without it every request paid several hops to the file-system thread pool (`realpath` and `stat` for the file and
/// each precompressed sibling, then open, read, close): 180 µs of CPU for a 2 KiB file, a tenth of nginx's rate
/// (Benchmarks/static-vs-nginx.sh).
final class FileCache: Sendable {
    struct Entry {
        var facts: FileServer.FileFacts?
        var checked: ContinuousClock.Instant
        var contents: ByteBuffer?
    }

    struct State {
        var entries: [String: Entry] = [:]
        var cachedBytes = 0
    }

    let validity: Duration
    let maxEntries: Int
    let maxFileBytes: Int
    let maxTotalBytes: Int
    private let state = Mutex(State())

    init(validity: Duration, maxEntries: Int, maxFileBytes: Int, maxTotalBytes: Int) {
        self.validity = validity
        self.maxEntries = maxEntries
        self.maxFileBytes = maxFileBytes
        self.maxTotalBytes = maxTotalBytes
    }

    var enabled: Bool { self.validity > .zero && self.maxEntries > 0 }

    /// The facts of `path` when they were checked within the validity; `.none` when they must be checked again.
    func facts(_ path: String, now: ContinuousClock.Instant) -> FileServer.FileFacts?? {
        self.state.withLock { state in
            guard let entry = state.entries[path], now - entry.checked < self.validity else { return .none }
            return .some(entry.facts)
        }
    }

    /// Remembers the facts of `path`; the cached bytes go when the file changed.
    func store(_ path: String, facts: FileServer.FileFacts?, now: ContinuousClock.Instant) {
        guard self.enabled else { return }
        self.state.withLock { state in
            if state.entries.count >= self.maxEntries, state.entries[path] == nil {
                // Full: start over rather than track ages; the next requests fill it with what is hot.
                state.entries.removeAll(keepingCapacity: true)
                state.cachedBytes = 0
            }
            var entry = state.entries[path] ?? Entry(facts: nil, checked: now, contents: nil)
            let unchanged = entry.facts.flatMap { old in facts.map { old.sameVersion(as: $0) } } ?? false
            if !unchanged, let contents = entry.contents {
                state.cachedBytes -= contents.readableBytes
                entry.contents = nil
            }
            entry.facts = facts
            entry.checked = now
            state.entries[path] = entry
        }
    }

    /// The cached bytes of the file at `path` if they are those of `facts`.
    func contents(_ path: String, facts: FileServer.FileFacts) -> ByteBuffer? {
        self.state.withLock { state in
            guard let entry = state.entries[path], entry.facts?.sameVersion(as: facts) == true else { return nil }
            return entry.contents
        }
    }

    /// Whether a file of `size` bytes is kept in memory.
    func keeps(size: Int) -> Bool { self.enabled && size <= self.maxFileBytes }

    /// Keeps `contents` as the bytes of `path` (read for `facts`), within the total budget.
    func storeContents(_ path: String, facts: FileServer.FileFacts, contents: ByteBuffer) {
        self.state.withLock { state in
            guard var entry = state.entries[path], entry.facts?.sameVersion(as: facts) == true, entry.contents == nil,
                state.cachedBytes + contents.readableBytes <= self.maxTotalBytes
            else { return }
            entry.contents = contents
            state.cachedBytes += contents.readableBytes
            state.entries[path] = entry
        }
    }
}
