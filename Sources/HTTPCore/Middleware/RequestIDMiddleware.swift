import HTTPTypes
import Logging
import Synchronization

/// Gives every request an id: a sane incoming `X-Request-ID` is kept, otherwise a random one is made.
///
/// The id goes into ``RequestContext/requestID``, the logger's `request_id` metadata and the response's
/// `X-Request-ID`, so one id follows a request through gateway, web and API servers. Its place relative to
/// ``AccessLogMiddleware`` does not matter: whichever runs first chooses the id, the other keeps it.
///
/// ```swift
/// let app = router.wrapped(in: RequestIDMiddleware())
/// ```
public struct RequestIDMiddleware: Middleware {
    /// The longest incoming id accepted.
    public let maxLength: Int

    /// The longest incoming id kept unless told otherwise.
    public static let defaultMaxLength = 128

    /// Creates the middleware; incoming ids longer than `maxLength` are replaced.
    public init(maxLength: Int = RequestIDMiddleware.defaultMaxLength) {
        self.maxLength = maxLength
    }

    public func handle(_ request: Request, context: RequestContext, next: some HTTPHandler) async throws -> Response {
        var context = context
        let id: String
        // An id already chosen by middleware outside this one (the access log resolves one the same way when it
        // runs first) is kept, so every order of the two logs and answers the same id.
        if let chosen = context.requestID, Self.isAcceptable(chosen, maxLength: self.maxLength) {
            id = chosen
        } else {
            id = Self.id(for: request.headers[values: .xRequestID], maxLength: self.maxLength)
        }
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next.handle(request, context: context)
        response.headers[.xRequestID] = id
        return response
    }

    /// The id of a request that sent these `X-Request-ID` values: the one it sent when that is acceptable, a new one
    /// otherwise. The one rule for the middleware, the access log that runs before it, and the event-loop fast path.
    package static func id(for sent: some Collection<String>, maxLength: Int) -> String {
        Self.accepted(sent, maxLength: maxLength) ?? Self.generate()
    }

    /// The incoming id to keep, from the values of every `X-Request-ID` field: exactly one, and acceptable.
    /// (Two ids are ambiguous; both paths of a gateway use this one rule.)
    package static func accepted(_ values: some Collection<String>, maxLength: Int) -> String? {
        guard values.count == 1, let id = values.first, Self.isAcceptable(id, maxLength: maxLength) else { return nil }
        return id
    }

    /// Whether an incoming id is safe to log and echo: 1...maxLength of `[A-Za-z0-9._:-]`.
    public static func isAcceptable(_ id: String, maxLength: Int = 128) -> Bool {
        guard !id.isEmpty, id.utf8.count <= maxLength else { return false }
        return id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                UInt8(ascii: "."), UInt8(ascii: ":"):
                true
            default: false
            }
        }
    }

    /// A new id: 32 lowercase hex digits — 64 random bits chosen once per process, then a 64-bit counter.
    ///
    /// Unique within and (with overwhelming probability) across processes, and cheap: the random source
    /// is a syscall, so it is read once, not per request. Ids are for correlation, not secrets.
    public static func generate() -> String {
        let count = counter.wrappingAdd(1, ordering: .relaxed).oldValue
        // One allocation: both halves written straight into the string.
        return String(unsafeUninitializedCapacity: 32) { buffer in
            writeHex(processPrefix, into: buffer, at: 0)
            writeHex(count, into: buffer, at: 16)
            return 32
        }
    }

    private static let processPrefix: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }()

    private static let counter = Atomic<UInt64>(
        {
            var generator = SystemRandomNumberGenerator()
            return generator.next()
        }()
    )

    private static func writeHex(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        let digits: StaticString = "0123456789abcdef"
        for index in 0..<16 {
            buffer[offset + index] = digits.utf8Start[Int((value >> (60 - 4 * UInt64(index))) & 0xF)]
        }
    }
}
