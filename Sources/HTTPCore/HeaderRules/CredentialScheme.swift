/// A way a request proves who sends it, named for API descriptions (OpenAPI `securitySchemes`).
public enum CredentialScheme: Sendable, Hashable {
    /// `Authorization: Bearer <token>` (RFC 6750).
    case bearer
    /// A cookie with this name.
    case cookie(String)
    /// A header with this name (`X-API-Key`).
    case header(String)
}

/// A middleware that admits only requests carrying credentials, and says which ones: API descriptions (OpenAPI's
/// `security`, the generated clients) read it from the routes it guards, so the description cannot forget a guard.
///
/// ```swift
/// struct APIKeyOnly: AuthenticatingMiddleware {
///     var credentialSchemes: [CredentialScheme] { [.header("X-API-Key")] }
///     func handle(_ request: Request, context: RequestContext, next: some HTTPHandler) async throws -> Response { … }
/// }
/// ```
public protocol AuthenticatingMiddleware: Middleware {
    /// The schemes a request may use, any one of which is enough; empty when the middleware lets anonymous
    /// requests through.
    var credentialSchemes: [CredentialScheme] { get }
}
