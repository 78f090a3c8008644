public import Foundation

/// What readers send about an entry: a rating or a comment (a discriminated union on the wire, tagged by `kind`).
public enum Feedback: Sendable, Hashable {
    /// One to five stars.
    case rating(stars: Int)
    /// A comment of up to 500 characters.
    case comment(text: String)

    /// The wire tag.
    public var kind: String {
        switch self {
        case .rating: "rating"
        case .comment: "comment"
        }
    }
}

/// `POST /api/feedback/`'s input.
public struct FeedbackInput: Sendable, Hashable {
    /// The entry the feedback is about.
    public var entryID: Int
    /// The rating or comment.
    public var feedback: Feedback
}

/// What `POST /api/feedback/` answers with.
public struct FeedbackReceipt: Sendable, Hashable, Codable {
    /// A new id for the feedback.
    public var id: UUID
    /// The entry it is about.
    public var entryID: Int
    /// `rating` or `comment`.
    public var kind: String
    /// When it was received.
    public var receivedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, kind
        case entryID = "entry_id"
        case receivedAt = "received_at"
    }
}

/// What `GET /api/catalogue/stats/` answers with.
public struct CatalogueStats: Sendable, Hashable, Codable {
    /// How many entries there are.
    public var total: Int
    /// Entries per topic.
    public var byTopic: [String: Int]

    enum CodingKeys: String, CodingKey {
        case total
        case byTopic = "by_topic"
    }
}

extension Catalogue {
    /// The entry with `id`, if any.
    public func entry(_ id: Int) -> CatalogueEntry? {
        self.entries.indices.contains(id - 1) ? self.entries[id - 1] : nil
    }

    /// How many entries there are, and per topic.
    public func stats() -> CatalogueStats {
        var byTopic: [String: Int] = [:]
        for entry in self.entries { byTopic[Self.topics[entry.id % Self.topics.count], default: 0] += 1 }
        return CatalogueStats(total: self.entries.count, byTopic: byTopic)
    }
}

/// What `POST /api/entries/:id/attachments/` answers with: the upload as received (the example keeps no files).
public struct AttachmentReceipt: Sendable, Hashable, Codable {
    /// The entry it is attached to.
    public var entryID: Int
    /// The file's name, made safe; absent when nothing usable was sent.
    public var filename: String?
    /// The type the client claimed.
    public var contentType: String?
    /// The number of bytes.
    public var size: Int
    /// The caption field.
    public var caption: String?

    enum CodingKeys: String, CodingKey {
        case filename, size, caption
        case entryID = "entry_id"
        case contentType = "content_type"
    }
}
