public import Foundation
public import HTTPCore
import HTTPTypes

/// Who a request is from, once a token was verified.
public struct Identity: Sendable, Hashable {
    /// The subject (user id or name).
    public var subject: String

    /// Creates an identity.
    public init(subject: String) {
        self.subject = subject
    }
}

/// ``RequestContext/storage`` key for the verified ``Identity``.
public enum AuthenticatedIdentity: ContextKey {
    public typealias Value = Identity
}

extension RequestContext {
    /// The identity ``BearerAuthMiddleware`` verified, if any.
    public var identity: Identity? { self.storage[AuthenticatedIdentity.self] }

    /// The identity ``BearerAuthMiddleware`` verified, for a handler that needs one (behind `required: false`, say);
    /// without one, the 401 the middleware answers (`WWW-Authenticate: Bearer`), never a crash as
    /// `context.identity!` would be.
    ///
    /// ```swift
    /// routes.delete("/api/bookmarks/:id") { _, context in
    ///     let owner = try context.requireIdentity().subject
    ///     …
    /// }
    /// ```
    /// - Throws: `HTTPError` 401.
    public func requireIdentity() throws -> Identity {
        guard let identity = self.identity else {
            throw HTTPError(.unauthorized, message: "Authentication required", headers: [.wwwAuthenticate: "Bearer"])
        }
        return identity
    }
}

/// Turns a bearer token into an identity: the seam between auth middleware and how tokens are kept.
public protocol TokenVerifier: Sendable {
    /// The identity for `token`, or `nil` when it is invalid, expired or revoked.
    func verify(_ token: String) async -> Identity?
}

/// Stateless access tokens: the subject signed and timed with a ``KeyRing`` (the default).
///
/// Any number of API instances that share the key ring accept each other's tokens, with no shared store,
/// so scaling out behind a load balancer logs nobody out.
///
/// ```swift
/// let tokens = SignedAccessTokens(keys: .fromEnvironment(logger: logger))
/// let token = tokens.issue(for: Identity(subject: "ada"))
/// ```
public struct SignedAccessTokens: TokenVerifier {
    /// The signer.
    public let signer: CookieSigner
    /// How long an issued token is valid. Default 1 hour.
    public let lifetime: Duration
    /// The name the tokens are bound to (the cookie that carries them). Default `access_token`.
    public let name: String

    /// Creates the token format.
    public init(keys: KeyRing, lifetime: Duration = .seconds(3600), name: String = "access_token") {
        self.signer = CookieSigner(keys: keys)
        self.lifetime = lifetime
        self.name = name
    }

    /// A new token for `identity`.
    public func issue(for identity: Identity, now: Date = Date()) -> String {
        self.signer.sign(identity.subject, name: self.name, expiresIn: self.lifetime, now: now)
    }

    public func verify(_ token: String) async -> Identity? {
        self.signer.verify(token, name: self.name).map(Identity.init(subject:))
    }
}

/// Opaque random tokens kept in memory, with expiry, a size bound and revocation.
///
/// For one instance, or when revocation must be immediate; the store is not shared between processes.
public final class InMemoryTokenStore: TokenVerifier {
    private let store: ExpiringStore<Identity>
    /// How long a token lives.
    public var lifetime: Duration { self.store.lifetime }
    /// The most tokens kept; the ones closest to expiry are dropped first.
    public var capacity: Int { self.store.capacity }

    /// Creates a store.
    public init(lifetime: Duration = .seconds(3600), capacity: Int = 100_000) {
        self.store = ExpiringStore(lifetime: lifetime, capacity: capacity)
    }

    /// A new random 256-bit token for `identity`.
    public func issue(for identity: Identity) -> String {
        self.store.insert(identity)
    }

    /// Forgets `token`.
    public func revoke(_ token: String) {
        self.store.remove(token)
    }

    public func verify(_ token: String) async -> Identity? {
        self.store.value(for: token)
    }
}

/// 256 random bits, base64url.
func randomToken() -> String {
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    return CookieSigner.base64URL(bytes)
}
