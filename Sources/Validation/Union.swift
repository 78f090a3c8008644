/// One variant of a discriminated union: its tag, its fields and how it becomes the union's value.
///
/// ```swift
/// .variant("rating", ratingSchema) { Feedback.rating($0) }
/// ```
public struct UnionVariant<Value: Sendable>: Sendable {
    let descriptor: UnionVariantDescriptor
    let read: @Sendable ([String: Input], [PathComponent], DecodingMode, inout [ValidationIssue]) -> Value?

    /// The variant tagged `tag`, read with `schema` and made into the union's value by `make`.
    public static func variant<Payload>(
        _ tag: String,
        _ schema: Schema<Payload>,
        _ make: @escaping @Sendable (Payload) -> Value
    ) -> UnionVariant<Value> {
        UnionVariant(descriptor: UnionVariantDescriptor(tag: tag, schema: schema.descriptor)) { members, loc, mode, issues in
            schema.read(members, at: loc, mode: mode, issues: &issues).map(make)
        }
    }
}

extension FieldType {
    /// One of several object shapes, told apart by the string member `discriminator` (a tagged union: OpenAPI's
    /// `oneOf` + `discriminator`, a TypeScript union of tagged interfaces).
    ///
    /// A value without the discriminator is a `missing` issue, an unknown tag a `not_one_of` issue; otherwise the
    /// variant's schema reads the other members, with every problem collected.
    ///
    /// ```swift
    /// enum Feedback: Sendable { case rating(Rating), comment(Comment) }
    /// let feedback = FieldType<Feedback>.union("Feedback", discriminator: "kind", [
    ///     .variant("rating", ratingSchema) { .rating($0) },
    ///     .variant("comment", commentSchema) { .comment($0) },
    /// ])
    /// ```
    public static func union(
        _ name: String,
        discriminator: String,
        description: String? = nil,
        _ variants: [UnionVariant<Value>]
    ) -> FieldType<Value> {
        precondition(!variants.isEmpty, "a union needs at least one variant")
        precondition(Set(variants.map(\.descriptor.tag)).count == variants.count, "union \(name): duplicate tags")
        let descriptor = UnionDescriptor(
            name: name,
            description: description,
            discriminator: discriminator,
            variants: variants.map(\.descriptor)
        )
        let tags = variants.map(\.descriptor.tag)
        return FieldType(.union(descriptor)) { input, loc, mode, issues in
            guard case .json(.object(let members)) = input else {
                let got = if case .json(let value) = input { value.typeName } else { "text" }
                issues.append(ValidationIssue(loc: loc, code: .type, message: "Expected an object, got \(got)"))
                return nil
            }
            let tagLoc = loc + [.key(discriminator)]
            guard let tagValue = members[discriminator] else {
                issues.append(ValidationIssue(loc: tagLoc, code: .missing, message: "Field required"))
                return nil
            }
            guard case .string(let tag) = tagValue else {
                issues.append(ValidationIssue(loc: tagLoc, code: .type, message: "Expected a string, got \(tagValue.typeName)"))
                return nil
            }
            guard let variant = variants.first(where: { $0.descriptor.tag == tag }) else {
                issues.append(ValidationIssue(loc: tagLoc, code: .notOneOf, message: "Must be one of: \(tags.joined(separator: ", "))"))
                return nil
            }
            var rest = members
            rest[discriminator] = nil
            return variant.read(rest.mapValues { .json($0) }, loc, mode, &issues)
        }
    }
}
