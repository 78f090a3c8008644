public import HTTPCore
public import HTTPTypes

/// Verifies `Authorization: Bearer <token>` (scheme case-insensitive) — and optionally the access-token
/// cookie — and puts the ``Identity`` in the context.
///
/// Without a valid token: 401 with `WWW-Authenticate: Bearer`, rendered by the mount's error renderer
/// (the JSON envelope under an API mount). With `required: false` the request continues anonymous.
///
/// ```swift
/// routes.group("/api/user", middleware: [BearerAuthMiddleware(verifier: tokens, cookieName: "access_token")]) { ... }
/// ```
public struct BearerAuthMiddleware<Verifier: TokenVerifier>: AuthenticatingMiddleware {
    /// Checks tokens.
    public let verifier: Verifier
    /// A cookie to read the token from when there is no `Authorization` header (`nil`: header only).
    public let cookieName: String?
    /// Whether requests without a valid token are refused.
    public let required: Bool

    /// Creates the middleware.
    public init(verifier: Verifier, cookieName: String? = nil, required: Bool = true) {
        self.verifier = verifier
        self.cookieName = cookieName
        self.required = required
    }

    /// `bearer`, and the cookie when one is read; none when `required` is `false`.
    public var credentialSchemes: [CredentialScheme] {
        guard self.required else { return [] }
        return [.bearer] + (self.cookieName.map { [.cookie($0)] } ?? [])
    }

    public func handle(_ request: Request, context: RequestContext, next: some HTTPHandler) async throws -> Response {
        var context = context
        let token = Self.bearerToken(in: request.headers) ?? self.cookieName.flatMap { request.cookies[$0] }
        if let token, let identity = await self.verifier.verify(token) {
            context.storage[AuthenticatedIdentity.self] = identity
        } else if self.required {
            let challenge = token == nil ? "Bearer" : #"Bearer error="invalid_token""#
            throw HTTPError(.unauthorized, message: "Authentication required", headers: [.wwwAuthenticate: challenge])
        }
        return try await next.handle(request, context: context)
    }

    /// The token of an `Authorization: Bearer` header (RFC 6750 §2.1; the scheme is case-insensitive).
    public static func bearerToken(in headers: HTTPFields) -> String? {
        guard let value = headers[.authorization] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingOWS
        return token.isEmpty ? nil : token
    }
}
