import APIEnvelope
import Foundation
import HTTPCore
import HTTPTypes
import Validation

extension APIContract {
    /// The contract in TypeScript, one file with no runtime dependency: an interface per schema (inputs and outputs),
    /// a type per union, the envelope, `ErrorCode` as a union of every documented code, and `APIClient`, a typed
    /// `fetch` client with one method per operation (named by its id) that unwraps the envelope or throws `APIError`.
    ///
    /// ```swift
    /// try contract.typeScript().write(toFile: "web/src/api.ts", atomically: true, encoding: .utf8)
    /// ```
    /// ```ts
    /// const api = new APIClient({ baseURL: "https://example.com" });
    /// const results = await api.searchCatalogue({ query: "swift", max_results: 5 });
    /// ```
    public func typeScript(header: String = "Generated from the Swift routes and schemas. Do not edit.") -> String {
        var types: [TypeDescriptor] = []
        for described in self.operations {
            if let input = described.operation.input { types.append(.object(input.schema)) }
            if let output = described.operation.output { types.append(output) }
            types += described.pathParameters.compactMap { described.operation.pathParameters[$0] }
        }
        var source = "// \(header)\n"
        let names = TypeScriptNames()
        source += TypeScriptDeclarations.declarations(for: types, names: names)
        source += "\n/** Every `error.code` the API documents. */\n"
        source += "export type ErrorCode = \(TypeScriptDeclarations.literalUnion(self.errorCodes));\n"
        source += Self.runtime
        source += self.clientClass(names)
        return source
    }

    private func clientClass(_ names: TypeScriptNames) -> String {
        var lines = [
            "",
            "/** One method per operation: each returns the envelope's `data`, or throws `APIError`. */",
            "export class APIClient {",
            "  private readonly options: ClientOptions;",
            "",
            "  constructor(options: ClientOptions = {}) {",
            "    this.options = options;",
            "  }",
        ]
        for described in self.operations {
            let operation = described.operation
            var parameters: [String] = []
            var input: [String] = []
            if !described.pathParameters.isEmpty {
                let fields = described.pathParameters.map { name in
                    let type = operation.pathParameters[name].map { TypeScriptDeclarations.typeName($0, names) } ?? "string"
                    return "\(TypeScriptDeclarations.propertyName(name)): \(type)"
                }
                parameters.append("params: { \(fields.joined(separator: "; ")) }")
            }
            if let schema = operation.input {
                let name = names.name(for: schema.schema)
                switch schema.location {
                case .query:
                    let optional = schema.schema.fields.allSatisfy { $0.presence != .required }
                    parameters.append(optional ? "query: \(name) = {}" : "query: \(name)")
                    input.append("query: query as unknown as Record<string, QueryValue>")
                case .json:
                    parameters.append("body: \(name)")
                    input.append("json: body")
                case .form:
                    parameters.append("body: \(name)")
                    input.append("form: body as unknown as Record<string, QueryValue>")
                case .multipart:
                    parameters.append("body: FormData")
                    input.append("multipart: body")
                }
            }
            parameters.append("options: CallOptions = {}")
            let output = operation.output.map { TypeScriptDeclarations.typeName($0, names) } ?? "null"
            var path = "`"
            for segment in described.pattern.split(separator: "/", omittingEmptySubsequences: true) {
                path += "/"
                if segment.first == ":" {
                    let name = String(segment.dropFirst())
                    let access =
                        TypeScriptDeclarations.propertyName(name) == name ? "params.\(name)" : "params[\(OrderedJSON.quoted(name))]"
                    path += "${encodeURIComponent(String(\(access)))}"
                } else {
                    path += String(segment).replacingOccurrences(of: "`", with: "\\`").replacingOccurrences(of: "${", with: "\\${")
                }
            }
            if described.pattern.hasSuffix("/") || path == "`" { path += "/" }
            path += "`"
            var notes = [operation.summary, operation.description].compactMap { $0 }
            notes.append("`\(described.method.rawValue) \(described.path)`")
            if !described.credentials.isEmpty {
                notes.append("Needs credentials: \(described.credentials.map(Self.describe).joined(separator: " or ")).")
            }
            if operation.deprecated { notes.append("@deprecated") }
            lines.append("")
            lines.append(contentsOf: TypeScriptDeclarations.comment(notes, indent: "  "))
            lines.append("  \(operation.id)(\(parameters.joined(separator: ", "))): Promise<\(output)> {")
            lines.append(
                "    return this.call<\(output)>(\"\(described.method.rawValue)\", \(path), { \(input.joined(separator: ", ")) }, options);"
            )
            lines.append("  }")
        }
        lines += [
            "",
            "  private async call<T>(method: string, path: string, input: CallInput, options: CallOptions): Promise<T> {",
            "    return call<T>(this.options, method, path, input, options);",
            "  }",
            "}",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    static func describe(_ scheme: CredentialScheme) -> String {
        switch scheme {
        case .bearer: "an `Authorization: Bearer` token"
        case .cookie(let name): "the `\(name)` cookie"
        case .header(let name): "the `\(name)` header"
        }
    }

    /// The envelope, the error and the one function every client method calls.
    static let runtime = #"""

        /** One problem with the input: where (`loc`), what (`code`), for people (`message`). */
        export interface ValidationIssue {
          loc: (string | number)[];
          code: string;
          message: string;
        }

        /** The `error` member of an error envelope. */
        export interface APIErrorBody {
          code: ErrorCode;
          message: string;
          details: ValidationIssue[];
          request_id: string | null;
        }

        /** The API's one response shape. */
        export type Envelope<T> =
          | { status: "success"; data: T; error: null }
          | { status: "error"; data: null; error: APIErrorBody };

        /** An error answer; `code` is `"invalid_response"` when the answer was not an envelope (a proxy's HTML page). */
        export class APIError extends Error {
          readonly status: number;
          readonly code: ErrorCode | "invalid_response";
          readonly details: ValidationIssue[];
          readonly requestID: string | null;

          constructor(status: number, body: { code: ErrorCode | "invalid_response"; message: string; details?: ValidationIssue[]; request_id?: string | null }) {
            super(body.message);
            this.name = "APIError";
            this.status = status;
            this.code = body.code;
            this.details = body.details ?? [];
            this.requestID = body.request_id ?? null;
          }
        }

        /** How a client reaches the API. */
        export interface ClientOptions {
          /** Where the API is (`https://example.com`); relative URLs, the page's origin, without. */
          baseURL?: string;
          /** Headers sent with every call (`Authorization: Bearer …`). */
          headers?: Record<string, string>;
          /** Whether a browser sends cookies: `"include"` across origins; the browser's default without. */
          credentials?: RequestCredentials;
          /** A `fetch` of your own (tests, instrumentation); the global one without. */
          fetch?: typeof fetch;
        }

        /** Per call: extra headers, cancellation. */
        export interface CallOptions {
          headers?: Record<string, string>;
          signal?: AbortSignal;
        }

        type QueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean>;

        interface CallInput {
          query?: Record<string, QueryValue>;
          json?: unknown;
          form?: Record<string, QueryValue>;
          multipart?: FormData;
        }

        function encodePairs(values: Record<string, QueryValue>): string {
          const pairs = new URLSearchParams();
          for (const [name, value] of Object.entries(values)) {
            if (value === undefined || value === null) continue;
            if (Array.isArray(value)) {
              for (const item of value) pairs.append(name, String(item));
            } else {
              pairs.append(name, String(value));
            }
          }
          return pairs.toString();
        }

        async function call<T>(client: ClientOptions, method: string, path: string, input: CallInput, options: CallOptions): Promise<T> {
          const headers: Record<string, string> = { accept: "application/json", ...client.headers, ...options.headers };
          let url = (client.baseURL ?? "").replace(/\/+$/, "") + path;
          if (input.query) {
            const search = encodePairs(input.query);
            if (search) url += "?" + search;
          }
          let body: string | FormData | undefined;
          if (input.json !== undefined) {
            headers["content-type"] = "application/json";
            body = JSON.stringify(input.json);
          } else if (input.form) {
            headers["content-type"] = "application/x-www-form-urlencoded";
            body = encodePairs(input.form);
          } else if (input.multipart) {
            body = input.multipart;
          }
          const init: RequestInit = { method, headers, body, signal: options.signal };
          if (client.credentials) init.credentials = client.credentials;
          const response = await (client.fetch ?? fetch)(url, init);
          if (response.status === 204) return null as T;
          let envelope: Envelope<T> | undefined;
          try {
            envelope = (await response.json()) as Envelope<T>;
          } catch {
            envelope = undefined;
          }
          if (!envelope || typeof envelope !== "object" || (envelope.status !== "success" && envelope.status !== "error")) {
            throw new APIError(response.status, { code: "invalid_response", message: `Not an API envelope (HTTP ${response.status})` });
          }
          if (envelope.status === "error") throw new APIError(response.status, envelope.error);
          return envelope.data;
        }

        """#
}
