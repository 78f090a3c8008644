import APIContract
import APIEnvelope
import CookieAuth
import Foundation
import HTTPCore
import HTTPTypes
import Multipart
import Routing
import Synchronization
import Validation

// A small API that uses every feature the contract describes: query, JSON, form and multipart input, path
// parameters, a union, a map, a date-time, an optional nested object, credentials of three kinds, and two different
// schemas that share a name.

enum Priority: String, CaseIterable, Sendable, Codable { case low, high }

enum Body: Sendable, Hashable, Codable {
    case text(String)
    case checklist([String])

    private enum Keys: String, CodingKey { case type, text, items }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        switch self {
        case .text(let text):
            try container.encode("text", forKey: .type)
            try container.encode(text, forKey: .text)
        case .checklist(let items):
            try container.encode("checklist", forKey: .type)
            try container.encode(items, forKey: .items)
        }
    }
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        self =
            try container.decode(String.self, forKey: .type) == "text"
            ? .text(try container.decode(String.self, forKey: .text)) : .checklist(try container.decode([String].self, forKey: .items))
    }
}

struct Note: Sendable, Hashable, Codable {
    var id: Int
    var title: String
    var priority: Priority
    var body: Body
    var labels: [String: String]
    var createdAt: Date
    var author: Author?

    enum CodingKeys: String, CodingKey {
        case id, title, priority, body, labels, author
        case createdAt = "created_at"
    }
}

struct Author: Sendable, Hashable, Codable { var name: String }

struct NoteList: Sendable, Codable {
    var notes: [Note]
    var total: Int
}

struct NewNote: Sendable {
    var title: String
    var priority: Priority
    var body: Body
    var labels: [String: String]
}

struct NoteQuery: Sendable {
    var priority: [Priority]
    var limit: Int
}

struct Upload: Sendable, Codable {
    var note: Int
    var size: Int
    var caption: String?
}

let textBody = Schema<Body>("TextBody", unknownFields: .reject) { s in
    let text = s.field("text", .string(minLength: 1, maxLength: 2000))
    return { .text($0[text]) }
}
let checklistBody = Schema<Body>("ChecklistBody", unknownFields: .reject) { s in
    let items = s.field("items", .array(.string(minLength: 1, maxLength: 100), minItems: 1, maxItems: 20))
    return { .checklist($0[items]) }
}
let bodyType = FieldType<Body>.union(
    "Body",
    discriminator: "type",
    [.variant("text", textBody) { $0 }, .variant("checklist", checklistBody) { $0 }]
)

let newNoteSchema = Schema<NewNote>("NewNote", description: "A note to create.", unknownFields: .reject) { s in
    let title = s.field("title", .string(minLength: 1, maxLength: 100, trimmed: true), description: "The title.")
    let priority = s.field("priority", .oneOf(Priority.self), default: .low)
    let body = s.field("body", bodyType)
    let labels = s.optional("labels", .map(.string(maxLength: 50), maxEntries: 10))
    return { NewNote(title: $0[title], priority: $0[priority], body: $0[body], labels: $0[labels] ?? [:]) }
}

extension Priority: JSONRepresentable {}

let noteQuerySchema = Schema<NoteQuery>("NoteQuery") { s in
    let priority = s.field("priority", .array(.oneOf(Priority.self), maxItems: 2), default: [])
    let limit = s.field("limit", .integer(1...50), default: 20)
    return { NoteQuery(priority: $0[priority], limit: $0[limit]) }
}

let authorSchema = Schema<Author>("Author") { s in
    let name = s.field("name", .string())
    return { Author(name: $0[name]) }
}

let noteSchema = Schema<Note>("Note", description: "A stored note.") { s in
    let id = s.field("id", .integer(minimum: 1, maximum: nil))
    let title = s.field("title", .string(minLength: 1))
    let priority = s.field("priority", .oneOf(Priority.self))
    let body = s.field("body", bodyType)
    let labels = s.field("labels", .map(.string()))
    let created = s.field("created_at", .dateTime)
    let author = s.optional("author", .object(authorSchema))
    return {
        Note(
            id: $0[id],
            title: $0[title],
            priority: $0[priority],
            body: $0[body],
            labels: $0[labels],
            createdAt: $0[created],
            author: $0[author]
        )
    }
}

let noteListSchema = Schema<NoteList>("NoteList") { s in
    let notes = s.field("notes", .array(.object(noteSchema)))
    let total = s.field("total", .integer(minimum: 0, maximum: nil))
    return { NoteList(notes: $0[notes], total: $0[total]) }
}

/// Named like another schema on purpose: the document must keep both, as `Rename` and `Rename2`.
let renameForm = Schema<String>("Rename") { s in
    let title = s.field("title", .string(minLength: 1, maxLength: 100))
    return { $0[title] }
}
let renameResult = Schema<RenameAnswer>("Rename") { s in
    let note = s.field("note", .object(noteSchema))
    return { RenameAnswer(note: $0[note]) }
}

let uploadFields = Schema<String?>("UploadFields", unknownFields: .reject) { s in
    let caption = s.optional("caption", .string(maxLength: 100))
    return { $0[caption] }
}
let uploadSchema = Schema<Upload>("Upload") { s in
    let note = s.field("note", .integer(minimum: 1, maximum: nil))
    let size = s.field("size", .integer(minimum: 0, maximum: nil))
    let caption = s.optional("caption", .string())
    return { Upload(note: $0[note], size: $0[size], caption: $0[caption]) }
}

struct RenameAnswer: Sendable, Encodable { var note: Note }

/// Requires `X-API-Key: secret`.
struct APIKeyMiddleware: AuthenticatingMiddleware {
    var credentialSchemes: [CredentialScheme] { [.header("X-API-Key")] }
    func handle(_ request: Request, context: RequestContext, next: some HTTPHandler) async throws -> Response {
        guard request.headers[HTTPField.Name("X-API-Key")!] == "secret" else {
            throw HTTPError(.unauthorized, message: "Authentication required", headers: [.wwwAuthenticate: "Bearer"])
        }
        return try await next.handle(request, context: context)
    }
}

/// Accepts the token `valid` for subject `ada`.
struct FixedTokens: TokenVerifier {
    func verify(_ token: String) async -> Identity? { token == "valid" ? Identity(subject: "ada") : nil }
}

final class NoteStore: Sendable {
    private let notes = Mutex<[Int: Note]>([:])

    func add(_ new: NewNote) -> Note {
        self.notes.withLock { notes in
            let note = Note(
                id: notes.count + 1,
                title: new.title,
                priority: new.priority,
                body: new.body,
                labels: new.labels,
                createdAt: Date(timeIntervalSince1970: 1_796_000_000 + Double(notes.count)),
                author: notes.count.isMultiple(of: 2) ? Author(name: "ada") : nil
            )
            notes[note.id] = note
            return note
        }
    }
    func note(_ id: Int) -> Note? { self.notes.withLock { $0[id] } }
    func all() -> [Note] { self.notes.withLock { $0.values.sorted { $0.id < $1.id } } }
    func rename(_ id: Int, _ title: String) -> Note? {
        self.notes.withLock { notes in
            notes[id]?.title = title
            return notes[id]
        }
    }
    func delete(_ id: Int) -> Bool { self.notes.withLock { $0.removeValue(forKey: id) != nil } }
}

let notFound = APIErrorDescription(.notFound, code: "not_found", "No note has this id.")
let idParameter: [String: TypeDescriptor] = ["id": .integer(minimum: 1, maximum: Int.max)]

func notesRoutes(_ store: NoteStore = NoteStore()) -> TrieRouter.Builder {
    var routes = TrieRouter.Builder()
    routes.get(
        "/api/notes/",
        handler: APIHandler(
            APIOperation("listNotes", summary: "List notes", tags: ["notes"]),
            input: .query(noteQuerySchema),
            output: .object(noteListSchema)
        ) {
            query,
            _,
            _ in
            let notes = store.all().filter { query.priority.isEmpty || query.priority.contains($0.priority) }
            return .ok(NoteList(notes: Array(notes.prefix(query.limit)), total: notes.count))
        }
    )
    routes.post(
        "/api/notes/",
        handler: APIHandler(
            APIOperation("createNote", summary: "Create a note", tags: ["notes"], successStatus: .created),
            input: .json(newNoteSchema),
            output: .object(noteSchema)
        ) { new, _, _ in .created(store.add(new)) }
    )
    routes.get(
        "/api/notes/:id",
        handler: APIHandler(
            APIOperation("getNote", pathParameters: idParameter, errors: [notFound]),
            output: .object(noteSchema)
        ) { _, context in
            guard let note = store.note(try context.parameters.require("id", as: Int.self)) else { throw APIError.notFound() }
            return .ok(note)
        }
    )
    routes.post(
        "/api/notes/:id/rename",
        handler: APIHandler(
            APIOperation("renameNote", pathParameters: idParameter, errors: [notFound]),
            input: .form(renameForm),
            output: .object(renameResult)
        ) { title, _, context in
            guard let note = store.rename(try context.parameters.require("id", as: Int.self), title) else { throw APIError.notFound() }
            return .ok(RenameAnswer(note: note))
        }
    )
    routes.post(
        "/api/notes/:id/files",
        handler: APIHandler(
            APIOperation("uploadFile", pathParameters: idParameter, successStatus: .created, errors: [notFound]),
            input: .multipart(uploadFields, files: ["file"]),
            output: .object(uploadSchema)
        ) { input, _, context in
            let id = try context.parameters.require("id", as: Int.self)
            guard store.note(id) != nil else { throw APIError.notFound() }
            return .created(Upload(note: id, size: input.form.files(named: "file")[0].size, caption: input.fields))
        }
    )
    routes.group("/api/admin", middleware: [APIKeyMiddleware()]) { admin in
        admin.delete(
            "/notes/:id",
            handler: APIHandler(APIOperation("deleteNote", summary: "Delete a note", pathParameters: idParameter, errors: [notFound])) {
                _,
                context in
                guard store.delete(try context.parameters.require("id", as: Int.self)) else { throw APIError.notFound() }
                return APIResponse<NoData>(data: nil)
            }
        )
    }
    routes.group("/api/me", middleware: [BearerAuthMiddleware(verifier: FixedTokens(), cookieName: "session")]) { me in
        me.get(
            "/",
            handler: APIHandler(APIOperation("whoAmI", deprecated: true), output: .object(authorSchema)) { _, context in
                .ok(Author(name: context.identity?.subject ?? "?"))
            }
        )
    }
    routes.get("/api/plain", handler: HandlerFunction { _, _ in .text("not described") })
    return routes
}

func notesContract(_ routes: TrieRouter.Builder = notesRoutes()) throws -> APIContract {
    try APIContract(title: "Notes", version: "2.1.0", description: "A test API.", servers: ["http://127.0.0.1"], routes: routes.routes)
}
