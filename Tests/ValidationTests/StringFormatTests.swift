import TandemTesting
import Testing
import Validation

struct Contact: Sendable {
    var email: String
    var id: String?
    var site: String?
    var born: String?
}

let contactSchema = Schema<Contact>("Contact") { s in
    let email = s.field("email", .string(maxLength: 254, format: .email))
    let id = s.optional("id", .string(format: .uuid))
    let site = s.optional("site", .string(format: .uri))
    let born = s.optional("born", .string(format: .date))
    return { Contact(email: $0[email], id: $0[id], site: $0[site], born: $0[born]) }
}

@Suite("String formats")
struct StringFormatTests {
    @Test("each format accepts what it names and refuses the rest")
    func formats() {
        let cases: [(StringFormat, valid: [String], invalid: [String])] = [
            (
                .email, ["ada@example.com", "a.b+tag@sub.example.co.uk", "x_y@d-1.io"],
                [
                    "", "ada", "@example.com", "ada@", "ada@example", "a@b@example.com", "ada @example.com", ".ada@example.com",
                    "ada@-example.com", "ada@example..com", "\"a\"@example.com", String(repeating: "a", count: 65) + "@example.com",
                ]
            ),
            (
                .uuid, ["3f2b8c1e-9d4a-4b7e-8f00-1234567890ab", "3F2B8C1E-9D4A-4B7E-8F00-1234567890AB"],
                [
                    "", "3f2b8c1e9d4a4b7e8f001234567890ab", "3f2b8c1e-9d4a-4b7e-8f00-1234567890a", "g f2b8c1e-9d4a-4b7e-8f00-1234567890ab",
                    "3f2b8c1e-9d4a-4b7e-8f00_1234567890ab",
                ]
            ),
            (
                .uri, ["https://example.com/a?b=c#d", "mailto:ada@example.com", "urn:isbn:0451450523", "git+ssh://h/x"],
                ["", "example.com", "/relative/path", "https://exa mple.com", "1http://x", ":nothing", "https:", "https://<x>"]
            ),
            (
                .date, ["2026-11-29", "2024-02-29", "2000-02-29", "1999-12-31"],
                [
                    "", "2026-2-9", "2026-13-01", "2026-00-10", "2026-11-31", "2023-02-29", "1900-02-29", "2026/11/29",
                    "2026-11-29T00:00:00Z",
                ]
            ),
        ]
        for (format, valid, invalid) in cases {
            for value in valid { #expect(format.matches(value), "\(format) should accept \(value)") }
            for value in invalid { #expect(!format.matches(value), "\(format) should refuse \(value)") }
        }
    }

    @Test("decoding collects a format issue per field; valid values pass")
    func decoding() throws {
        let contact = try contactSchema.decode(json: Array(#"{"email":"ada@example.com","born":"1815-12-10"}"#.utf8))
        #expect(contact.email == "ada@example.com" && contact.born == "1815-12-10")
        do {
            _ = try contactSchema.decode(json: Array(#"{"email":"nope","id":"x","site":"example.com","born":"2023-02-29"}"#.utf8))
            Issue.record("decoded invalid formats")
        } catch {
            let problems = error.issues.map { "\($0.loc.map(\.description).joined(separator: ".")) \($0.code.rawValue)" }
            #expect(Set(problems) == ["email format", "id format", "site format", "born format"])
        }
    }

    @Test("formats are exported: JSON Schema's `format`, a TypeScript @format note")
    func export() {
        let json = contactSchema.descriptor.jsonSchema()
        for name in ["email", "uuid", "uri", "date"] {
            #expect(json.contains(#""format": "\#(name)""#) || json.contains(#""format":"\#(name)""#), "\(name) in \(json)")
        }
        let typescript = TypeScriptDeclarations.render([contactSchema.descriptor])
        #expect(typescript.contains("@format email"))
    }
}
