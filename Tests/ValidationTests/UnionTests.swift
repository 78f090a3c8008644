import TandemTesting
import Testing
import Validation

enum Payment: Sendable, Equatable {
    case card(last4: String, expires: String)
    case transfer(iban: String)
}

struct Checkout: Sendable, Equatable {
    var total: Int
    var payment: Payment
    var fallback: Payment?
}

let cardSchema = Schema<Payment>("Card", unknownFields: .reject) { s in
    let last4 = s.field("last4", .string(pattern: "[0-9]{4}"))
    let expires = s.field("expires", .string(format: .date))
    return { .card(last4: $0[last4], expires: $0[expires]) }
}

let transferSchema = Schema<Payment>("Transfer") { s in
    let iban = s.field("iban", .string(minLength: 15, maxLength: 34))
    return { .transfer(iban: $0[iban]) }
}

let paymentType = FieldType<Payment>.union(
    "Payment",
    discriminator: "method",
    description: "How the order is paid.",
    [.variant("card", cardSchema) { $0 }, .variant("transfer", transferSchema) { $0 }]
)

let checkoutSchema = Schema<Checkout>("Checkout", unknownFields: .reject) { s in
    let total = s.field("total", .integer(minimum: 0, maximum: nil))
    let payment = s.field("payment", paymentType)
    let fallback = s.optional("fallback", paymentType)
    return { Checkout(total: $0[total], payment: $0[payment], fallback: $0[fallback]) }
}

@Suite("Discriminated unions")
struct UnionTests {
    @Test("the discriminator picks the variant; each variant's fields are read by its schema")
    func variants() throws {
        let card = try checkoutSchema.decode(
            json: Array(#"{"total":5,"payment":{"method":"card","last4":"4242","expires":"2027-01-31"}}"#.utf8)
        )
        #expect(card == Checkout(total: 5, payment: .card(last4: "4242", expires: "2027-01-31"), fallback: nil))
        let transfer = try checkoutSchema.decode(
            json: Array(#"{"total":0,"payment":{"method":"transfer","iban":"DE89370400440532013000"},"fallback":null}"#.utf8)
        )
        #expect(transfer.payment == .transfer(iban: "DE89370400440532013000") && transfer.fallback == nil)
    }

    @Test("a missing, mistyped or unknown tag, and the chosen variant's problems, are all collected with their locations")
    func issues() {
        let cases: [(String, [String])] = [
            (#"{"total":1,"payment":{"last4":"4242"}}"#, ["payment.method missing"]),
            (#"{"total":1,"payment":{"method":7}}"#, ["payment.method type"]),
            (#"{"total":1,"payment":{"method":"cash"}}"#, ["payment.method not_one_of"]),
            (#"{"total":1,"payment":"card"}"#, ["payment type"]),
            (
                #"{"total":-1,"payment":{"method":"card","last4":"42","expires":"2027-02-30","cvv":"1"},"fallback":{"method":"transfer"}}"#,
                [
                    "total out_of_range", "payment.last4 pattern", "payment.expires format", "payment.cvv unknown_field",
                    "fallback.iban missing",
                ]
            ),
        ]
        for (json, expected) in cases {
            do {
                _ = try checkoutSchema.decode(json: Array(json.utf8))
                Issue.record("\(json) was accepted")
            } catch {
                let found = error.issues.map { "\($0.loc.map(\.description).joined(separator: ".")) \($0.code)" }
                #expect(found == expected, "\(json)")
            }
        }
    }

    @Test("a union is not read from query strings")
    func notFromStrings() {
        #expect(throws: ValidationError.self) { try checkoutSchema.decode(pairs: [("total", "1"), ("payment", "card")]) }
    }

    @Test("the JSON Schema (oneOf of tagged objects) accepts and rejects what Swift does (Python jsonschema)")
    func crossLanguage() throws {
        let instances = [
            #"{"total":5,"payment":{"method":"card","last4":"4242","expires":"2027-01-31"}}"#,
            #"{"total":5,"payment":{"method":"transfer","iban":"DE89370400440532013000"}}"#,
            #"{"total":5,"payment":{"method":"transfer","iban":"short"}}"#,
            #"{"total":5,"payment":{"method":"card","last4":"4242","expires":"2027-01-31","x":1}}"#,
            #"{"total":5,"payment":{"method":"transfer","iban":"DE89370400440532013000","x":1}}"#,
            #"{"total":5,"payment":{"method":"cash"}}"#, #"{"total":5,"payment":{"last4":"4242","expires":"2027-01-31"}}"#,
            #"{"total":5,"payment":{"method":"card","last4":"4242","expires":"2027-01-31"},"fallback":null}"#,
            #"{"total":5,"payment":{"method":"card","last4":"4242","expires":"2027-01-31"},"fallback":{"method":"card"}}"#,
            #"{"total":5,"payment":null}"#, #"{"total":5,"payment":[]}"#,
        ]
        let disagreements = try PythonJSONSchema.disagreements(schema: checkoutSchema.descriptor.jsonSchema(), instances: instances) {
            json in
            (try? checkoutSchema.decode(json: Array(json.utf8))) != nil
        }
        #expect(disagreements == [])
    }

    @Test("TypeScript: a union type of tagged interfaces, the tag a literal")
    func typeScript() {
        let source = TypeScriptDeclarations.render([checkoutSchema.descriptor])
        #expect(source.contains("export type Payment = Card | Transfer;"))
        #expect(source.contains("export interface Card {\n  method: \"card\";"))
        #expect(source.contains("export interface Transfer {\n  method: \"transfer\";"))
        #expect(source.contains("  payment: Payment;"))
        #expect(source.contains("  fallback?: Payment;"))
        #expect(source.contains("Tagged by `method`."))
    }
}
