import APIContract
import CookieAuth
import Foundation
public import Validation

/// The search API's input: the article's `SearchSchema`.
public struct SearchInput: Sendable, Hashable {
    /// What to search for, trimmed.
    public var query: String
    /// How many results to return.
    public var maxResults: Int

    /// Creates an input.
    public init(query: String, maxResults: Int = 10) {
        self.query = query
        self.maxResults = maxResults
    }
}

/// The login API's input.
public struct LoginInput: Sendable, Hashable {
    /// The user name.
    public var username: String
    /// The password.
    public var password: String
}

/// The example application's contracts, declared once and exported to JSON Schema and TypeScript by
/// `swift run export-contracts --out Examples/SearchApp/Contracts`.
public enum Contracts {
    /// `GET /api/search/?query=&max_results=`.
    public static let search = Schema<SearchInput>("SearchSchema", description: "A search over the catalogue.") { s in
        let query = s.field(
            "query",
            .string(minLength: 1, maxLength: 200, trimmed: true),
            description: "What to search for: 1 to 200 characters after trimming."
        )
        let maxResults = s.field(
            "max_results",
            .integer(1...100),
            default: 10,
            description: "How many results to return."
        )
        return { values in SearchInput(query: values[query], maxResults: values[maxResults]) }
    }

    /// `POST /api/login/` with `{"username":…,"password":…}`.
    public static let login = Schema<LoginInput>("LoginSchema", description: "Credentials for signing in.") { s in
        let username = s.field(
            "username",
            .string(minLength: 1, maxLength: 64, pattern: "[A-Za-z0-9_.-]+", trimmed: true),
            description: "The user name."
        )
        let password = s.field("password", .string(minLength: 1, maxLength: 256), description: "The password.")
        return { values in LoginInput(username: values[username], password: values[password]) }
    }

    /// `POST /api/feedback/` with `{"entry_id": 7, "feedback": {"kind": "rating", "stars": 5}}`: a discriminated union
    /// inside an input.
    public static let feedback = Schema<FeedbackInput>("FeedbackSchema", description: "Feedback on one entry.") { s in
        let entry = s.field("entry_id", .integer(minimum: 1, maximum: nil), description: "The entry's id.")
        let feedback = s.field(
            "feedback",
            .union(
                "Feedback",
                discriminator: "kind",
                description: "A rating or a comment.",
                [
                    .variant("rating", rating) { Feedback.rating(stars: $0) },
                    .variant("comment", comment) { Feedback.comment(text: $0) },
                ]
            ),
            description: "What the reader says."
        )
        return { values in FeedbackInput(entryID: values[entry], feedback: values[feedback]) }
    }

    static let rating = Schema<Int>("Rating", description: "One to five stars.", unknownFields: .reject) { s in
        let stars = s.field("stars", .integer(1...5), description: "How many stars.")
        return { values in values[stars] }
    }

    static let comment = Schema<String>("Comment", description: "A comment.", unknownFields: .reject) { s in
        let text = s.field("text", .string(minLength: 1, maxLength: 500, trimmed: true), description: "What the reader wrote.")
        return { values in values[text] }
    }

    // Outputs: the shapes of the envelopes' `data`, declared in the same language as the inputs.

    /// One catalogue entry.
    public static let catalogueEntry = Schema<CatalogueEntry>("CatalogueEntry", description: "One searchable entry.") { s in
        let id = s.field("id", .integer(minimum: 1, maximum: nil), description: "Stable id.")
        let title = s.field("title", .string(), description: "Title.")
        let url = s.field("url", .string(format: .uri), description: "Canonical URL.")
        let summary = s.field("summary", .string(), description: "One-line summary.")
        return { values in CatalogueEntry(id: values[id], title: values[title], url: values[url], summary: values[summary]) }
    }

    /// What `GET /api/search/` returns.
    public static let searchResults = Schema<SearchResults>("SearchResults", description: "A page of search results.") { s in
        let query = s.field("query", .string(), description: "The query as searched (trimmed).")
        let total = s.field("total", .integer(minimum: 0, maximum: nil), description: "How many entries matched in all.")
        let results = s.field("results", .array(.object(catalogueEntry), maxItems: 100), description: "The first `max_results` matches.")
        return { values in SearchResults(query: values[query], total: values[total], results: values[results]) }
    }

    /// A signed-in user.
    public static let userInfo = Schema<UserInfo>("UserInfo", description: "A signed-in user.") { s in
        let username = s.field("username", .string(minLength: 1), description: "The user name (the token's subject).")
        let name = s.field("name", .string(), description: "The display name.")
        return { values in UserInfo(username: values[username], name: values[name]) }
    }

    /// What `GET /api/catalogue/stats/` returns: a string-keyed map.
    public static let catalogueStats = Schema<CatalogueStats>("CatalogueStats", description: "Entry counts.") { s in
        let total = s.field("total", .integer(minimum: 0, maximum: nil), description: "How many entries there are.")
        let byTopic = s.field("by_topic", .map(.integer(minimum: 0, maximum: nil)), description: "Entries per topic.")
        return { values in CatalogueStats(total: values[total], byTopic: values[byTopic]) }
    }

    /// What `POST /api/feedback/` returns.
    public static let feedbackReceipt = Schema<FeedbackReceipt>("FeedbackReceipt", description: "Feedback as received.") { s in
        let id = s.field("id", .string(format: .uuid), description: "The feedback's new id.")
        let entry = s.field("entry_id", .integer(minimum: 1, maximum: nil), description: "The entry it is about.")
        let kind = s.field("kind", .string(oneOf: ["rating", "comment"]), description: "What it is.")
        let received = s.field("received_at", .dateTime, description: "When it was received.")
        return { values in
            FeedbackReceipt(id: UUID(uuidString: values[id])!, entryID: values[entry], kind: values[kind], receivedAt: values[received])
        }
    }

    /// `POST /api/entries/:id/attachments/`'s text fields (the file is the `file` part).
    public static let attachment = Schema<String?>(
        "AttachmentFields",
        description: "An attachment's text fields.",
        unknownFields: .reject
    ) { s in
        let caption = s.optional("caption", .string(maxLength: 200, trimmed: true), description: "A caption for the file.")
        return { values in values[caption] }
    }

    /// What `POST /api/entries/:id/attachments/` returns.
    public static let attachmentReceipt = Schema<AttachmentReceipt>("AttachmentReceipt", description: "An upload as received.") { s in
        let entry = s.field("entry_id", .integer(minimum: 1, maximum: nil), description: "The entry it is attached to.")
        let filename = s.optional("filename", .string(minLength: 1, maxLength: 255), description: "The file's name, made safe.")
        let contentType = s.optional("content_type", .string(), description: "The type the client claimed.")
        let size = s.field("size", .integer(minimum: 0, maximum: nil), description: "The number of bytes.")
        let caption = s.optional("caption", .string(maxLength: 200), description: "The caption.")
        return { values in
            AttachmentReceipt(
                entryID: values[entry],
                filename: values[filename],
                contentType: values[contentType],
                size: values[size],
                caption: values[caption]
            )
        }
    }

    /// Every contract exported as a JSON Schema file: the inputs, then the outputs.
    public static var all: [SchemaDescriptor] {
        let inputs: [SchemaDescriptor] = [search.descriptor, login.descriptor, feedback.descriptor]
        let outputs: [SchemaDescriptor] = [
            searchResults.descriptor, catalogueEntry.descriptor, catalogueStats.descriptor, feedbackReceipt.descriptor,
            attachmentReceipt.descriptor, userInfo.descriptor,
        ]
        return inputs + outputs
    }

    /// The files `export-contracts` writes: one JSON Schema per contract, `openapi.json` (the whole API, as
    /// `GET /api/openapi.json` serves it) and `contracts.ts` (every type, the envelope, the error codes and a typed
    /// `fetch` client).
    public static func exportedFiles() throws -> [(name: String, contents: String)] {
        // The routes are only described here, never run: a throwaway key is enough to build them.
        let api = SearchAPI(tokens: SignedAccessTokens(keys: try KeyRing(keys: [Array(repeating: 0, count: 32)])))
        let contract = try api.contract()
        var files = all.map { (name: "\($0.name).schema.json", contents: $0.jsonSchema()) }
        files.append((name: "openapi.json", contents: contract.openAPI()))
        files.append(
            (
                name: "contracts.ts",
                contents: contract.typeScript(
                    header: "Generated by `swift run export-contracts` from Examples/SearchApp (routes and Contracts.swift). Do not edit."
                )
            )
        )
        return files
    }
}
