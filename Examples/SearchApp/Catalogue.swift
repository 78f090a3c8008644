#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One searchable entry.
public struct CatalogueEntry: Sendable, Hashable, Codable {
    /// Stable id.
    public var id: Int
    /// Title.
    public var title: String
    /// Canonical URL.
    public var url: String
    /// One-line summary.
    public var summary: String

    /// An entry.
    public init(id: Int, title: String, url: String, summary: String) {
        self.id = id
        self.title = title
        self.url = url
        self.summary = summary
    }
}

/// What `GET /api/search/` returns inside the envelope.
public struct SearchResults: Sendable, Hashable, Codable {
    /// The query as searched (trimmed).
    public var query: String
    /// How many entries matched in all.
    public var total: Int
    /// The first `max_results` matches, in id order.
    public var results: [CatalogueEntry]

    /// A search answer.
    public init(query: String, total: Int, results: [CatalogueEntry]) {
        self.query = query
        self.total = total
        self.results = results
    }
}

/// A built-in catalogue of 300 entries with deterministic search results.
///
/// `Benchmarks/django/` implements the same catalogue and search in Python, so both servers return
/// byte-identical JSON.
public struct Catalogue: Sendable {
    /// The entries, by id.
    public let entries: [CatalogueEntry]
    /// Lowercased title and summary per entry, as bytes: substring search on `String` goes through slow
    /// generic paths on Linux (500 µs per search), bytes take a few µs.
    private let haystacks: [[UInt8]]

    static let topics = [
        "swift", "server", "rendering", "proxy", "cookie", "session", "router", "gateway", "envelope", "schema",
        "nginx", "kubernetes", "docker", "search", "cache", "stream", "websocket", "token", "header", "latency",
    ]

    /// The standard catalogue.
    public static let standard = Catalogue()

    init() {
        var entries: [CatalogueEntry] = []
        for id in 1...300 {
            let topic = Self.topics[id % Self.topics.count]
            let other = Self.topics[(id * 7 + 3) % Self.topics.count]
            entries.append(
                CatalogueEntry(
                    id: id,
                    title: "\(topic.prefix(1).uppercased())\(topic.dropFirst()) guide #\(id)",
                    url: "https://example.com/docs/\(id)",
                    summary: "How to use \(topic) with \(other) in production."
                )
            )
        }
        self.entries = entries
        self.haystacks = entries.map { Array(($0.title + " " + $0.summary).lowercased().utf8) }
    }

    /// Entries containing every whitespace-separated word of `query` (case-insensitive), in id order.
    public func search(_ input: SearchInput) -> SearchResults {
        let words = input.query.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map { Array($0.utf8) }
        var matches: [CatalogueEntry] = []
        var total = 0
        for (index, haystack) in self.haystacks.enumerated() where words.allSatisfy({ Self.contains(haystack, $0) }) {
            total += 1
            if matches.count < input.maxResults { matches.append(self.entries[index]) }
        }
        return SearchResults(query: input.query, total: total, results: matches)
    }

    /// Byte substring search: libc's vectorised `memchr` finds candidates for the first byte, `memcmp`
    /// checks the rest (several times faster than comparing byte by byte in Swift).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        return haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pattern in
                let base = hay.baseAddress!
                let last = hay.count - pattern.count
                var offset = 0
                while offset <= last {
                    guard let found = memchr(base + offset, Int32(pattern[0]), last - offset + 1) else { return false }
                    let position = base.distance(to: UnsafeRawPointer(found))
                    if memcmp(found, pattern.baseAddress!, pattern.count) == 0 { return true }
                    offset = position + 1
                }
                return false
            }
        }
    }
}
