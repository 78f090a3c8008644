import Foundation
public import HTTPCore
import HTTPTypes
import NIOCore
public import Validation

extension Request {
    /// Decodes the query string with `schema` (values coerced leniently).
    /// - Throws: `ValidationError` with every problem (422 under an API mount).
    public func decodeQuery<Output>(_ schema: Schema<Output>) throws(ValidationError) -> Output {
        try schema.decode(pairs: self.query.pairs.map { ($0.name, $0.value) })
    }

    /// Decodes a JSON body with `schema`.
    /// - Parameters:
    ///   - maxBytes: the largest body accepted (413 beyond).
    ///   - strict: when `false`, strings are coerced to numbers and booleans.
    /// - Throws: 415 ``APIError`` for a non-JSON `Content-Type`, 413 past `maxBytes`, `ValidationError` otherwise.
    public func decodeJSON<Output>(_ schema: Schema<Output>, maxBytes: Int = 1 << 20, strict: Bool = true) async throws -> Output {
        try self.requireContentType { $0 == "application/json" || $0.hasSuffix("+json") }
        let body = try await self.body.collect(upTo: maxBytes)
        return try schema.decode(json: body.readableBytesView, strict: strict)
    }

    /// Decodes an `application/x-www-form-urlencoded` body with `schema`.
    /// - Throws: 415 ``APIError`` for another `Content-Type`, 413 past `maxBytes`, `ValidationError` otherwise.
    public func decodeForm<Output>(_ schema: Schema<Output>, maxBytes: Int = 1 << 20) async throws -> Output {
        try self.requireContentType { $0 == "application/x-www-form-urlencoded" }
        let body = try await self.body.collect(upTo: maxBytes)
        let pairs = QueryParameters(parsing: String(buffer: body)).pairs.map { ($0.name, $0.value) }
        return try schema.decode(pairs: pairs)
    }

    /// Decodes a JSON body into a `Decodable` type with Foundation's decoder.
    /// - Throws: 415 for a non-JSON `Content-Type`, 413 past `maxBytes`, 400 `invalid_json` for bad JSON.
    public func decodeJSON<Output: Decodable>(_ type: Output.Type, maxBytes: Int = 1 << 20) async throws -> Output {
        try self.requireContentType { $0 == "application/json" || $0.hasSuffix("+json") }
        let body = try await self.body.collect(upTo: maxBytes)
        do {
            return try JSONDecoder().decode(Output.self, from: Data(body.readableBytesView))
        } catch {
            throw APIError(.badRequest, code: "invalid_json", message: "The body is not valid JSON of the expected shape")
        }
    }

    private func requireContentType(_ accepts: (String) -> Bool) throws {
        guard let contentType = self.headers[.contentType] else { return }
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard accepts(mediaType) else {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", message: "Unsupported Content-Type \(mediaType)")
        }
    }
}
