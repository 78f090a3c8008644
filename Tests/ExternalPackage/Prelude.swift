// What the documentation's Swift blocks refer to without declaring it: each block is compiled inside a function,
// where these stand for the things the prose around it talks about. (`SearchInput` is Documentation/API.md's own.)

let logger = Logger(label: "docs")
let router = try! TrieRouter.Builder().build()
let app = router
let apiRouter = router
let gateway = router
let request = Request(head: HTTPRequest(method: .get, scheme: nil, authority: "t", path: "/"))
let incomingRequest = request
let context = RequestContext(logger: logger)
let body = ByteBuffer(string: #"{"status":"success","data":null,"error":null}"#)
let response = Response(status: .ok)
let httpClient = HTTPClient()
let keys = KeyRing.random()
let tokens = SignedAccessTokens(keys: keys)
nonisolated(unsafe) var routes = TrieRouter.Builder()
let url = URL(fileURLWithPath: "/tmp/search.schema.json")
let webProxy = try! ReverseProxy(to: "http://127.0.0.1:3000")
let apiProxy = try! ReverseProxy(to: "http://127.0.0.1:8000")
let assetServer = try! ReverseProxy(to: "http://127.0.0.1:9000")
let health = HandlerFunction { _, _ in .text("ok\n") }

struct Item: Codable, Sendable {
    var id: Int
    var name: String
    var summary: String
}

struct NewItem: Sendable { var name: String }

struct SearchResults: Codable, Sendable {
    var query: String
    var total: Int
    var results: [Item]
}

/// A search result as a results list shows it.
struct Entry: Sendable {
    var id: Int
    var url: String
    var title: String
    var summary: String?
}

struct Login: Codable, Sendable {
    var username: String
    var password: String
}

struct User: Sendable {
    var id: String
    var name: String
}

struct UserInfo: Codable, Sendable {
    var subject: String
    init(subject: String) { self.subject = subject }
    init(_ user: User) { self.subject = user.id }
}

struct Greeting: Sendable { var name: String }

/// The page props the hydration example embeds.
struct Props: Encodable, Sendable { var query: String }

enum Feedback: Sendable {
    case rating(stars: Int)
    case comment(text: String)
}

struct FeedbackInput: Sendable { var entryID: Int }
struct FeedbackReceipt: Codable, Sendable { var id: String }
func receive(_ input: FeedbackInput) throws -> FeedbackReceipt { FeedbackReceipt(id: "1") }

let ratingSchema = Schema<Int>("Rating") { s in
    let stars = s.field("stars", .integer(1...5))
    return { $0[stars] }
}
let commentSchema = Schema<String>("Comment") { s in
    let text = s.field("text", .string(minLength: 1))
    return { $0[text] }
}

enum Contracts {
    static let search = SearchInput.schema
    static let item = Schema<Item>("Item") { s in
        let id = s.field("id", .integer())
        let name = s.field("name", .string())
        let summary = s.field("summary", .string())
        return { Item(id: $0[id], name: $0[name], summary: $0[summary]) }
    }
    static let catalogueEntry = item
    static let searchResults = Schema<SearchResults>("SearchResults") { s in
        let query = s.field("query", .string())
        let total = s.field("total", .integer())
        let results = s.field("results", .array(.object(item)))
        return { SearchResults(query: $0[query], total: $0[total], results: $0[results]) }
    }
    static let feedback = Schema<FeedbackInput>("FeedbackSchema") { s in
        let entry = s.field("entry_id", .integer(minimum: 1, maximum: nil))
        return { FeedbackInput(entryID: $0[entry]) }
    }
    static let feedbackReceipt = Schema<FeedbackReceipt>("FeedbackReceipt") { s in
        let id = s.field("id", .string(format: .uuid))
        return { FeedbackReceipt(id: $0[id]) }
    }
    static let newItem = Schema<NewItem>("NewItem") { s in
        let name = s.field("name", .string(minLength: 1))
        return { values in NewItem(name: values[name]) }
    }
    static let login = Schema<Login>("Login") { s in
        let username = s.field("username", .string(minLength: 1))
        let password = s.field("password", .string(minLength: 1))
        return { values in Login(username: values[username], password: values[password]) }
    }
}

struct Catalogue: Sendable {
    func search(_ input: SearchInput) -> SearchResults { SearchResults(query: input.query, total: 0, results: []) }
    func entry(_ id: Int) -> Item? { nil }
}
let catalogue = Catalogue()

final class ItemStore: Sendable {
    func add(_ item: NewItem) async throws -> Item { Item(id: 1, name: item.name, summary: "") }
    func remove(_ id: Int) async throws {}
}
let store = ItemStore()

struct Users: Sendable {
    func check(_ login: Login) -> User? { nil }
}
let users = Users()

func recommendations(for user: UserInfo) async throws -> [Entry] { [] }

struct AdminOnly: Middleware {
    func handle(_ request: Request, context: RequestContext, next: some HTTPHandler) async throws -> Response {
        try await next.handle(request, context: context)
    }
}

struct NotFoundPage: HTTPHandler {
    func handle(_ request: Request, context: RequestContext) async throws -> Response { Response(status: .notFound) }
}

func makeSite(api: APIClient) throws -> some HTTPHandler {
    let site = PageRouter.Builder(api: api, errorPages: DefaultErrorPages())
    return try site.build()
}

struct SiteErrorPages: ErrorPages {
    func document(for error: PageError) -> Document { Document(head: Head(title: "\(error.status.code)")) { h1 { error.message } } }
}
