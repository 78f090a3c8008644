import TandemTesting
import Testing
import Validation

struct Inventory: Sendable, Equatable {
    var counts: [String: Int]
    var labels: [String: String]?
}

let inventorySchema = Schema<Inventory>("Inventory") { s in
    let counts = s.field("counts", .map(.integer(minimum: 0, maximum: 1000), maxEntries: 3))
    let labels = s.optional("labels", .map(.string(maxLength: 5)))
    return { Inventory(counts: $0[counts], labels: $0[labels]) }
}

@Suite("String-keyed maps")
struct MapTests {
    @Test("any keys, every value checked, each problem located by its key")
    func decoding() throws {
        let inventory = try inventorySchema.decode(json: Array(#"{"counts":{"pens":3,"":0,"a b":1000}}"#.utf8))
        #expect(inventory == Inventory(counts: ["pens": 3, "": 0, "a b": 1000], labels: nil))
        #expect(try inventorySchema.decode(json: Array(#"{"counts":{}}"#.utf8)).counts.isEmpty)
        do {
            _ = try inventorySchema.decode(json: Array(#"{"counts":{"a":-1,"b":"x","c":1,"d":2},"labels":{"z":"toolong"}}"#.utf8))
            Issue.record("accepted")
        } catch {
            let found = error.issues.map { "\($0.loc.map(\.description).joined(separator: ".")) \($0.code)" }
            #expect(found == ["counts too_many_items", "counts.a out_of_range", "counts.b type", "labels.z too_long"])
        }
        #expect(throws: ValidationError.self) { try inventorySchema.decode(json: Array(#"{"counts":[1,2]}"#.utf8)) }
    }

    @Test("the JSON Schema (additionalProperties, maxProperties) agrees with Swift (Python jsonschema)")
    func crossLanguage() throws {
        let instances = [
            #"{"counts":{"a":1}}"#, #"{"counts":{}}"#, #"{"counts":{"a":1,"b":2,"c":3,"d":4}}"#, #"{"counts":{"a":-1}}"#,
            #"{"counts":{"a":1.5}}"#, #"{"counts":{"a":"1"}}"#, #"{"counts":[]}"#, #"{"counts":{"a":1},"labels":null}"#,
            #"{"counts":{"a":1},"labels":{"x":"12345"}}"#, #"{"counts":{"a":1},"labels":{"x":"123456"}}"#, #"{}"#,
        ]
        let disagreements = try PythonJSONSchema.disagreements(schema: inventorySchema.descriptor.jsonSchema(), instances: instances) {
            json in
            (try? inventorySchema.decode(json: Array(json.utf8))) != nil
        }
        #expect(disagreements == [])
    }

    @Test("TypeScript: Record<string, T>")
    func typeScript() {
        let source = TypeScriptDeclarations.render([inventorySchema.descriptor])
        #expect(source.contains("  counts: Record<string, number>;"))
        #expect(source.contains("  labels?: Record<string, string>;"))
        #expect(source.contains("@maxProperties 3"))
    }
}
