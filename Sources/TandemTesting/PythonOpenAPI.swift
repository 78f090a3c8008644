import Foundation

/// Checks OpenAPI documents with independent Python tools: the document itself with `openapi-spec-validator`, and
/// real responses against the schemas the document gives them with `jsonschema` (draft 2020-12, `$ref`s resolved in
/// the document).
///
/// ```swift
/// let result = try await PythonOpenAPI.validate(document: contract.openAPI())
/// #expect(result.status == 0, "\(result.output)")
/// ```
public enum PythonOpenAPI {
    static let script = #"""
        import json, sys

        def spec(path):
            from openapi_spec_validator import validate
            from openapi_spec_validator.readers import read_from_filename
            document, _ = read_from_filename(path)
            validate(document)
            print("valid")

        def responses(path):
            import jsonschema
            from referencing import Registry, Resource
            from referencing.jsonschema import DRAFT202012
            with open(path) as handle:
                document = json.load(handle)
            registry = Registry().with_resource("urn:document", Resource(contents=document, specification=DRAFT202012))
            failed = False
            for case in json.load(sys.stdin):
                status = str(case["status"])
                documented = document["paths"][case["path"]][case["method"]]["responses"]
                if status not in documented:
                    print(f"{case['method']} {case['path']} {status}: not documented")
                    failed = True
                    continue
                parts = ["paths", case["path"], case["method"], "responses", status, "content", "application/json", "schema"]
                pointer = "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)
                validator = jsonschema.Draft202012Validator(
                    {"$ref": f"urn:document#/{pointer}"}, registry=registry,
                    format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
                errors = sorted(validator.iter_errors(case["body"]), key=lambda error: list(error.path))
                if errors:
                    print(f"{case['method']} {case['path']} {status}: {errors[0].message} at {list(errors[0].path)}")
                    failed = True
                else:
                    print("ok")
            sys.exit(1 if failed else 0)

        {"spec": spec, "responses": responses}[sys.argv[1]](sys.argv[2])
        """#

    /// `openapi-spec-validator`'s verdict on `document` (exit status 0: valid).
    public static func validate(document: String) async throws -> ExternalTool.Result {
        try await self.run("spec", document: document, input: nil)
    }

    /// Validates each response against its schema in `document`. A case is `["path": "/api/notes/{id}", "method":
    /// "get", "status": 200, "body": <parsed JSON>]`; the output has a line per case, `ok` or the first problem.
    public static func checkResponses(document: String, cases: [[String: Any]]) async throws -> ExternalTool.Result {
        let input = String(decoding: try JSONSerialization.data(withJSONObject: cases), as: UTF8.self)
        return try await self.run("responses", document: document, input: input)
    }

    private static func run(_ mode: String, document: String, input: String?) async throws -> ExternalTool.Result {
        let directory = try ExternalTool.scratchDirectory("openapi")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("openapi.json")
        try document.write(to: file, atomically: true, encoding: .utf8)
        return try await ExternalTool.run(
            "python3",
            ["-c", self.script, mode, file.path],
            input: input,
            installHint: "pip install openapi-spec-validator jsonschema"
        )
    }
}

/// A JSON object another program printed (a Node script's report), its members read back as canonical JSON text
/// (sorted keys, slashes unescaped) so whole structures compare as strings.
///
/// ```swift
/// let report = try JSONReport(run.output)
/// #expect(try report.member("list") == #"{"ids":[1],"total":1}"#)
/// ```
public struct JSONReport {
    let members: [String: Any]
    let text: String

    /// Parses `text`, which must be a JSON object.
    public init(_ text: String) throws {
        guard let members = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw ExternalTool.Missing(description: "not a JSON object: \(text)")
        }
        self.members = members
        self.text = text
    }

    /// The member `key` as canonical JSON.
    public func member(_ key: String) throws -> String {
        guard let value = self.members[key] else { throw ExternalTool.Missing(description: "no \(key) in \(self.text)") }
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
