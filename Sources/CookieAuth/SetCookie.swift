public import Foundation
public import HTTPCore
import HTTPTypes

/// A `Set-Cookie` header with safe defaults: `HttpOnly`, `Secure`, `SameSite=Lax`, `Path=/`.
///
/// Serialising checks the cookie: invalid names or values (control characters, CR/LF, `;`, …) and
/// impossible combinations (`SameSite=None` without `Secure`, `__Host-` cookies with a `Domain` or without
/// `Secure`/`Path=/`, `__Secure-` without `Secure`, `Partitioned` without `Secure`) are refused with a
/// ``SetCookieError``, so no header injection is possible.
///
/// ```swift
/// var cookie = SetCookie(name: "access_token", value: token)
/// cookie.maxAge = 3600
/// try response.setCookie(cookie)
/// ```
/// Plain-http development servers need `cookie.secure = false` (browsers drop Secure cookies over http,
/// except on localhost).
public struct SetCookie: Sendable, Hashable {
    /// `SameSite` values. Not optional on purpose: with an optional, `sameSite: .none` would silently mean
    /// "no attribute" instead of `SameSite=None`.
    public enum SameSite: String, Sendable, Hashable {
        case strict = "Strict"
        case lax = "Lax"
        case none = "None"
        /// No `SameSite` attribute (browsers then default to Lax).
        case unset = ""
    }

    /// The cookie's name (an RFC 9110 token).
    public var name: String
    /// The value (RFC 6265 cookie-octets).
    public var value: String
    /// `Path`; `/` by default.
    public var path: String?
    /// `Domain`; none by default (host-only).
    public var domain: String?
    /// `Max-Age` in seconds; `0` deletes.
    public var maxAge: Int?
    /// `Expires`.
    public var expires: Date?
    /// `Secure`; on by default.
    public var secure: Bool
    /// `HttpOnly`; on by default.
    public var httpOnly: Bool
    /// `SameSite`; `Lax` by default.
    public var sameSite: SameSite
    /// `Partitioned` (CHIPS); off by default.
    public var partitioned: Bool

    /// A cookie with the safe defaults.
    public init(
        name: String,
        value: String,
        path: String? = "/",
        domain: String? = nil,
        maxAge: Int? = nil,
        expires: Date? = nil,
        secure: Bool = true,
        httpOnly: Bool = true,
        sameSite: SameSite = .lax,
        partitioned: Bool = false
    ) {
        self.name = name
        self.value = value
        self.path = path
        self.domain = domain
        self.maxAge = maxAge
        self.expires = expires
        self.secure = secure
        self.httpOnly = httpOnly
        self.sameSite = sameSite
        self.partitioned = partitioned
    }

    /// A cookie that deletes `name` (empty value, `Max-Age=0`, same path and flags).
    public static func deletion(of name: String, path: String? = "/", secure: Bool = true) -> SetCookie {
        SetCookie(name: name, value: "", path: path, maxAge: 0, secure: secure)
    }

    /// The header value.
    /// - Throws: ``SetCookieError`` for an invalid or contradictory cookie.
    public func headerValue() throws(SetCookieError) -> String {
        guard !self.name.isEmpty, self.name.utf8.allSatisfy(Self.isTokenByte) else { throw .invalidName(self.name) }
        var unquoted = Substring(self.value)
        if unquoted.count >= 2, unquoted.first == "\"", unquoted.last == "\"" { unquoted = unquoted.dropFirst().dropLast() }
        guard unquoted.utf8.allSatisfy(Self.isCookieOctet) else { throw .invalidValue(name: self.name) }
        for (attribute, text) in [("Path", self.path), ("Domain", self.domain)] {
            if let text, text.isEmpty || !text.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F && $0 != UInt8(ascii: ";") }) {
                throw .invalidAttribute(attribute)
            }
        }
        if self.sameSite == .none && !self.secure { throw .sameSiteNoneWithoutSecure }
        if self.partitioned && !self.secure { throw .partitionedWithoutSecure }
        if self.name.hasPrefix("__Secure-") && !self.secure { throw .prefixRules(self.name) }
        if self.name.hasPrefix("__Host-") && (!self.secure || self.domain != nil || self.path != "/") { throw .prefixRules(self.name) }
        if let maxAge = self.maxAge, maxAge < 0 { throw .invalidAttribute("Max-Age") }

        var header = "\(self.name)=\(self.value)"
        if let path { header += "; Path=\(path)" }
        if let domain { header += "; Domain=\(domain)" }
        if let maxAge { header += "; Max-Age=\(maxAge)" }
        if let expires { header += "; Expires=\(HTTPDate.format(epochSeconds: Int(expires.timeIntervalSince1970.rounded(.down))))" }
        if self.secure { header += "; Secure" }
        if self.httpOnly { header += "; HttpOnly" }
        if self.sameSite != .unset { header += "; SameSite=\(self.sameSite.rawValue)" }
        if self.partitioned { header += "; Partitioned" }
        return header
    }

    static func isTokenByte(_ byte: UInt8) -> Bool { HeaderToken.isTokenCharacter(byte) }

    /// RFC 6265 §4.1.1 cookie-octet: no CTLs, whitespace, DQUOTE, comma, semicolon or backslash.
    static func isCookieOctet(_ byte: UInt8) -> Bool {
        byte == 0x21 || (0x23...0x2B).contains(byte) || (0x2D...0x3A).contains(byte) || (0x3C...0x5B).contains(byte)
            || (0x5D...0x7E).contains(byte)
    }
}

/// Why a cookie was refused.
///
/// ```swift
/// do { try response.setCookie(cookie) } catch { logger.error("\(error)") }
/// ```
public struct SetCookieError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Hashable, Sendable {
        case invalidName, invalidValue, invalidAttribute, sameSiteNoneWithoutSecure, partitionedWithoutSecure, prefixRules
    }

    private let kind: Kind
    /// The cookie name or attribute concerned (empty when the rule concerns the whole cookie).
    public let subject: String

    /// The name is empty or not an RFC 9110 token.
    public static func invalidName(_ name: String) -> Self { Self(kind: .invalidName, subject: name) }
    /// The value has characters outside RFC 6265 cookie-octets (CR, LF, `;`, `,`, spaces, controls, ...).
    public static func invalidValue(name: String) -> Self { Self(kind: .invalidValue, subject: name) }
    /// `Path`, `Domain` or `Max-Age` is invalid.
    public static func invalidAttribute(_ attribute: String) -> Self { Self(kind: .invalidAttribute, subject: attribute) }
    /// `SameSite=None` without `Secure` (browsers drop such cookies).
    public static var sameSiteNoneWithoutSecure: Self { Self(kind: .sameSiteNoneWithoutSecure, subject: "") }
    /// `Partitioned` without `Secure`.
    public static var partitionedWithoutSecure: Self { Self(kind: .partitionedWithoutSecure, subject: "") }
    /// A `__Secure-` or `__Host-` cookie that breaks its prefix's rules.
    public static func prefixRules(_ name: String) -> Self { Self(kind: .prefixRules, subject: name) }

    public var description: String {
        switch self.kind {
        case .invalidName: "Invalid cookie name \(self.subject.debugDescription)"
        case .invalidValue: "Invalid characters in the value of cookie \(self.subject)"
        case .invalidAttribute: "Invalid cookie attribute \(self.subject)"
        case .sameSiteNoneWithoutSecure: "SameSite=None requires Secure"
        case .partitionedWithoutSecure: "Partitioned requires Secure"
        case .prefixRules: "\(self.subject) breaks its prefix rules (__Secure-: Secure; __Host-: Secure, Path=/, no Domain)"
        }
    }
}

extension Response {
    /// Adds a `Set-Cookie` field (several cookies stay separate fields).
    /// - Throws: ``SetCookieError`` for an invalid cookie.
    public mutating func setCookie(_ cookie: SetCookie) throws(SetCookieError) {
        self.headers.append(HTTPField(name: .setCookie, value: try cookie.headerValue()))
    }
}
