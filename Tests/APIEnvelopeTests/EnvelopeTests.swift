import APIEnvelope
import HTTPCore
import HTTPTypes
import Logging
import NIOCore
import Testing
import Validation

struct Hit: Codable, Equatable, Sendable {
    var id: Int
    var title: String
}

let silent: Logger = {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    return logger
}()

@Suite("Envelope")
struct EnvelopeTests {
    @Test("success and error envelopes, byte for byte")
    func shapes() throws {
        #expect(
            String(buffer: try Envelope.success([Hit(id: 1, title: "a")]))
                == #"{"status":"success","data":[{"id":1,"title":"a"}],"error":null}"#
        )
        #expect(String(buffer: Envelope.emptySuccess) == #"{"status":"success","data":null,"error":null}"#)
        let error = APIError.validationFailed([ValidationIssue(loc: ["items", 3, "name"], code: .missing, message: "Field required")])
        #expect(
            String(buffer: Envelope.failure(error, requestID: "r1"))
                == #"{"status":"error","data":null,"error":{"code":"validation_failed","message":"The input is not valid","details":[{"loc":["items",3,"name"],"code":"missing","message":"Field required"}],"request_id":"r1"}}"#
        )
        #expect(
            String(buffer: Envelope.failure(.notFound(), requestID: nil))
                == #"{"status":"error","data":null,"error":{"code":"not_found","message":"Not found","details":[],"request_id":null}}"#
        )
    }

    struct DomainError: APIErrorConvertible {
        var apiError: APIError { APIError(.conflict, code: "cart_empty", message: "The cart is empty") }
    }

    struct Internal: Error { let text = "SELECT * FROM users -- secret" }

    @Test(
        "maps errors to status and code",
        arguments: [
            (HTTPError(.notFound) as any Error, 404, "not_found"),
            (HTTPError(.methodNotAllowed, headers: [.allow: "GET"]), 405, "method_not_allowed"),
            (HTTPError.contentTooLarge(limit: 10), 413, "payload_too_large"),
            (APIError.unauthorized(), 401, "unauthorized"),
            (DomainError(), 409, "cart_empty"),
            (ValidationError(issues: [ValidationIssue(loc: ["q"], code: .missing, message: "Field required")]), 422, "validation_failed"),
            (ValidationError(issues: [ValidationIssue(loc: [], code: .invalidJSON, message: "bad")]), 400, "invalid_json"),
            (Internal(), 500, "internal_error"),
        ] as [(any Error, Int, String)]
    )
    func mapping(error: any Error, status: Int, code: String) {
        let apiError = APIError.from(error, logger: silent)
        #expect(apiError.status.code == status)
        #expect(apiError.code == code)
        #expect(!apiError.message.contains("secret"))
    }

    @Test("the renderer keeps the status, headers and request id and never leaks internal text")
    func renderer() async throws {
        let request = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "t", path: "/api/x"))
        let context = RequestContext(logger: silent, requestID: "req-7")
        let response = EnvelopeErrorRenderer().response(
            for: HTTPError(.methodNotAllowed, headers: [.allow: "GET, HEAD"]),
            request: request,
            context: context
        )
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers[.allow] == "GET, HEAD")
        #expect(response.headers[.contentType] == "application/json")
        #expect(String(buffer: try await response.body.collect()).contains(#""request_id":"req-7""#))
        let hidden = EnvelopeErrorRenderer().response(for: Internal(), request: request, context: context)
        let body = String(buffer: try await hidden.body.collect())
        #expect(hidden.status == .internalServerError)
        #expect(
            body
                == #"{"status":"error","data":null,"error":{"code":"internal_error","message":"Internal server error","details":[],"request_id":"req-7"}}"#
        )
    }

    @Test("problem+json rendering of the same errors")
    func problemDetails() async throws {
        let request = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "t", path: "/api/x"))
        let context = RequestContext(logger: silent, requestID: "r")
        let issues = [ValidationIssue(loc: ["query"], code: .tooShort, message: "Must be at least 1 character")]
        let response = ProblemDetailsRenderer(typeBaseURI: "https://errors.example/").response(
            for: ValidationError(issues: issues),
            request: request,
            context: context
        )
        #expect(response.headers[.contentType] == "application/problem+json")
        #expect(
            String(buffer: try await response.body.collect())
                == #"{"type":"https://errors.example/validation_failed","title":"Unprocessable Content","status":422,"detail":"The input is not valid","code":"validation_failed","errors":[{"loc":["query"],"code":"too_short","message":"Must be at least 1 character"}],"request_id":"r"}"#
        )
    }

    @Test("client decoding: data, typed errors, and bodies that are not envelopes")
    func clientDecoding() throws {
        let good = try Envelope.success([Hit(id: 3, title: "x")])
        #expect(try Envelope.decode([Hit].self, from: good) == [Hit(id: 3, title: "x")])

        let failure = Envelope.failure(.validationFailed([ValidationIssue(loc: ["q"], code: .missing, message: "m")]), requestID: "abc")
        #expect {
            try Envelope.decode([Hit].self, from: failure, status: .unprocessableContent)
        } throws: { error in
            guard let error = error as? APIError else { return false }
            return error.status == .unprocessableContent && error.code == "validation_failed" && error.requestID == "abc"
                && error.details.first?.loc == ["q"]
        }

        let html = ByteBuffer(string: "<html><body><h1>502 Bad Gateway</h1></body></html>")
        #expect {
            try Envelope.decode([Hit].self, from: html, status: .badGateway)
        } throws: { error in
            guard let error = error as? EnvelopeDecodingError, error.isNotAnEnvelope else { return false }
            return error.status == .badGateway && error.detail.hasPrefix("<html>")
        }

        #expect(throws: EnvelopeDecodingError.self) { try Envelope.decode(Hit.self, from: good) }
        #expect(throws: EnvelopeDecodingError.self) { try Envelope.decode(Hit.self, from: ByteBuffer(string: #"{"status":"maybe"}"#)) }
    }
}
