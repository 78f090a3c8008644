public import Foundation
public import HTTPCore
public import HTTPTypes
public import NIOCore
import Validation

/// The API's one response shape.
///
/// - Success: `{"status":"success","data":<T>,"error":null}`
/// - Error: `{"status":"error","data":null,"error":{"code":…,"message":…,"details":[…],"request_id":…}}`
///
/// ```swift
/// let response = try Envelope.response(SearchResults(...))              // server side
/// let results = try Envelope.decode(SearchResults.self, from: bytes)     // client side; throws APIError
/// ```
public enum Envelope {
    /// The envelope around `data`, written into a buffer.
    public static func success(_ data: some Encodable) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(256)
        buffer.writeStaticString(#"{"status":"success","data":"#)
        try JSONWriter.write(data, into: &buffer)
        buffer.writeStaticString(#","error":null}"#)
        return buffer
    }

    /// The envelope with no data: `{"status":"success","data":null,"error":null}`.
    public static var emptySuccess: ByteBuffer {
        ByteBuffer(string: #"{"status":"success","data":null,"error":null}"#)
    }

    /// The error envelope for `error`.
    public static func failure(_ error: APIError, requestID: String?) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeStaticString(#"{"status":"error","data":null,"error":"#)
        let body = ErrorBody(code: error.code, message: error.message, details: error.details, requestID: requestID ?? error.requestID)
        // ErrorBody holds only strings and issues: it cannot fail to encode.
        try! JSONWriter.write(body, into: &buffer)
        buffer.writeInteger(UInt8(ascii: "}"))
        return buffer
    }

    /// A `200` (or `status`) JSON response with `data` in the envelope.
    public static func response(_ data: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .bytes(try self.success(data)))
    }

    /// Unwraps an envelope into `T`, in one pass over the bytes (``JSONReader``; no Foundation on this path).
    /// - Parameters:
    ///   - bytes: the response body.
    ///   - status: the response status, when known; it becomes the thrown ``APIError``'s status.
    /// - Throws: the ``APIError`` an error envelope carries, or ``EnvelopeDecodingError`` when the bytes are not
    ///   an envelope (an HTML error page from a proxy, say) or `data` is not a `T`.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: ByteBuffer, status: HTTPResponse.Status? = nil) throws -> T {
        let outcome: Result<T, any Error> = bytes.withUnsafeReadableBytes { raw in
            let tape: JSONTape
            do {
                tape = try JSONTape(bytes: raw, maxDepth: JSONReader.defaultMaxDepth)
            } catch {
                return .failure(EnvelopeDecodingError.notAnEnvelope(status: status, snippet: Self.snippet(bytes)))
            }
            return withExtendedLifetime(tape) {
                let root = TapeDecoder(tape: tape, index: 0)
                return Result {
                    try Self.unwrap(
                        type,
                        status: status,
                        bytes: bytes,
                        head: { try root.decodeValue(Head.self) },
                        data: { try root.decodeValue(Success<T>.self).data }
                    )
                }
            }
        }
        return try outcome.get()
    }

    /// ``decode(_:from:status:)`` with Foundation's `decoder` (for its decoding strategies: dates, keys).
    public static func decode<T: Decodable>(
        _ type: T.Type,
        from bytes: ByteBuffer,
        status: HTTPResponse.Status?,
        decoder: JSONDecoder
    ) throws -> T {
        let data = Data(bytes.readableBytesView)
        return try Self.unwrap(
            type,
            status: status,
            bytes: bytes,
            head: { try decoder.decode(Head.self, from: data) },
            data: { try decoder.decode(Success<T>.self, from: data).data }
        )
    }

    /// The envelope's rules, whichever decoder reads it.
    private static func unwrap<T>(
        _ type: T.Type,
        status: HTTPResponse.Status?,
        bytes: ByteBuffer,
        head decodeHead: () throws -> Head,
        data decodeData: () throws -> T
    ) throws -> T {
        let head: Head
        do {
            head = try decodeHead()
        } catch {
            throw EnvelopeDecodingError.notAnEnvelope(status: status, snippet: Self.snippet(bytes))
        }
        switch head.status {
        case "success":
            do {
                return try decodeData()
            } catch {
                throw EnvelopeDecodingError.unexpectedData(type: "\(T.self)", reason: "\(error)")
            }
        case "error":
            guard let body = head.error else {
                throw EnvelopeDecodingError.notAnEnvelope(status: status, snippet: Self.snippet(bytes))
            }
            throw APIError(
                status ?? HTTPResponse.Status(code: 500),
                code: body.code,
                message: body.message,
                details: body.details ?? [],
                requestID: body.requestID
            )
        default:
            throw EnvelopeDecodingError.notAnEnvelope(status: status, snippet: Self.snippet(bytes))
        }
    }

    static func snippet(_ bytes: ByteBuffer) -> String {
        String(decoding: bytes.readableBytesView.prefix(200), as: UTF8.self)
    }

    struct ErrorBody: Codable {
        var code: String
        var message: String
        var details: [ValidationIssue]?
        var requestID: String?

        enum CodingKeys: String, CodingKey {
            case code, message, details
            case requestID = "request_id"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self.code, forKey: .code)
            try container.encode(self.message, forKey: .message)
            try container.encode(self.details ?? [], forKey: .details)
            if let requestID { try container.encode(requestID, forKey: .requestID) } else { try container.encodeNil(forKey: .requestID) }
        }
    }

    struct Head: Decodable {
        var status: String
        var error: ErrorBody?
    }

    struct Success<T: Decodable>: Decodable {
        var data: T
    }
}

/// The bytes were not the envelope a client expected.
///
/// ```swift
/// catch let error as EnvelopeDecodingError where error.isNotAnEnvelope { ... }   // a proxy's HTML error page, say
/// ```
public struct EnvelopeDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Hashable, Sendable {
        case notAnEnvelope(status: HTTPResponse.Status?, snippet: String)
        case unexpectedData(type: String, reason: String)
    }

    private let kind: Kind

    /// Not an envelope at all (e.g. an HTML error page from a proxy); `snippet` is the start of the body.
    public static func notAnEnvelope(status: HTTPResponse.Status?, snippet: String) -> Self {
        Self(kind: .notAnEnvelope(status: status, snippet: snippet))
    }

    /// A success envelope whose `data` is not the expected type.
    public static func unexpectedData(type: String, reason: String) -> Self {
        Self(kind: .unexpectedData(type: type, reason: reason))
    }

    /// Whether the body was not an envelope at all (rather than an envelope of another type).
    public var isNotAnEnvelope: Bool {
        if case .notAnEnvelope = self.kind { return true }
        return false
    }

    /// The HTTP status of a response that was not an envelope, when known.
    public var status: HTTPResponse.Status? {
        if case .notAnEnvelope(let status, _) = self.kind { return status }
        return nil
    }

    /// The start of a body that was not an envelope, or why the data did not decode.
    public var detail: String {
        switch self.kind {
        case .notAnEnvelope(_, let snippet): snippet
        case .unexpectedData(_, let reason): reason
        }
    }

    public var description: String {
        switch self.kind {
        case .notAnEnvelope(let status, let snippet):
            "The response\(status.map { " (\($0.code))" } ?? "") is not an API envelope: \(snippet.debugDescription)"
        case .unexpectedData(let type, let reason):
            "The envelope's data is not a \(type): \(reason)"
        }
    }
}
