public import HTTPCore
import HTTPTypes
import NIOHTTP1

/// nginx-style `location` routing for gateways: exact and prefix locations, longest prefix wins.
///
/// The path is normalised once (``PathNormalizer``) before matching and the request is passed on with
/// the normalised path, so what is matched is exactly what the handler or upstream receives. A path that
/// cannot be normalised safely is answered 400. A request for `/search` when only `/search/` is a
/// location is redirected (301) to `/search/`, as nginx does.
///
/// ```swift
/// var gateway = PrefixRouter()
/// gateway.location("/search/", webProxy)
/// gateway.location("/api/", apiProxy)
/// gateway.location("/", apiProxy)
/// gateway.exactLocation("/healthz", HandlerFunction { _, _ in .text("ok") })
/// ```
public struct PrefixRouter: HTTPHandler {
    /// What happens to the matched prefix before the request is passed on.
    public struct PrefixRewrite: Sendable, Hashable {
        enum Kind: Hashable { case keep, strip, replace(String) }
        let kind: Kind

        /// Pass the path as it is (nginx `proxy_pass http://up;`).
        public static var keep: Self { Self(kind: .keep) }
        /// Remove the prefix, keeping a leading `/` (nginx `proxy_pass http://up/;`).
        public static var strip: Self { Self(kind: .strip) }
        /// Replace the prefix with `replacement` (nginx `proxy_pass http://up/v2/;`).
        public static func replace(with replacement: String) -> Self { Self(kind: .replace(replacement)) }
    }

    struct Location: Sendable {
        let path: String
        let exact: Bool
        let rewrite: PrefixRewrite
        let handler: AnyHTTPHandler
    }

    private(set) var exact: [String: Location] = [:]
    /// Prefix locations, longest first.
    private(set) var prefixes: [Location] = []
    private var notFound: AnyHTTPHandler?

    /// An empty router: every path is 404 until locations are added.
    public init() {}

    /// Routes every path starting with `prefix` to `handler`; a later location with the same prefix replaces it.
    public mutating func location(_ prefix: String, rewrite: PrefixRewrite = .keep, _ handler: some HTTPHandler) {
        let location = Location(path: prefix, exact: false, rewrite: rewrite, handler: AnyHTTPHandler(handler))
        self.prefixes.removeAll { $0.path == prefix }
        let index = self.prefixes.firstIndex { $0.path.utf8.count < prefix.utf8.count } ?? self.prefixes.endIndex
        self.prefixes.insert(location, at: index)
    }

    /// Routes exactly `path` to `handler` (nginx `location = /path`); exact locations win over prefixes.
    public mutating func exactLocation(_ path: String, rewrite: PrefixRewrite = .keep, _ handler: some HTTPHandler) {
        self.exact[path] = Location(path: path, exact: true, rewrite: rewrite, handler: AnyHTTPHandler(handler))
    }

    /// The handler for paths no location matches (404 by default).
    public mutating func fallback(_ handler: some HTTPHandler) {
        self.notFound = AnyHTTPHandler(handler)
    }

    public func handle(_ request: Request, context: RequestContext) async throws -> Response {
        let path = try PathNormalizer.normalizedPath(of: request)
        let location: Location
        switch self.route(path) {
        case .exact(let exact):
            location = exact
        case .prefix(let index):
            location = self.prefixes[index]
        case .addSlash:
            let query = request.queryString.map { "?" + $0 } ?? ""
            return Response(status: .movedPermanently, headers: [.location: path + "/" + query])
        case .noLocation:
            if let notFound = self.notFound {
                return try await notFound.handle(request.retargeted(to: path), context: context)
            }
            throw HTTPError(.notFound)
        }
        context.recordRoute(location.path)
        return try await location.handler.handle(request.retargeted(to: Self.forwarded(path, location: location)), context: context)
    }

    /// Where a normalised path goes; the async path and the event-loop fast path both ask this.
    enum Route {
        /// To an exact location.
        case exact(Location)
        /// To the prefix location at this index of ``prefixes``.
        case prefix(Int)
        /// A 301 to `path + "/"`: a prefix location is exactly that (nginx, for `location /search/`
        /// and a request for `/search`, even when `location /` exists).
        case addSlash
        case noLocation
    }

    /// Exact locations first, then a prefix location the path lacks only its slash for, then the longest prefix.
    /// - Parameter exactLengths: the lengths of the exact locations' paths, when the caller knows them: most paths
    ///   then need no dictionary lookup.
    func route(_ path: some StringProtocol, exactLengths: Set<Int>? = nil) -> Route {
        if exactLengths?.contains(path.utf8.count) ?? true, let exact = self.exact[String(path)] {
            return .exact(exact)
        }
        if !path.hasSuffix("/"),
            self.prefixes.contains(where: { $0.path.utf8.count == path.utf8.count + 1 && $0.path.hasPrefix(path) })
        {
            return .addSlash
        }
        guard let index = self.prefixes.firstIndex(where: { path.hasPrefix($0.path) }) else { return .noLocation }
        return .prefix(index)
    }

    /// The path `location`'s handler receives for `path`: its prefix kept, stripped or replaced.
    static func forwarded(_ path: Substring, location: Location) -> Substring {
        switch location.rewrite.kind {
        case .keep:
            path
        case .strip:
            Substring("/" + path.dropFirst(location.path.utf8.count).drop { $0 == "/" })
        case .replace(let replacement):
            Substring(replacement + path.dropFirst(location.path.utf8.count))
        }
    }

    static func forwarded(_ path: String, location: Location) -> String {
        String(Self.forwarded(path[...], location: location))
    }
}

extension Request {
    /// The request with `path` (already normalised) as its path, the query kept: what routers pass on, so that
    /// what was matched is what the handler or upstream receives.
    package func retargeted(to path: String) -> Request {
        guard self.path != path else { return self }
        var request = self
        request.head.path = request.queryString.map { path + "?" + $0 } ?? path
        return request
    }
}

extension PrefixRouter: FastPathCapable {
    package func makeFastPath(_ plan: FastPathPlan) -> (any HTTPFastPath)? {
        let paths = self.prefixes.map { ($0, $0.handler.makeFastPath(plan)) }
        guard paths.contains(where: { $0.1 != nil }) else { return nil }
        return PrefixFastPath(router: self, fastPaths: paths.map(\.1), exactLengths: Set(self.exact.keys.map(\.utf8.count)))
    }
}

/// A router's fast path: the locations whose handlers have one take their requests over on the loop;
/// everything else (exact locations, no match, paths that need a redirect or a 400) stays on the async path.
struct PrefixFastPath: HTTPFastPath {
    let router: PrefixRouter
    /// Per prefix location, in the router's order.
    let fastPaths: [(any HTTPFastPath)?]
    /// The lengths of the exact locations' paths: most paths need no dictionary lookup.
    let exactLengths: Set<Int>

    func take(_ head: HTTPRequestHead, path: Substring, connection: FastPathConnection) -> Bool {
        var normalized = path
        if !PathNormalizer.isNormalized(path) {
            // Rare; and a path that cannot be normalised is the async path's 400. Once normalised, a path is
            // normal (a fixed point, which the normaliser's tests and fuzz target hold it to).
            guard let path = try? PathNormalizer.normalize(path) else { return false }
            normalized = Substring(path)
        }
        // The same routing decision as the async path, so the two cannot disagree on where a request goes.
        guard case .prefix(let index) = self.router.route(normalized, exactLengths: self.exactLengths),
            let fastPath = self.fastPaths[index]
        else { return false }
        connection.setRoute(self.router.prefixes[index].path)
        return fastPath.take(head, path: PrefixRouter.forwarded(normalized, location: self.router.prefixes[index]), connection: connection)
    }
}
