import CookieAuth
import Foundation
import Testing

@Suite("Cookie parsing")
struct CookiesTests {
    @Test(
        "parses real-world and hostile Cookie headers leniently",
        arguments: [
            (["a=1; b=2"], [("a", "1"), ("b", "2")]),
            (["a=1;b=2;  c=3  "], [("a", "1"), ("b", "2"), ("c", "3")]),
            (["session=\"quoted value\""], [("session", "quoted value")]),
            (["junk; a=1; =nameless; ;; b"], [("a", "1")]),
            (["a=1", "b=2"], [("a", "1"), ("b", "2")]),
            (["token=abc=def=="], [("token", "abc=def==")]),
            (["_ga=GA1.2.3.4; theme=dark; __Host-id=x"], [("_ga", "GA1.2.3.4"), ("theme", "dark"), ("__Host-id", "x")]),
            (["empty=; next=v"], [("empty", ""), ("next", "v")]),
            (["dup=first; dup=second"], [("dup", "first"), ("dup", "second")]),
            (["a=\u{0}\u{1}; b=é"], [("a", "\u{0}\u{1}"), ("b", "é")]),
            ([""], []),
            ([";;;===;"], []),
        ] as [([String], [(String, String)])]
    )
    func parsing(headers: [String], expected: [(String, String)]) {
        let cookies = Cookies(parsing: headers)
        #expect(cookies.pairs.map(\.name) == expected.map(\.0))
        #expect(cookies.pairs.map(\.value) == expected.map(\.1))
    }

    @Test("the first cookie of a name wins; all of them are available")
    func lookup() {
        let cookies = Cookies(parsing: ["dup=first; dup=second"])
        #expect(cookies["dup"] == "first")
        #expect(cookies.all("dup") == ["first", "second"])
        #expect(cookies["missing"] == nil)
    }

    @Test("random bytes never crash the parser or the signed-value verifier, and never verify")
    func fuzz() throws {
        var generator = SystemRandomNumberGenerator()
        let signer = CookieSigner(keys: try KeyRing(keys: [Array(repeating: 7, count: 32)]))
        let valid = signer.sign("value", name: "n", expiresIn: .seconds(60))
        for round in 0..<3000 {
            let length = Int.random(in: 0...120, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if round % 3 == 0 {
                // Mutations of a valid value are the interesting inputs for the verifier.
                bytes = Array(valid.utf8)
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] = UInt8.random(in: 0...255, using: &generator)
                if bytes == Array(valid.utf8) { continue }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            _ = Cookies(parsing: [text])
            #expect(signer.verify(text, name: "n") == nil, "\(text.debugDescription) verified")
        }
    }
}

@Suite("SetCookie")
struct SetCookieTests {
    @Test("safe defaults: HttpOnly, Secure, SameSite=Lax, Path=/")
    func defaults() throws {
        #expect(try SetCookie(name: "id", value: "abc").headerValue() == "id=abc; Path=/; Secure; HttpOnly; SameSite=Lax")
    }

    @Test("every attribute serialises")
    func attributes() throws {
        let cookie = SetCookie(
            name: "pref",
            value: "\"dark mode\"".replacingOccurrences(of: " ", with: "-"),
            path: "/app",
            domain: "example.com",
            maxAge: 3600,
            expires: Date(timeIntervalSince1970: 784_111_777),
            secure: true,
            httpOnly: false,
            sameSite: .none,
            partitioned: true
        )
        #expect(
            try cookie.headerValue()
                == #"pref="dark-mode"; Path=/app; Domain=example.com; Max-Age=3600; Expires=Sun, 06 Nov 1994 08:49:37 GMT; Secure; SameSite=None; Partitioned"#
        )
        #expect(try SetCookie.deletion(of: "id").headerValue() == "id=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax")
    }

    @Test(
        "invalid names, values and impossible combinations are refused",
        arguments: [
            SetCookie(name: "", value: "v"),
            SetCookie(name: "bad name", value: "v"),
            SetCookie(name: "a;b", value: "v"),
            SetCookie(name: "ok", value: "v\r\nSet-Cookie: evil=1"),
            SetCookie(name: "ok", value: "semi;colon"),
            SetCookie(name: "ok", value: "comma,value"),
            SetCookie(name: "ok", value: "back\\slash"),
            SetCookie(name: "ok", value: "tab\tvalue"),
            SetCookie(name: "ok", value: "v", path: "/a;b"),
            SetCookie(name: "ok", value: "v", domain: "x.com\r\nX: y"),
            SetCookie(name: "ok", value: "v", secure: false, sameSite: .none),
            SetCookie(name: "ok", value: "v", secure: false, partitioned: true),
            SetCookie(name: "__Secure-id", value: "v", secure: false),
            SetCookie(name: "__Host-id", value: "v", domain: "example.com"),
            SetCookie(name: "__Host-id", value: "v", path: "/app"),
            SetCookie(name: "__Host-id", value: "v", secure: false),
            SetCookie(name: "ok", value: "v", maxAge: -1),
        ]
    )
    func rejects(cookie: SetCookie) {
        #expect(throws: SetCookieError.self) { try cookie.headerValue() }
    }

    @Test("__Host- cookies that follow the rules are accepted")
    func hostPrefix() throws {
        #expect(try SetCookie(name: "__Host-id", value: "v").headerValue() == "__Host-id=v; Path=/; Secure; HttpOnly; SameSite=Lax")
    }
}

@Suite("CookieSigner")
struct CookieSignerTests {
    let old = try! KeyRing(keys: [Array(repeating: 1, count: 32)])
    let rotated = try! KeyRing(keys: [Array(repeating: 2, count: 32), Array(repeating: 1, count: 32)])
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(
        "round trip, with values of any content",
        arguments: ["user-42", "", "with.dots.and|pipes", "é 漢字 🙂", String(repeating: "x", count: 2000)]
    )
    func roundTrip(value: String) {
        let signer = CookieSigner(keys: self.old)
        #expect(
            signer.verify(signer.sign(value, name: "session", expiresIn: .seconds(60), now: self.now), name: "session", now: self.now)
                == value
        )
    }

    @Test("tampered, renamed, expired and foreign-key values verify as absent")
    func rejections() throws {
        let signer = CookieSigner(keys: self.old)
        let signed = signer.sign("user-42", name: "session", expiresIn: .seconds(60), now: self.now)
        let parts = signed.split(separator: ".").map(String.init)
        #expect(signer.verify(signed, name: "other", now: self.now) == nil, "bound to its cookie name")
        #expect(signer.verify(signed, name: "session", now: self.now.addingTimeInterval(61)) == nil, "expired")
        let otherValue = CookieSigner.init(keys: self.old).sign("admin", name: "session", expiresIn: .seconds(60), now: self.now).split(
            separator: "."
        )[0]
        #expect(
            signer.verify([String(otherValue), parts[1], parts[2]].joined(separator: "."), name: "session", now: self.now) == nil,
            "value swapped"
        )
        #expect(
            signer.verify([parts[0], "9999999999", parts[2]].joined(separator: "."), name: "session", now: self.now) == nil,
            "expiry extended"
        )
        let foreign = CookieSigner(keys: try KeyRing(keys: [Array(repeating: 9, count: 32)]))
        #expect(foreign.verify(signed, name: "session", now: self.now) == nil, "unknown key")
        for malformed in ["", ".", "..", "a.b", "a.1.c.d", signed + "x", "!!!.1.!!!"] {
            #expect(signer.verify(malformed, name: "session", now: self.now) == nil, "\(malformed)")
        }
    }

    @Test("key rotation: the newest key signs, older keys still verify")
    func rotation() {
        let before = CookieSigner(keys: self.old).sign("ada", name: "s", expiresIn: .seconds(60), now: self.now)
        let after = CookieSigner(keys: self.rotated)
        #expect(after.verify(before, name: "s", now: self.now) == "ada")
        let fresh = after.sign("ada", name: "s", expiresIn: .seconds(60), now: self.now)
        #expect(fresh != before)
        #expect(CookieSigner(keys: self.old).verify(fresh, name: "s", now: self.now) == nil)
    }

    @Test("key rings refuse short keys and bad base64")
    func keyRings() {
        #expect(throws: KeyRingError.self) { try KeyRing(keys: []) }
        #expect(throws: KeyRingError.self) { try KeyRing(keys: [[1, 2, 3]]) }
        #expect(throws: KeyRingError.self) { try KeyRing(base64Keys: ["not base64!"]) }
        #expect(throws: Never.self) { try KeyRing(base64Keys: [Data(repeating: 3, count: 32).base64EncodedString()]) }
    }

    @Test("stateless access tokens are accepted by any instance sharing the keys")
    func sharedKeys() async {
        let instanceA = SignedAccessTokens(keys: self.rotated)
        let instanceB = SignedAccessTokens(keys: self.rotated)
        let token = instanceA.issue(for: Identity(subject: "ada"))
        #expect(await instanceB.verify(token) == Identity(subject: "ada"))
        #expect(await SignedAccessTokens(keys: self.old, name: "other").verify(token) == nil)
    }

    @Test("the in-memory token store expires, revokes and stays within its bound")
    func tokenStore() async throws {
        let store = InMemoryTokenStore(lifetime: .seconds(60), capacity: 3)
        let tokens = (0..<5).map { store.issue(for: Identity(subject: "u\($0)")) }
        #expect(Set(tokens).count == 5)
        #expect(await store.verify(tokens[0]) == nil, "dropped by the size bound")
        #expect(await store.verify(tokens[4]) == Identity(subject: "u4"))
        store.revoke(tokens[4])
        #expect(await store.verify(tokens[4]) == nil)
        let shortLived = InMemoryTokenStore(lifetime: .zero)
        #expect(await shortLived.verify(shortLived.issue(for: Identity(subject: "x"))) == nil)
    }

    @Test("sessions: random ids, data round trip, destroy")
    func sessions() async throws {
        let store = InMemorySessionStore()
        let id = try await store.create(["user": "ada"])
        #expect(id.utf8.count == 43)
        #expect(try await store.load(id) == ["user": "ada"])
        try await store.save(id, ["user": "ada", "theme": "dark"])
        #expect(try await store.load(id)?["theme"] == "dark")
        try await store.destroy(id)
        #expect(try await store.load(id) == nil)
    }
}
