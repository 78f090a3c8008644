// The starter's notes service in Hummingbird 2: the API (with the {status, data, error} envelope and every input
// problem collected), a page server that fetches from it with AsyncHTTPClient, both in one process. The gateway is
// nginx (the same nginx.conf as notes_fastapi.py): Hummingbird has no reverse proxy.
import AsyncHTTPClient
import Foundation
import Hummingbird
import ServiceLifecycle
import Synchronization

struct Note: Codable, Sendable {
    var id: Int
    var title: String
    var body: String
    var tags: [String]
}

/// The JSON body as sent: everything optional, so that every problem can be reported, not the first.
struct NewNoteInput: Decodable {
    var title: String?
    var body: String?
    var tags: [String]?
}

struct Problem: Codable, Sendable {
    var loc: [String]
    var code: String
    var message: String
}

struct Envelope<Data: Encodable>: Encodable {
    var status: String
    var data: Data?
    var error: ErrorBody?
}

struct ErrorBody: Encodable {
    var code: String
    var message: String
    var details: [Problem]?
}

func envelope<Data: Encodable>(_ status: HTTPResponse.Status, _ data: Data?, error: ErrorBody? = nil) throws -> Response {
    let body = Envelope(status: error == nil ? "success" : "error", data: data, error: error)
    return Response(
        status: status,
        headers: [.contentType: "application/json"],
        body: .init(byteBuffer: ByteBuffer(data: try JSONEncoder().encode(body)))
    )
}

func invalid(_ problems: [Problem]) throws -> Response {
    try envelope(
        .unprocessableContent,
        Optional<Note>.none,
        error: ErrorBody(code: "validation_failed", message: "The input is not valid", details: problems)
    )
}

let notes = Mutex([Note(id: 1, title: "Welcome", body: "This note comes from the API.", tags: ["hello"])])

let api = Router()
api.get("/api/notes/") { request, _ -> Response in
    var problems: [Problem] = []
    let tag = request.uri.queryParameters.get("tag")
    if let tag, tag.isEmpty || tag.count > 20 {
        problems.append(Problem(loc: ["tag"], code: "too_short_or_long", message: "1 to 20 characters"))
    }
    var limit = 20
    if let text = request.uri.queryParameters.get("limit") {
        if let value = Int(text), (1...100).contains(value) {
            limit = value
        } else {
            problems.append(Problem(loc: ["limit"], code: "out_of_range", message: "An integer from 1 to 100"))
        }
    }
    guard problems.isEmpty else { return try invalid(problems) }
    let list = notes.withLock { Array($0.filter { tag == nil || $0.tags.contains(tag!) }.prefix(limit)) }
    return try envelope(.ok, list)
}
api.post("/api/notes/") { request, context -> Response in
    let input: NewNoteInput
    do {
        input = try await request.decode(as: NewNoteInput.self, context: context)
    } catch {
        return try invalid([Problem(loc: [], code: "invalid_json", message: "\(error)")])
    }
    var problems: [Problem] = []
    let title = (input.title ?? "").trimmingCharacters(in: .whitespaces)
    if title.isEmpty || title.count > 100 { problems.append(Problem(loc: ["title"], code: "length", message: "1 to 100 characters")) }
    let body = input.body ?? ""
    if body.count > 2000 { problems.append(Problem(loc: ["body"], code: "too_long", message: "At most 2,000 characters")) }
    let tags = input.tags ?? []
    if tags.count > 5 { problems.append(Problem(loc: ["tags"], code: "too_many_items", message: "At most 5 tags")) }
    for (index, tag) in tags.enumerated() where tag.isEmpty || tag.count > 20 {
        problems.append(Problem(loc: ["tags", String(index)], code: "length", message: "1 to 20 characters"))
    }
    guard problems.isEmpty else { return try invalid(problems) }
    let note = notes.withLock { notes in
        let note = Note(id: (notes.map(\.id).max() ?? 0) + 1, title: title, body: body, tags: tags)
        notes.append(note)
        return note
    }
    var response = try envelope(.created, note)
    response.headers[.location] = "/api/notes/\(note.id)/"
    return response
}
api.get("/api/notes/:id/") { _, context -> Response in
    let id = try context.parameters.require("id", as: Int.self)
    guard let note = notes.withLock({ $0.first { $0.id == id } }) else {
        return try envelope(.notFound, Optional<Note>.none, error: ErrorBody(code: "not_found", message: "No such note"))
    }
    return try envelope(.ok, note)
}

struct Answer<Data: Decodable>: Decodable { var data: Data? }

func fetch<Data: Decodable>(_ path: String, as type: Data.Type) async throws -> (HTTPResponse.Status, Data?) {
    let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:8000" + path), timeout: .seconds(10))
    let body = try await response.body.collect(upTo: 8 << 20)
    let answer = try? JSONDecoder().decode(Answer<Data>.self, from: Foundation.Data(buffer: body))
    return (HTTPResponse.Status(code: Int(response.status.code)), answer?.data)
}

func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

func page(_ status: HTTPResponse.Status, _ title: String, _ content: String) -> Response {
    let html = "<!DOCTYPE html><html><head><title>\(escape(title))</title></head><body>\(content)</body></html>"
    return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
}

let web = Router()
web.get("/notes/") { request, _ -> Response in
    var query = "?limit=50"
    if let tag = request.uri.queryParameters.get("tag") {
        query += "&tag=" + (tag.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
    }
    let (status, list) = try await fetch("/api/notes/" + query, as: [Note].self)
    guard status == .ok, let list else { return page(status, "Error", "<h1>\(status.code)</h1>") }
    let items = list.map { "<li><a href=\"/notes/\($0.id)/\">\(escape($0.title))</a></li>" }.joined()
    return page(.ok, "Notes", "<h1>Notes</h1><ul>\(items)</ul>")
}
web.get("/notes/:id/") { _, context -> Response in
    let id = try context.parameters.require("id", as: Int.self)
    let (status, note) = try await fetch("/api/notes/\(id)/", as: Note.self)
    guard status == .ok, let note else { return page(status, "Error", "<h1>\(status.code)</h1>") }
    return page(.ok, note.title, "<h1>\(escape(note.title))</h1><p>\(escape(note.body))</p>")
}

let apiServer = Application(router: api, configuration: .init(address: .hostname("127.0.0.1", port: 8000)))
let webServer = Application(router: web, configuration: .init(address: .hostname("127.0.0.1", port: 3000)))
let group = ServiceGroup(
    configuration: .init(services: [apiServer, webServer], gracefulShutdownSignals: [.sigterm, .sigint], logger: apiServer.logger)
)
try await group.run()
