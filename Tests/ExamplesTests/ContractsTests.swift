import Foundation
import SearchApp
import TandemTesting
import Testing
import Validation

/// `Examples/SearchApp/Contracts/` in the source tree.
let contractsDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Examples/SearchApp/Contracts")

@Suite("Example contracts")
struct ContractsTests {
    @Test("the committed JSON Schema and TypeScript files are what the Swift declarations export")
    func noDrift() throws {
        for file in try Contracts.exportedFiles() {
            let committed = try String(contentsOf: contractsDirectory.appendingPathComponent(file.name), encoding: .utf8)
            #expect(
                committed == file.contents,
                "\(file.name) is out of date: run `swift run export-contracts --out Examples/SearchApp/Contracts`"
            )
        }
    }

    @Test("SearchSchema's wire names are the same in Swift, JSON Schema and TypeScript")
    func wireNames() throws {
        let names = Contracts.search.descriptor.fields.map(\.name)
        #expect(names == ["query", "max_results"])
        let typeScript = try String(contentsOf: contractsDirectory.appendingPathComponent("contracts.ts"), encoding: .utf8)
        #expect(typeScript.contains("  query: string;"))
        #expect(typeScript.contains("  max_results?: number;"))
        let schema =
            try JSONSerialization.jsonObject(with: Data(contentsOf: contractsDirectory.appendingPathComponent("SearchSchema.schema.json")))
            as? [String: Any]
        let properties = try #require(schema?["properties"] as? [String: Any])
        #expect(Set(properties.keys) == ["query", "max_results"])
        #expect(schema?["required"] as? [String] == ["query"])
    }

    @Test("the exported SearchSchema and LoginSchema accept and reject what Swift does (Python jsonschema)")
    func crossLanguage() throws {
        let searchInstances = [
            #"{"query":"swift"}"#, #"{"query":"  swift  ","max_results":5}"#, #"{"query":""}"#, #"{"query":"   "}"#,
            #"{"query":"\#(String(repeating: "q", count: 200))"}"#, #"{"query":"\#(String(repeating: "q", count: 201))"}"#,
            #"{"query":"  \#(String(repeating: "q", count: 200))  "}"#, #"{"max_results":5}"#, #"{"query":"x","max_results":0}"#,
            #"{"query":"x","max_results":100}"#, #"{"query":"x","max_results":101}"#, #"{"query":"x","max_results":"10"}"#,
            #"{"query":"x","max_results":null}"#, #"{"query":5}"#, #"{"query":"x","extra":1}"#, #"{"query":"a\nb"}"#,
        ]
        let loginInstances = [
            #"{"username":"ada","password":"lovelace"}"#, #"{"username":" ada ","password":"x"}"#, #"{"username":"a d","password":"x"}"#,
            #"{"username":"ada"}"#, #"{"username":"","password":"x"}"#, #"{"username":"ada","password":""}"#,
            #"{"username":"ada!","password":"x"}"#, #"{"username":"ada.l-o_v3","password":"x"}"#,
        ]
        for (schema, instances): (SchemaDescriptor, [String]) in [
            (Contracts.search.descriptor, searchInstances), (Contracts.login.descriptor, loginInstances),
        ] {
            let python = try PythonJSONSchema.verdicts(schema: schema.jsonSchema(), instances: instances)
            for (instance, pythonVerdict) in zip(instances, python) {
                let swiftVerdict: Bool =
                    schema.name == "SearchSchema"
                    ? (try? Contracts.search.decode(json: Array(instance.utf8))) != nil
                    : (try? Contracts.login.decode(json: Array(instance.utf8))) != nil
                #expect(swiftVerdict == pythonVerdict, "\(schema.name) \(instance): Swift \(swiftVerdict), Python \(pythonVerdict)")
            }
        }
    }
}
