import CookieAuth
import Crypto
import Foundation

/// A signed-in user as the API returns it.
public struct UserInfo: Sendable, Hashable, Codable {
    /// The user name (the token subject).
    public var username: String
    /// The display name.
    public var name: String
}

/// The demo's user directory: `ada`/`lovelace` and `grace`/`hopper`.
///
/// Passwords are kept as SHA-256 digests and compared in constant time — a demo, not a password store
/// (use a slow KDF such as scrypt or Argon2 for real credentials).
public struct UserDirectory: Sendable {
    struct Account: Sendable {
        let info: UserInfo
        let passwordDigest: [UInt8]
    }

    private let accounts: [String: Account]

    /// The demo users.
    public static let demo = UserDirectory(users: [("ada", "Ada Lovelace", "lovelace"), ("grace", "Grace Hopper", "hopper")])

    /// A directory of `(username, display name, password)`.
    public init(users: [(String, String, String)]) {
        var accounts: [String: Account] = [:]
        for (username, name, password) in users {
            accounts[username] = Account(
                info: UserInfo(username: username, name: name),
                passwordDigest: Array(SHA256.hash(data: Data(password.utf8)))
            )
        }
        self.accounts = accounts
    }

    /// The user, when the password is right.
    public func authenticate(_ username: String, password: String) -> UserInfo? {
        let digest = Array(SHA256.hash(data: Data(password.utf8)))
        guard let account = self.accounts[username] else { return nil }
        return constantTimeEquals(digest, account.passwordDigest) ? account.info : nil
    }

    /// The user called `username`.
    public func user(_ username: String) -> UserInfo? {
        self.accounts[username]?.info
    }
}
