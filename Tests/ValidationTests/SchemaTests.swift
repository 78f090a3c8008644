import Foundation
import TandemTesting
import Testing
import Validation

enum Sort: String, CaseIterable, Sendable { case relevance, newest }

struct Item: Sendable, Equatable {
    var name: String
    var count: Int
}

struct Order: Sendable {
    var name: String
    var quantity: Int
    var price: Double
    var gift: Bool
    var sort: Sort
    var tags: [String]
    var code: String?
    var at: Date?
    var items: [Item]
}

let itemSchema = Schema<Item>("Item", unknownFields: .reject) { s in
    let name = s.field("name", .string(minLength: 1, maxLength: 10))
    let count = s.field("count", .integer(1...5), default: 1)
    return { Item(name: $0[name], count: $0[count]) }
}

let orderSchema = Schema<Order>("Order", description: "A test order", unknownFields: .reject) { s in
    let name = s.field("name", .string(minLength: 2, maxLength: 5, trimmed: true), description: "Who")
    let quantity = s.field("quantity", .integer(1...100), default: 10)
    let price = s.field("price", .number(minimum: 0, maximum: 1000))
    let gift = s.field("gift", .boolean, default: false)
    let sort = s.field("sort", .oneOf(Sort.self), default: .relevance)
    let tags = s.field("tags", .array(.string(maxLength: 3), maxItems: 2), default: [])
    let code = s.optional("code", .string(pattern: "[A-Z]{3}-[0-9]{2}"))
    let at = s.optional("at", .dateTime)
    let items = s.field("items", .array(.object(itemSchema), minItems: 1), default: [Item(name: "x", count: 1)])
    return { v in
        Order(
            name: v[name],
            quantity: v[quantity],
            price: v[price],
            gift: v[gift],
            sort: v[sort],
            tags: v[tags],
            code: v[code],
            at: v[at],
            items: v[items]
        )
    }
}

extension Item: JSONRepresentable {
    var jsonValue: JSONValue { .object(["name": .string(self.name), "count": .integer(Int64(self.count))]) }
}

extension Sort: JSONRepresentable {}

/// `(loc joined by ".", code)` pairs of a failed decode, or `[]` when it succeeded.
func problems(_ decode: () throws(ValidationError) -> Order) -> [String] {
    do {
        _ = try decode()
        return []
    } catch {
        return error.issues.map { "\($0.loc.map(\.description).joined(separator: ".")) \($0.code)" }
    }
}

@Suite("Schema decoding")
struct SchemaTests {
    @Test(
        "query and form pairs: lenient coercion, every problem collected",
        arguments: [
            ([("name", "ada"), ("price", "9.5")], []),
            (
                [("name", "  ada  "), ("price", "1"), ("quantity", "7"), ("gift", "on"), ("sort", "newest"), ("tags", "a"), ("tags", "b")],
                []
            ),
            ([], ["name missing", "price missing"]),
            ([("name", "a"), ("price", "x")], ["name too_short", "price type"]),
            ([("name", "   a   "), ("price", "-1")], ["name too_short", "price out_of_range"]),
            ([("name", "abcdef"), ("price", "1"), ("quantity", "0")], ["name too_long", "quantity out_of_range"]),
            ([("name", "ada"), ("price", "1"), ("quantity", "1.5"), ("gift", "maybe")], ["quantity type", "gift type"]),
            ([("name", "ada"), ("price", "1"), ("sort", "oldest")], ["sort not_one_of"]),
            (
                [("name", "ada"), ("price", "1"), ("tags", "a"), ("tags", "b"), ("tags", "cccc")],
                ["tags too_many_items", "tags.2 too_long"]
            ),
            ([("name", "ada"), ("price", "1"), ("code", "ABC-12")], []),
            ([("name", "ada"), ("price", "1"), ("code", "abc-12")], ["code pattern"]),
            ([("name", "ada"), ("price", "1"), ("at", "2026-11-24T10:00:00Z")], []),
            ([("name", "ada"), ("price", "1"), ("at", "yesterday")], ["at format"]),
            ([("name", "ada"), ("name", "bob"), ("price", "1")], ["name type"]),
            ([("name", "ada"), ("price", "1"), ("extra", "1"), ("another", "2")], ["another unknown_field", "extra unknown_field"]),
            ([("name", "ada"), ("price", "1"), ("items", "x")], ["items.0 type"]),
            // A blank form sends every field: empty values of optional and defaulted fields are absent, of required
            // ones still a problem.
            ([("name", "ada"), ("price", "1"), ("code", ""), ("at", ""), ("quantity", ""), ("sort", ""), ("tags", "")], []),
            ([("name", ""), ("price", "")], ["name too_short", "price type"]),
            // Not all blank: the array is ["", "b", "cccc"], with its own rules (two items at most, each up to 3 long).
            (
                [("name", "ada"), ("price", "1"), ("tags", ""), ("tags", "b"), ("tags", "cccc")],
                ["tags too_many_items", "tags.2 too_long"]
            ),
        ] as [([(String, String)], [String])]
    )
    func pairs(input: [(String, String)], expected: [String]) {
        #expect(problems { () throws(ValidationError) in try orderSchema.decode(pairs: input) } == expected)
    }

    @Test("a blank value of an optional or defaulted field decodes as its absence: nil, or the default")
    func blankIsAbsent() throws {
        let order = try orderSchema.decode(pairs: [("name", "ada"), ("price", "1"), ("code", ""), ("quantity", ""), ("sort", "")])
        #expect(order.code == nil && order.quantity == 10 && order.sort == .relevance)
        // In JSON an empty string is a value, not an absence.
        #expect(
            problems { () throws(ValidationError) in try orderSchema.decode(json: Array(#"{"name":"ada","price":1,"code":""}"#.utf8)) } == [
                "code pattern"
            ]
        )
    }

    @Test(
        "JSON: strict types, nested objects and arrays with paths",
        arguments: [
            (#"{"name":"ada","price":9.5}"#, []),
            (#"{"name":"ada","price":9,"quantity":null,"code":null,"at":null}"#, []),
            (#"{"name":"ada","price":"9"}"#, ["price type"]),
            (#"{"name":"ada","price":1,"quantity":"5"}"#, ["quantity type"]),
            (#"{"name":"ada","price":1,"quantity":5.0}"#, []),
            (#"{"name":"ada","price":1,"gift":"true"}"#, ["gift type"]),
            (#"{"name":null,"price":1}"#, ["name type"]),
            (#"{"name":42,"price":true}"#, ["name type", "price type"]),
            (#"{"name":"ada","price":1,"tags":"a"}"#, ["tags type"]),
            (#"{"name":"ada","price":1,"items":[]}"#, ["items too_few_items"]),
            (
                #"{"name":"ada","price":1,"items":[{"name":"ok"},{"name":"","count":9},{"count":1,"x":1}]}"#,
                ["items.1.name too_short", "items.1.count out_of_range", "items.2.name missing", "items.2.x unknown_field"]
            ),
            (#"{"name":"ada","price":1,"items":[7]}"#, ["items.0 type"]),
            (#"[1,2]"#, [" type"]),
            (#"{"name": "ada", "price": 1"#, [" invalid_json"]),
            (#"{"name":"ada","price":1,"at":"2026-02-30T10:00:00Z"}"#, ["at format"]),
        ] as [(String, [String])]
    )
    func json(input: String, expected: [String]) {
        #expect(problems { () throws(ValidationError) in try orderSchema.decode(json: Array(input.utf8)) } == expected)
    }

    @Test("lenient JSON coerces strings like query input does")
    func lenientJSON() throws {
        let order = try orderSchema.decode(json: Array(#"{"name":"ada","price":"2.5","quantity":"3","gift":"yes"}"#.utf8), strict: false)
        #expect(order.price == 2.5)
        #expect(order.quantity == 3)
        #expect(order.gift)
    }

    @Test("decoded values: defaults, trimming, nested items, dates")
    func values() throws {
        let order = try orderSchema.decode(
            json: Array(#"{"name":"  bo ","price":3,"items":[{"name":"pen","count":2}],"at":"2026-11-24T10:00:00Z"}"#.utf8)
        )
        #expect(order.name == "bo")
        #expect(order.quantity == 10)
        #expect(order.gift == false)
        #expect(order.sort == .relevance)
        #expect(order.tags == [])
        #expect(order.code == nil)
        #expect(order.items == [Item(name: "pen", count: 2)])
        #expect(order.at == Date(timeIntervalSince1970: 1795514400))
    }

    @Test("issues carry readable messages")
    func messages() {
        do {
            _ = try orderSchema.decode(pairs: [("name", "a"), ("price", "5000")])
            Issue.record("expected a failure")
        } catch {
            #expect(error.issues.map(\.message) == ["Must be at least 2 characters", "Must be between 0.0 and 1000.0"])
        }
    }
}

@Suite("Schema exports")
struct SchemaExportTests {
    @Test("the JSON Schema gives the same verdicts as the Swift decoder (checked by Python's jsonschema)")
    func crossLanguage() throws {
        let instances = [
            #"{"name":"ada","price":9.5}"#, #"{"name":"  ada  ","price":1}"#, #"{"name":"   ","price":1}"#,
            #"{"name":" a ","price":1}"#, #"{"name":"abcdef","price":1}"#, #"{"name":" abcde ","price":1}"#,
            #"{"name":"ada"}"#, #"{"name":"ada","price":-1}"#, #"{"name":"ada","price":1001}"#, #"{"name":"ada","price":"1"}"#,
            #"{"name":"ada","price":1,"quantity":0}"#, #"{"name":"ada","price":1,"quantity":100}"#,
            #"{"name":"ada","price":1,"quantity":2.5}"#,
            #"{"name":"ada","price":1,"quantity":null}"#, #"{"name":null,"price":1}"#, #"{"name":"ada","price":1,"gift":1}"#,
            #"{"name":"ada","price":1,"sort":"newest"}"#, #"{"name":"ada","price":1,"sort":"oldest"}"#,
            #"{"name":"ada","price":1,"tags":["a","bb"]}"#, #"{"name":"ada","price":1,"tags":["a","b","c"]}"#,
            #"{"name":"ada","price":1,"tags":["long"]}"#,
            #"{"name":"ada","price":1,"code":"ABC-12"}"#, #"{"name":"ada","price":1,"code":"ABC-123"}"#,
            #"{"name":"ada","price":1,"code":"xABC-12"}"#,
            #"{"name":"ada","price":1,"at":"2026-11-24T10:00:00Z"}"#, #"{"name":"ada","price":1,"at":"2026-11-24"}"#,
            #"{"name":"ada","price":1,"extra":true}"#, #"{"name":"ada","price":1,"items":[]}"#,
            #"{"name":"ada","price":1,"items":[{"name":"pen"}]}"#, #"{"name":"ada","price":1,"items":[{"name":"pen","count":6}]}"#,
            #"{"name":"ada","price":1,"items":[{"name":"pen","other":1}]}"#, #"{"name":"\u00e9t\u00e9","price":1}"#, "[]", "7",
        ]
        let python = try PythonJSONSchema.verdicts(schema: orderSchema.descriptor.jsonSchema(), instances: instances)
        for (instance, pythonVerdict) in zip(instances, python) {
            let swiftVerdict = (try? orderSchema.decode(json: Array(instance.utf8))) != nil
            #expect(swiftVerdict == pythonVerdict, "\(instance): Swift \(swiftVerdict), Python \(pythonVerdict)")
        }
    }

    @Test("TypeScript declarations: interfaces, optional defaults, literal unions, docs, nested types once")
    func typeScript() {
        let source = TypeScriptDeclarations.render([orderSchema.descriptor])
        #expect(source.contains("export interface Order {"))
        #expect(source.contains("  name: string;"))
        #expect(source.contains("  quantity?: number;"))
        #expect(source.contains(#"  sort?: "relevance" | "newest";"#))
        #expect(source.contains("  tags?: string[];"))
        #expect(source.contains("  items?: Item[];"))
        #expect(source.contains("export interface Item {"))
        #expect(source.components(separatedBy: "export interface Item {").count == 2)
        #expect(source.contains("/** A test order */"))
    }

    @Test("an unbounded integer is a 64-bit one in the JSON Schema too: what Swift refuses as too large, so does Python")
    func integerRange() throws {
        let counter = Schema<Int>("Counter") { s in
            let count = s.field("count", .integer())
            return { $0[count] }
        }
        let instances = [
            #"{"count":9223372036854775807}"#, #"{"count":9223372036854775808}"#, #"{"count":-9223372036854775808}"#,
            #"{"count":-9223372036854775809}"#, #"{"count":1725674965622992771682926592}"#, #"{"count":4.0}"#,
        ]
        let python = try PythonJSONSchema.verdicts(schema: counter.descriptor.jsonSchema(), instances: instances)
        let swift = instances.map { (try? counter.decode(json: Array($0.utf8))) != nil }
        #expect(swift == [true, false, true, false, false, true])
        #expect(python == swift)
    }
}
