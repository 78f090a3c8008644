public import HTTPCore
public import HTTPTypes

/// A router for API routes: a segment trie with constants, `:parameters`, `*` and `**`.
///
/// - Priority: constant beats `:parameter` beats `*` (one segment) beats `**` (the rest of the path);
///   a more specific branch that fails deeper down falls back to the next one.
/// - A path that exists with other methods answers 405 with `Allow`; `HEAD` is served by `GET` routes
///   (the server sends no body); unknown paths go to the fallback, or 404.
/// - Paths are normalised (``PathNormalizer``) before matching; trailing slashes do not matter.
/// - Captured values are in ``RequestContext/parameters``; `**` is captured as `"**"`.
///
/// Build one with ``TrieRouter/Builder``, which rejects duplicate routes:
/// ```swift
/// var routes = TrieRouter.Builder()
/// routes.get("/api/items/:id") { _, context in
///     let id = try context.parameters.require("id", as: Int.self)
///     return .text("item \(id)")
/// }
/// routes.group("/admin", middleware: [AdminOnly()]) { admin in
///     admin.post("/reindex") { _, _ in Response(status: .accepted) }
/// }
/// let router = try routes.build()
/// ```
public struct TrieRouter: HTTPHandler {
    struct Route: Sendable {
        let pattern: String
        let parameterNames: [String?]
        let handler: AnyHTTPHandler
    }

    struct Node: Sendable {
        var constants: [Substring: Int] = [:]
        var parameter: Int?
        var wildcard: Int?
        var catchAll: Int?
        var routes: [HTTPRequest.Method: Route] = [:]
    }

    var nodes: [Node] = [Node()]
    var fallback: AnyHTTPHandler?
    var entries: [RouteEntry] = []

    /// Every route, in the order it was added: what API descriptions (OpenAPI, generated clients) are made from.
    public var routes: [RouteEntry] { self.entries }

    public func handle(_ request: Request, context: RequestContext) async throws -> Response {
        let path = try PathNormalizer.normalizedPath(of: request)
        switch self.resolve(method: request.method, path: path) {
        case .found(let route, let captures):
            context.recordRoute(route.pattern)
            var context = context
            for (name, value) in zip(route.parameterNames, captures) {
                if let name { context.parameters.append(name, value) }
            }
            return try await route.handler.handle(request.retargeted(to: path), context: context)
        case .methodNotAllowed(let allowed):
            throw HTTPError(.methodNotAllowed, headers: [.allow: allowed.map(\.rawValue).joined(separator: ", ")])
        case .notFound:
            if let fallback = self.fallback {
                return try await fallback.handle(request.retargeted(to: path), context: context)
            }
            throw HTTPError(.notFound)
        }
    }

    /// The outcome of matching a path.
    enum Resolution {
        case found(Route, captures: [String])
        case methodNotAllowed([HTTPRequest.Method])
        case notFound
    }

    /// Matches a normalised path.
    func resolve(method: HTTPRequest.Method, path: String) -> Resolution {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var captures: [String] = []
        var firstPathMatch: Int?
        if let route = self.search(node: 0, segments: segments[...], method: method, captures: &captures, firstPathMatch: &firstPathMatch) {
            return .found(route, captures: captures)
        }
        guard let node = firstPathMatch else { return .notFound }
        var allowed = Set(self.nodes[node].routes.keys)
        if allowed.contains(.get) { allowed.insert(.head) }
        return .methodNotAllowed(allowed.sorted { $0.rawValue < $1.rawValue })
    }

    private func search(
        node index: Int,
        segments: ArraySlice<Substring>,
        method: HTTPRequest.Method,
        captures: inout [String],
        firstPathMatch: inout Int?
    ) -> Route? {
        let node = self.nodes[index]
        guard let segment = segments.first else {
            if let route = self.route(in: node, for: method) { return route }
            if !node.routes.isEmpty, firstPathMatch == nil { firstPathMatch = index }
            // `/files/**` also matches `/files/`.
            if let catchAll = node.catchAll {
                captures.append("")
                if let route = self.route(in: self.nodes[catchAll], for: method) { return route }
                if firstPathMatch == nil, !self.nodes[catchAll].routes.isEmpty { firstPathMatch = catchAll }
                captures.removeLast()
            }
            return nil
        }
        let rest = segments.dropFirst()
        if let child = node.constants[segment],
            let route = self.search(node: child, segments: rest, method: method, captures: &captures, firstPathMatch: &firstPathMatch)
        {
            return route
        }
        for child in [node.parameter, node.wildcard].compactMap({ $0 }) {
            captures.append(PercentDecoding.decode(segment.utf8, plusAsSpace: false))
            if let route = self.search(node: child, segments: rest, method: method, captures: &captures, firstPathMatch: &firstPathMatch) {
                return route
            }
            captures.removeLast()
        }
        if let catchAll = node.catchAll {
            let remainder = segments.joined(separator: "/")
            captures.append(PercentDecoding.decode(remainder.utf8, plusAsSpace: false))
            if let route = self.route(in: self.nodes[catchAll], for: method) { return route }
            if firstPathMatch == nil, !self.nodes[catchAll].routes.isEmpty { firstPathMatch = catchAll }
            captures.removeLast()
        }
        return nil
    }

    private func route(in node: Node, for method: HTTPRequest.Method) -> Route? {
        if let route = node.routes[method] { return route }
        if method == .head { return node.routes[.get] }
        return nil
    }
}

/// Why a ``TrieRouter/Builder`` could not build.
public struct RouterBuildError: Error, Hashable, CustomStringConvertible {
    /// One line per problem.
    public let problems: [String]
    public var description: String { "Invalid routes:\n" + self.problems.joined(separator: "\n") }
}

extension TrieRouter {
    /// Collects routes; ``build()`` checks them and makes the router.
    public struct Builder: Sendable {
        private var router = TrieRouter()
        private var problems: [String] = []
        private var registered: [String: String] = [:]

        /// An empty builder.
        public init() {}

        /// Adds a route for `method` and `pattern`.
        ///
        /// Pattern segments: `name` (constant), `:name` (one segment, captured), `*` (one segment),
        /// `**` (the rest of the path, captured as `"**"`; only last).
        public mutating func on(_ method: HTTPRequest.Method, _ pattern: String, handler: some HTTPHandler) {
            let registered = AnyHTTPHandler(handler)
            self.add(RouteEntry(method: method, pattern: pattern, handler: handler, middleware: [], registered: registered))
        }

        private mutating func add(_ entry: RouteEntry) {
            let method = entry.method
            let pattern = entry.pattern
            let segments = pattern.split(separator: "/", omittingEmptySubsequences: true)
            var index = 0
            var names: [String?] = []
            var shape: [String] = []
            for (position, segment) in segments.enumerated() {
                if segment == "**" {
                    if position != segments.count - 1 {
                        self.problems.append("\(method) \(pattern): '**' must be the last segment")
                        return
                    }
                    index = self.child(of: index, \.catchAll)
                    names.append("**")
                    shape.append("**")
                } else if segment == "*" {
                    index = self.child(of: index, \.wildcard)
                    names.append(nil)
                    shape.append("*")
                } else if segment.first == ":" {
                    guard segment.count > 1 else {
                        self.problems.append("\(method) \(pattern): parameter without a name")
                        return
                    }
                    index = self.child(of: index, \.parameter)
                    names.append(String(segment.dropFirst()))
                    shape.append(":")
                } else {
                    if let existing = self.router.nodes[index].constants[segment] {
                        index = existing
                    } else {
                        self.router.nodes.append(TrieRouter.Node())
                        let new = self.router.nodes.count - 1
                        self.router.nodes[index].constants[segment] = new
                        index = new
                    }
                    shape.append(String(segment))
                }
            }
            let key = "\(method.rawValue) /\(shape.joined(separator: "/"))"
            if let previous = self.registered[key] {
                self.problems.append("\(method) \(pattern) duplicates \(previous)")
                return
            }
            self.registered[key] = "\(method) \(pattern)"
            self.router.nodes[index].routes[method] = Route(pattern: pattern, parameterNames: names, handler: entry.registered)
            self.router.entries.append(entry)
        }

        /// Adds a route answered by a closure.
        public mutating func on(
            _ method: HTTPRequest.Method,
            _ pattern: String,
            _ handler: @escaping @Sendable (Request, RequestContext) async throws -> Response
        ) {
            self.on(method, pattern, handler: HandlerFunction(handler))
        }

        /// Adds a `GET` route (also answers `HEAD`).
        public mutating func get(_ pattern: String, _ handler: @escaping @Sendable (Request, RequestContext) async throws -> Response) {
            self.on(.get, pattern, handler)
        }

        /// Adds a `POST` route.
        public mutating func post(_ pattern: String, _ handler: @escaping @Sendable (Request, RequestContext) async throws -> Response) {
            self.on(.post, pattern, handler)
        }

        /// Adds a `PUT` route.
        public mutating func put(_ pattern: String, _ handler: @escaping @Sendable (Request, RequestContext) async throws -> Response) {
            self.on(.put, pattern, handler)
        }

        /// Adds a `PATCH` route.
        public mutating func patch(_ pattern: String, _ handler: @escaping @Sendable (Request, RequestContext) async throws -> Response) {
            self.on(.patch, pattern, handler)
        }

        /// Adds a `DELETE` route.
        public mutating func delete(_ pattern: String, _ handler: @escaping @Sendable (Request, RequestContext) async throws -> Response) {
            self.on(.delete, pattern, handler)
        }

        /// Adds a `GET` route answered by `handler` (also answers `HEAD`).
        public mutating func get(_ pattern: String, handler: some HTTPHandler) { self.on(.get, pattern, handler: handler) }

        /// Adds a `POST` route answered by `handler`.
        public mutating func post(_ pattern: String, handler: some HTTPHandler) { self.on(.post, pattern, handler: handler) }

        /// Adds a `PUT` route answered by `handler`.
        public mutating func put(_ pattern: String, handler: some HTTPHandler) { self.on(.put, pattern, handler: handler) }

        /// Adds a `PATCH` route answered by `handler`.
        public mutating func patch(_ pattern: String, handler: some HTTPHandler) { self.on(.patch, pattern, handler: handler) }

        /// Adds a `DELETE` route answered by `handler`.
        public mutating func delete(_ pattern: String, handler: some HTTPHandler) { self.on(.delete, pattern, handler: handler) }

        /// Adds the routes `body` declares under `prefix`, each wrapped in `middleware` (first = outermost).
        public mutating func group(_ prefix: String, middleware: [any Middleware] = [], _ body: (inout Builder) -> Void) {
            var group = Builder()
            body(&group)
            self.problems.append(contentsOf: group.problems)
            for entry in group.router.entries {
                var handler = entry.registered
                for layer in middleware.reversed() {
                    handler = AnyHTTPHandler(ExistentialMiddlewareHandler(middleware: layer, next: handler))
                }
                let pattern =
                    prefix.hasSuffix("/") || entry.pattern.hasPrefix("/") ? prefix + entry.pattern : prefix + "/" + entry.pattern
                self.add(
                    RouteEntry(
                        method: entry.method,
                        pattern: pattern,
                        handler: entry.handler,
                        middleware: middleware + entry.middleware,
                        registered: handler
                    )
                )
            }
        }

        /// Every route added so far, in order (see ``TrieRouter/routes``).
        public var routes: [RouteEntry] { self.router.entries }

        /// The handler for paths no route matches (404 by default).
        public mutating func fallback(_ handler: some HTTPHandler) {
            self.router.fallback = AnyHTTPHandler(handler)
        }

        /// The router.
        /// - Throws: ``RouterBuildError`` listing every duplicate or malformed route.
        public func build() throws(RouterBuildError) -> TrieRouter {
            guard self.problems.isEmpty else { throw RouterBuildError(problems: self.problems) }
            return self.router
        }

        private mutating func child(of index: Int, _ edge: WritableKeyPath<TrieRouter.Node, Int?>) -> Int {
            if let existing = self.router.nodes[index][keyPath: edge] { return existing }
            self.router.nodes.append(TrieRouter.Node())
            let new = self.router.nodes.count - 1
            self.router.nodes[index][keyPath: edge] = new
            return new
        }
    }
}

/// A route as added to a ``TrieRouter/Builder``: method, full pattern, the handler as given and the groups' middleware
/// around it. API descriptions read it (an `APIHandler` describes its operation, an `AuthenticatingMiddleware` its
/// credentials).
///
/// ```swift
/// for route in router.routes { print(route.method, route.pattern) }   // GET /api/items/:id
/// ```
public struct RouteEntry: Sendable {
    /// The method.
    public let method: HTTPRequest.Method
    /// The pattern, with every group prefix (`/api/items/:id`).
    public let pattern: String
    /// The handler as it was added, before any group middleware.
    public let handler: any HTTPHandler
    /// The middleware of the groups around the route, outermost first.
    public let middleware: [any Middleware]
    /// What the router runs: the handler inside the middleware.
    let registered: AnyHTTPHandler

    /// The names of the pattern's `:name` segments, in order.
    public var parameterNames: [String] {
        var names: [String] = []
        for segment in self.pattern.split(separator: "/", omittingEmptySubsequences: true) where segment.first == ":" {
            names.append(String(segment.dropFirst()))
        }
        return names
    }
}

/// Runs an existential middleware around a handler (used by groups, at configuration time).
struct ExistentialMiddlewareHandler: HTTPHandler {
    let middleware: any Middleware
    let next: AnyHTTPHandler

    func handle(_ request: Request, context: RequestContext) async throws -> Response {
        try await self.middleware.handle(request, context: context, next: self.next)
    }
}
