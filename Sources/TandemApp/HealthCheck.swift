public import HTTPCore
import HTTPTypes
import NIOHTTP1

/// Answers `GET` and `HEAD` on `/healthz` with `200 ok` (for load balancers and orchestrators) and passes
/// every other request to `next`. An event-loop fast path of `next` (a gateway's proxying) is kept for every
/// other path.
///
/// ```swift
/// let server = HTTPServer(handler: HealthCheck(router), configuration: .init(port: 8000))
/// ```
public struct HealthCheck<Next: HTTPHandler>: HTTPHandler {
    /// The handler behind the check.
    public let next: Next
    /// The path answered (`/healthz`).
    public let path: String

    /// Answers `path` itself and passes the rest to `next`.
    public init(_ next: Next, path: String = "/healthz") {
        self.next = next
        self.path = path
    }

    public func handle(_ request: Request, context: RequestContext) async throws -> Response {
        if request.path == self.path, request.method == .get || request.method == .head {
            return .text("ok\n")
        }
        return try await self.next.handle(request, context: context)
    }
}

extension HealthCheck: FastPathCapable {
    package func makeFastPath(_ plan: FastPathPlan) -> (any HTTPFastPath)? {
        guard let next = (self.next as? any FastPathCapable)?.makeFastPath(plan) else { return nil }
        return HealthCheckFastPath(next: next, path: self.path)
    }
}

/// The fast path of the handler behind a health check, minus the check's own path.
struct HealthCheckFastPath: HTTPFastPath {
    let next: any HTTPFastPath
    let path: String

    func take(_ head: HTTPRequestHead, path: Substring, connection: FastPathConnection) -> Bool {
        path == self.path ? false : self.next.take(head, path: path, connection: connection)
    }
}
