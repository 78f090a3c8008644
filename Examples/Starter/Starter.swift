// A program to copy and begin from: a notes API, a page server that renders from it over HTTP, and a gateway
// in front, in one process. `swift run starter`, then open http://127.0.0.1:8080/notes/
// It uses only Tandem's public products, as your package would (see README.md, Install).
import APIEnvelope
import HTTPCore
import HTTPTypes
import ProxyClient
import Routing
import SSRRendering
import Synchronization
import TandemApp
import ValidationMacros

// MARK: - The contract: what the API takes and gives

/// A note, as the API answers it.
@Contract
struct Note: Codable {
    var id: Int
    var title: String
    var body: String
    var tags: [String]
}

/// A note to add (`POST /api/notes/`, JSON): every problem is reported at once, as a 422 envelope.
@Contract
struct NewNote: Codable {
    /// 1–100 characters.
    @Field(.string(minLength: 1, maxLength: 100, trimmed: true)) var title: String
    /// Up to 2,000 characters.
    @Field(.string(maxLength: 2000)) var body: String = ""
    /// Up to 5 tags.
    @Field(.array(.string(minLength: 1, maxLength: 20), maxItems: 5)) var tags: [String] = []
}

/// Which notes to list (`GET /api/notes/?tag=&limit=`).
@Contract
struct NoteQuery: Codable {
    @Field(.string(minLength: 1, maxLength: 20)) var tag: String?
    @Field(.integer(1...100)) var limit: Int = 20
}

// MARK: - The API

/// The notes, in memory (a database in your program).
final class NoteStore: Sendable {
    private let notes = Mutex<[Note]>([
        Note(id: 1, title: "Welcome", body: "This note comes from the API, rendered by the page server.", tags: ["hello"])
    ])

    func list(_ query: NoteQuery) -> [Note] {
        self.notes.withLock { notes in Array(notes.filter { query.tag == nil || $0.tags.contains(query.tag!) }.prefix(query.limit)) }
    }

    func note(_ id: Int) -> Note? { self.notes.withLock { $0.first { $0.id == id } } }

    func add(_ new: NewNote) -> Note {
        self.notes.withLock { notes in
            let note = Note(id: (notes.map(\.id).max() ?? 0) + 1, title: new.title, body: new.body, tags: new.tags)
            notes.append(note)
            return note
        }
    }
}

func makeAPI(store: NoteStore) throws -> some HTTPHandler {
    var routes = TrieRouter.Builder()
    routes.get("/api/notes/", handler: APIHandler { request, _ in store.list(try request.decodeQuery(NoteQuery.schema)) })
    routes.post(
        "/api/notes/",
        handler: APIHandler { request, _ -> APIResponse<Note> in
            let note = store.add(try await request.decodeJSON(NewNote.schema))
            return .created(note, location: "/api/notes/\(note.id)/")
        }
    )
    routes.get(
        "/api/notes/:id/",
        handler: APIHandler { _, context in
            guard let note = store.note(try context.parameters.require("id", as: Int.self)) else { throw APIError.notFound("No such note") }
            return note
        }
    )
    return try routes.build()
        .wrapped(in: ErrorMiddleware(EnvelopeErrorRenderer()))
        .wrapped(in: RequestIDMiddleware())
        .wrapped(in: AccessLogMiddleware())
}

// MARK: - The pages

/// `/notes/?tag=`: the list, fetched from the API on every request.
struct NotesPage: Page {
    var route: String { "/notes/" }

    func load(_ context: PageContext) async throws -> PageResult<[Note]> {
        // nil values are left out of the query; an API 422 (a bad tag) becomes a 422 page unless caught here.
        .props(try await context.api.get("/api/notes/", query: [("tag", context.query["tag"]), ("limit", "50")]))
    }

    func render(_ notes: [Note], context: PageContext) -> Document {
        Document(head: Head(title: "Notes", description: "\(notes.count) notes")) {
            h1 { "Notes" }
            ul {
                for note in notes {
                    li { a(.href("/notes/\(note.id)/")) { note.title } }
                }
            }
        }
    }
}

/// `/notes/:id/`: one note; a missing one is a real 404 page.
struct NotePage: Page {
    var route: String { "/notes/:id/" }

    func load(_ context: PageContext) async throws -> PageResult<Note> {
        .props(try await context.api.get("/api/notes/\(context.parameters["id"] ?? "")/"))
    }

    func render(_ note: Note, context: PageContext) -> Document {
        Document(head: Head(title: note.title, description: String(note.body.prefix(150)))) {
            h1 { note.title }
            p { note.body }
            p { a(.href("/notes/")) { "All notes" } }
        }
    }
}

func makeSite(apiURL: String) throws -> some HTTPHandler {
    var site = PageRouter.Builder(api: try APIClient.http(apiURL), errorPages: DefaultErrorPages())
    site.add(NotesPage())
    site.add(NotePage())
    return try site.build().wrapped(in: RequestIDMiddleware()).wrapped(in: AccessLogMiddleware())
}

// MARK: - The gateway and the launcher

func makeGateway(webURL: String, apiURL: String) throws -> some HTTPHandler {
    var gateway = PrefixRouter()
    gateway.location("/notes/", try ReverseProxy(to: webURL))
    gateway.location("/api/", try ReverseProxy(to: apiURL))
    return gateway.wrapped(in: ErrorMiddleware(PlainTextErrorRenderer())).wrapped(in: RequestIDMiddleware())
        .wrapped(in: AccessLogMiddleware())
}

@main
struct Starter {
    static func main() async throws {
        // --host, --api-port, --web-port, --gateway-port, --log-level, --log-format (or HOST, API_PORT, …).
        var app = TandemApp(settings: try .parse())
        let store = NoteStore()
        app.server("api", port: 8000, errorRenderer: EnvelopeErrorRenderer()) { _ in try makeAPI(store: store) }
        app.server("web", port: 3000) { servers in try makeSite(apiURL: servers.url("api")) }
        app.server("gateway", port: 8080) { servers in try makeGateway(webURL: servers.url("web"), apiURL: servers.url("api")) }
        try await app.run { servers in "open \(servers.url("gateway"))/notes/" }
    }
}
