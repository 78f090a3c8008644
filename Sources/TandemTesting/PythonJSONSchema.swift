import Foundation

/// Checks JSON instances against a JSON Schema with Python's `jsonschema` package (draft 2020-12, with
/// format checking), so tests can compare Swift's verdicts with another language's.
///
/// ```swift
/// let verdicts = try PythonJSONSchema.verdicts(schema: descriptor.jsonSchema(), instances: [#"{"query":"x"}"#])
/// ```
public enum PythonJSONSchema {
    /// Why the check could not run.
    public struct Unavailable: Error, CustomStringConvertible {
        /// What went wrong.
        public let description: String
    }

    static let script = """
        import json, sys
        try:
            import jsonschema
        except ImportError:
            print("jsonschema is not installed: pip install jsonschema rfc3339-validator", file=sys.stderr)
            sys.exit(3)
        request = json.load(sys.stdin)
        validator_class = jsonschema.Draft202012Validator
        validator_class.check_schema(request["schema"])
        validator = validator_class(request["schema"], format_checker=validator_class.FORMAT_CHECKER)
        print(json.dumps([validator.is_valid(json.loads(text)) for text in request["instances"]]))
        """

    /// Whether each instance (JSON text) is valid against `schema` (JSON text).
    /// - Throws: ``Unavailable`` when python3 or jsonschema is missing, or the schema is not a valid 2020-12 schema.
    public static func verdicts(schema: String, instances: [String]) throws -> [Bool] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", self.script]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw Unavailable(description: "python3 could not be started: \(error)")
        }
        let request: [String: Any] = [
            "schema": try JSONSerialization.jsonObject(with: Data(schema.utf8)),
            "instances": instances,
        ]
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: request))
        try input.fileHandleForWriting.close()
        let result = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let verdicts = try? JSONSerialization.jsonObject(with: result) as? [Bool] else {
            throw Unavailable(description: "python3 jsonschema check failed (\(process.terminationStatus)): \(message)")
        }
        return verdicts
    }

    /// The instances on which Swift and Python disagree, each as `instance: Swift …, Python …`; empty when they agree.
    ///
    /// ```swift
    /// #expect(try PythonJSONSchema.disagreements(schema: schema.descriptor.jsonSchema(), instances: instances) { json in
    ///     (try? schema.decode(json: Array(json.utf8))) != nil
    /// } == [])
    /// ```
    public static func disagreements(schema: String, instances: [String], swift accepts: (String) -> Bool) throws -> [String] {
        let python = try self.verdicts(schema: schema, instances: instances)
        return zip(instances, python).compactMap { instance, pythonVerdict in
            let swiftVerdict = accepts(instance)
            return swiftVerdict == pythonVerdict ? nil : "\(instance): Swift \(swiftVerdict), Python \(pythonVerdict)"
        }
    }
}
