public import APIEnvelope
public import Validation

/// A `multipart/form-data` input: its text fields decoded with a schema, its files by name.
public struct MultipartInput<Fields: Sendable>: Sendable {
    /// The text fields, decoded.
    public var fields: Fields
    /// The whole form: every file (``MultipartForm/files(named:)``) and the raw fields.
    public var form: MultipartForm
}

extension APIInput {
    /// A `multipart/form-data` body for a described route: the text fields decoded with `schema` (every problem a 422,
    /// a missing required file among them), the files kept in ``MultipartInput/form``. OpenAPI describes the fields and
    /// each file as a binary part (and no other parts when the schema rejects unknown fields).
    ///
    /// - Parameters:
    ///   - files: the parts that must carry a file.
    ///   - optionalFiles: the parts that may carry a file.
    ///
    /// - Throws: 415 for another `Content-Type`, 400 for a malformed body, 413 past `limits`, 422 for the fields.
    ///
    /// ```swift
    /// routes.post("/api/avatar/", handler: APIHandler(APIOperation("uploadAvatar"),
    ///                                                 input: .multipart(captionSchema, files: ["avatar"]),
    ///                                                 output: .object(avatarSchema)) { input, _, _ in
    ///     let avatar = input.form.files(named: "avatar")[0]
    ///     ...
    /// })
    /// ```
    public static func multipart<Fields>(
        _ schema: Schema<Fields>,
        files: [String],
        optionalFiles: [String] = [],
        limits: MultipartLimits = MultipartLimits()
    ) -> APIInput<MultipartInput<Fields>> where Value == MultipartInput<Fields> {
        APIInput(
            description: APIInputDescription(
                .multipart,
                schema: schema.descriptor,
                files: files + optionalFiles,
                optionalFiles: optionalFiles
            )
        ) { request in
            let form = try await request.multipartForm(limits: limits)
            var issues: [ValidationIssue] = []
            let fields: Fields?
            do throws(ValidationError) {
                fields = try schema.decode(pairs: form.fields.map { ($0.name, $0.value) })
            } catch {
                issues = error.issues
                fields = nil
            }
            for name in files where form.files(named: name).isEmpty {
                issues.append(ValidationIssue(loc: [.key(name)], code: .missing, message: "File required"))
            }
            guard let fields, issues.isEmpty else { throw ValidationError(issues: issues) }
            return MultipartInput(fields: fields, form: form)
        }
    }
}
