import Crypto
public import Foundation
public import Logging

/// HMAC-SHA256 keys for signed values: the newest signs, all verify (rotation without logging users out).
///
/// ```swift
/// let keys = try KeyRing(base64Keys: ["bmV3IGtleS4uLg==", "b2xkIGtleS4uLg=="])   // newest first
/// let keys = KeyRing.fromEnvironment("TANDEM_COOKIE_KEYS", logger: logger)       // comma-separated base64
/// ```
public struct KeyRing: Sendable {
    /// Raw key bytes, newest first (`SymmetricKey` is not `Sendable` in swift-crypto 3).
    let keyBytes: [[UInt8]]

    /// The keys, newest first.
    var keys: [SymmetricKey] { self.keyBytes.map { SymmetricKey(data: $0) } }

    /// Keys from raw bytes, newest first; each at least 32 bytes.
    /// - Throws: ``KeyRingError`` for an empty ring or a short key.
    public init(keys: [[UInt8]]) throws(KeyRingError) {
        guard !keys.isEmpty else { throw .empty }
        guard keys.allSatisfy({ $0.count >= 32 }) else { throw .keyTooShort }
        self.keyBytes = keys
    }

    /// Keys from base64 strings, newest first.
    public init(base64Keys: [String]) throws(KeyRingError) {
        var decoded: [[UInt8]] = []
        for key in base64Keys {
            guard let data = Data(base64Encoded: key.trimmingCharacters(in: .whitespaces)) else { throw .notBase64 }
            decoded.append(Array(data))
        }
        try self.init(keys: decoded)
    }

    /// One new random 256-bit key (values signed with it do not survive a restart).
    public static func random() -> KeyRing {
        var generator = SystemRandomNumberGenerator()
        return KeyRing(uncheckedKeys: [(0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }])
    }

    /// Keys from the environment variable `name` (comma-separated base64, newest first); a random key, with
    /// a logged warning, when it is not set — every instance behind a load balancer must share the keys.
    public static func fromEnvironment(_ name: String = "TANDEM_COOKIE_KEYS", logger: Logger) -> KeyRing {
        if let value = ProcessInfo.processInfo.environment[name], !value.isEmpty {
            do {
                return try KeyRing(base64Keys: value.split(separator: ",").map(String.init))
            } catch {
                logger.error("Ignoring \(name): \(error); using a random key")
            }
        } else {
            logger.warning("\(name) is not set: signing with a random key. Sessions end at restart and are not shared between instances.")
        }
        return .random()
    }

    private init(uncheckedKeys: [[UInt8]]) {
        self.keyBytes = uncheckedKeys
    }
}

/// Why a key ring could not be made.
public struct KeyRingError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Hashable, Sendable { case empty, keyTooShort, notBase64 }
    private let kind: Kind

    /// No keys.
    public static var empty: Self { Self(kind: .empty) }
    /// A key shorter than 32 bytes.
    public static var keyTooShort: Self { Self(kind: .keyTooShort) }
    /// A key that is not base64.
    public static var notBase64: Self { Self(kind: .notBase64) }

    public var description: String {
        switch self.kind {
        case .empty: "The key ring has no keys"
        case .keyTooShort: "A key is shorter than 32 bytes"
        case .notBase64: "A key is not base64"
        }
    }
}

/// Signs and verifies timed values bound to a cookie name: `base64url(value).expiry.base64url(mac)`.
///
/// The MAC covers the name, the value and the expiry, so a value cannot be moved to another cookie or
/// kept past its time; tampered, expired, foreign-key or malformed values all verify as `nil` (absent).
///
/// ```swift
/// let signer = CookieSigner(keys: keys)
/// let signed = signer.sign("user-42", name: "session", expiresIn: .seconds(3600))
/// signer.verify(signed, name: "session")   // "user-42"
/// ```
public struct CookieSigner: Sendable {
    /// The keys.
    public let keys: KeyRing

    /// Creates a signer.
    public init(keys: KeyRing) {
        self.keys = keys
    }

    /// `value` signed for the cookie `name`, valid until `now + lifetime`.
    public func sign(_ value: String, name: String, expiresIn lifetime: Duration, now: Date = Date()) -> String {
        let expiry = Int64(now.timeIntervalSince1970) + lifetime.components.seconds
        let payload = Self.base64URL(value.utf8) + "." + String(expiry)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(Self.signedBytes(name: name, payload: payload)), using: self.keys.keys[0])
        return payload + "." + Self.base64URL(Data(mac))
    }

    /// The value inside `signed`, or `nil` when it is malformed, tampered with, signed for another name or
    /// with an unknown key, or expired.
    public func verify(_ signed: String, name: String, now: Date = Date()) -> String? {
        let parts = signed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].utf8.count <= 8192, let expiry = Int64(parts[1]), let mac = Self.decodeBase64URL(parts[2]),
            Self.base64URL(mac) == parts[2]  // one spelling only: the last base64 character has unused bits
        else {
            return nil
        }
        let payload = parts[0] + "." + parts[1]
        let message = Data(Self.signedBytes(name: name, payload: String(payload)))
        // isValidAuthenticationCode compares in constant time.
        guard self.keys.keys.contains(where: { HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: message, using: $0) }) else {
            return nil
        }
        guard Int64(now.timeIntervalSince1970) < expiry, let value = Self.decodeBase64URL(parts[0]) else { return nil }
        return String(data: value, encoding: .utf8)
    }

    static func signedBytes(name: String, payload: String) -> [UInt8] {
        Array("tandem-cookie-v1\u{0}\(name)\u{0}\(payload)".utf8)
    }

    /// `bytes` in base64url without padding (RFC 4648 §5): signed cookies, random tokens, ETags.
    package static func base64URL(_ bytes: some Collection<UInt8>) -> String {
        let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        let table = alphabet.utf8Start
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = second == nil ? nil : iterator.next()
            let value = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            output.append(table[Int(value >> 18 & 63)])
            output.append(table[Int(value >> 12 & 63)])
            if second != nil { output.append(table[Int(value >> 6 & 63)]) }
            if third != nil { output.append(table[Int(value & 63)]) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func decodeBase64URL(_ text: Substring) -> Data? {
        guard text.utf8.allSatisfy({ SetCookie.isTokenByte($0) }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
