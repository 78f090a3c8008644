import Foundation
import Synchronization
import Testing
public import ValidationMacros

// The search contract of the example, declared once with `@Contract` (the `///` comments are its descriptions).

/// A search over the catalogue.
@Contract("SearchSchema")
struct SearchRequest: Codable, Equatable {
    /// What to search for: 1 to 200 characters after trimming.
    @Field(.string(minLength: 1, maxLength: 200, trimmed: true)) var query: String
    /// How many results to return.
    @Field("max_results", .integer(1...100)) var maxResults: Int = 10
}

/// The same contract written out as a `Schema` value.
let handWritten = Schema<SearchRequest>("SearchSchema", description: "A search over the catalogue.") { s in
    let query = s.field(
        "query",
        .string(minLength: 1, maxLength: 200, trimmed: true),
        description: "What to search for: 1 to 200 characters after trimming."
    )
    let maxResults = s.field("max_results", .integer(1...100), default: 10, description: "How many results to return.")
    return { values in SearchRequest(query: values[query], maxResults: values[maxResults]) }
}

enum Priority: String, Codable, CaseIterable, JSONRepresentable { case low, high }

/// How many times a schema with ``counted()`` in a default was built.
let schemaBuilds = Atomic<Int>(0)
func counted() -> Int {
    schemaBuilds.add(1, ordering: .relaxed)
    return 5
}

/// A contract in the layout of a library target: a `public` type, whose `schema` must be public too.
@Contract
public struct PublicNote: Codable, Equatable, Sendable {
    public var title: String
    public var count: Int = counted()
}

/// A generic contract: Swift has no stored static properties in generic types, so its schema stays computed.
@Contract
struct Tagged<Tag: Sendable>: Sendable {
    var name: String
}

@Contract
struct Attachment: Codable, Equatable {
    var name: String
    var bytes: Int
}

@Contract(description: "A note to add.")
struct NewNote: Codable, Equatable {
    @Field(.string(minLength: 1, maxLength: 100, trimmed: true), description: "The title.") var title: String
    var body: String = ""
    @Field(.array(.string(minLength: 1, maxLength: 20), maxItems: 3)) var tags: [String] = []
    var priority: Priority = .low
    var due: Date?
    var pinned: Bool = false
    var score: Double?
    var attachments: [Attachment] = []
    let id: Int? = nil  // a `let` with a value: not part of the contract
}

@Suite("@Contract")
struct ContractMacroTests {
    @Test("one declaration gives the same schema as the hand-written Schema value: exports, names, defaults, descriptions")
    func sameAsHandWritten() {
        #expect(SearchRequest.schema.descriptor == handWritten.descriptor)
        #expect(SearchRequest.schema.descriptor.jsonSchema() == handWritten.descriptor.jsonSchema())
        #expect(
            TypeScriptDeclarations.render([SearchRequest.schema.descriptor]) == TypeScriptDeclarations.render([handWritten.descriptor])
        )
    }

    @Test("decoding collects every problem, applies defaults and wire names, and Codable agrees with the wire names")
    func decoding() throws {
        #expect(
            try SearchRequest.schema.decode(pairs: [("query", "  swift "), ("max_results", "5")])
                == SearchRequest(query: "swift", maxResults: 5)
        )
        #expect(try SearchRequest.schema.decode(pairs: [("query", "swift")]).maxResults == 10)
        do {
            _ = try SearchRequest.schema.decode(pairs: [("query", " "), ("max_results", "500")])
            Issue.record("accepted invalid input")
        } catch {
            #expect(Set(error.issues.map { $0.loc.description }) == ["[query]", "[max_results]"])
        }
        let encoded = String(decoding: try JSONEncoder().encode(SearchRequest(query: "q", maxResults: 3)), as: UTF8.self)
        #expect(encoded.contains("\"max_results\":3"))
        #expect(try JSONDecoder().decode(SearchRequest.self, from: Data(encoded.utf8)) == SearchRequest(query: "q", maxResults: 3))
    }

    @Test("types infer their rules: optionals, arrays, enumerations, dates, nested contracts")
    func inference() throws {
        let json =
            #"{"title":" Buy milk ","tags":["a"],"priority":"high","due":"2026-11-29T10:00:00Z","attachments":[{"name":"x","bytes":3}]}"#
        let note = try NewNote.schema.decode(json: Array(json.utf8))
        #expect(note.title == "Buy milk" && note.body == "" && note.tags == ["a"] && note.priority == .high && note.pinned == false)
        #expect(note.due == ISO8601DateFormatter().date(from: "2026-11-29T10:00:00Z") && note.score == nil)
        #expect(note.attachments == [Attachment(name: "x", bytes: 3)])
        let bad = #"{"title":"","tags":["a","b","c","d"],"priority":"urgent","due":"tomorrow","pinned":"yes","attachments":[{"name":1}]}"#
        do {
            _ = try NewNote.schema.decode(json: Array(bad.utf8))
            Issue.record("accepted invalid input")
        } catch {
            let fields = Set(error.issues.compactMap { $0.loc.first?.description })
            #expect(fields == ["title", "tags", "priority", "due", "pinned", "attachments"])
        }
        let names = NewNote.schema.descriptor.fields.map(\.name)
        #expect(names == ["title", "body", "tags", "priority", "due", "pinned", "score", "attachments"])
        #expect(NewNote.schema.descriptor.description == "A note to add.")
        #expect(TypeScriptDeclarations.render([NewNote.schema.descriptor]).contains("interface Attachment"))
    }

    @Test("a public type's schema is public and built once (its defaults are evaluated once, however often it is read)")
    func publicAndBuiltOnce() throws {
        let before = schemaBuilds.load(ordering: .relaxed)
        for _ in 0..<3 { #expect(PublicNote.schema.descriptor.fields.map(\.name) == ["title", "count"]) }
        let note = try PublicNote.schema.decode(json: Array(#"{"title":"x"}"#.utf8))
        #expect(note.title == "x" && note.count == 5)
        // The schema's one build evaluated `counted()` for its default: no other test reads this type.
        #expect(schemaBuilds.load(ordering: .relaxed) - before == 1)
        #expect(Tagged<Int>.schema.descriptor.fields.map(\.name) == ["name"])
    }
}
