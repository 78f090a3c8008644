import APIContract
import APIEnvelope
import Foundation
import HTTPCore
import Routing
import TandemTesting
import Testing

/// Exercises every operation of the notes API through the generated client, printing what it saw as JSON.
let clientScript = #"""
    import { APIClient, APIError, Note } from "./api.js";
    declare const process: { env: Record<string, string | undefined> };

    const api = new APIClient({ baseURL: process.env.BASE_URL + "/" });
    const seen: Record<string, unknown> = {};
    async function failure(call: () => Promise<unknown>): Promise<unknown> {
      try {
        await call();
        return "no error";
      } catch (error) {
        if (!(error instanceof APIError)) throw error;
        return { status: error.status, code: error.code, details: error.details.map((issue) => issue.loc.join(".") + " " + issue.code) };
      }
    }

    const created: Note = await api.createNote({
      title: "  Groceries ",
      priority: "high",
      body: { type: "checklist", items: ["milk", "bread"] },
      labels: { room: "kitchen" },
    });
    seen.created = { id: created.id, title: created.title, body: created.body, labels: created.labels, dated: !isNaN(Date.parse(created.created_at)) };
    await api.createNote({ title: "Second", body: { type: "text", text: "hello" } });
    const list = await api.listNotes({ priority: ["high"], limit: 5 });
    seen.list = { total: list.total, ids: list.notes.map((note) => note.id) };
    seen.all = (await api.listNotes()).total;
    seen.got = (await api.getNote({ id: created.id })).title;
    seen.renamed = (await api.renameNote({ id: created.id }, { title: "Shopping" })).note.title;
    const form = new FormData();
    form.append("caption", "receipt");
    form.append("file", new Blob(["12345"]), "receipt.txt");
    seen.upload = await api.uploadFile({ id: created.id }, form);
    seen.invalid = await failure(() => api.createNote({ title: " ", body: { type: "text", text: "" } }));
    seen.missing = await failure(() => api.getNote({ id: 99 }));
    seen.anonymous = await failure(() => api.deleteNote({ id: 2 }));
    seen.deleted = await api.deleteNote({ id: 2 }, { headers: { "X-API-Key": "secret" } });
    const signedIn = new APIClient({ baseURL: process.env.BASE_URL, headers: { authorization: "Bearer valid" } });
    seen.me = await signedIn.whoAmI();
    const html = new APIClient({ baseURL: process.env.BASE_URL, fetch: async () => new Response("<html>502</html>", { status: 502 }) });
    seen.notEnvelope = await failure(() => html.listNotes());
    console.log(JSON.stringify(seen));
    """#

/// Uses the client wrongly in five ways; each must be a compile error.
let misuseScript = #"""
    import { APIClient } from "./api.js";
    const api = new APIClient();
    export async function misuse(): Promise<void> {
      await api.createNote({ title: "x", body: { type: "text", items: ["a"] } });
      await api.getNote({ id: "7" });
      await api.listNotes({ priority: ["urgent"] });
      const title: number = (await api.getNote({ id: 1 })).title;
      await api.renameNote({ title: "x" });
      void title;
    }
    """#

@Suite("TypeScript client")
struct TypeScriptClientTests {
    @Test("the whole contract type-checks with tsc --strict")
    func typeChecks() async throws {
        let directory = try ExternalTool.scratchDirectory("ts-check")
        let result = try await TypeScript.compile(["api.ts": notesContract().typeScript()], in: directory, emit: false)
        #expect(result.status == 0, "\(result.output)")
    }

    @Test("the types are real: misusing the client fails to compile, at each misuse")
    func misuseFails() async throws {
        let directory = try ExternalTool.scratchDirectory("ts-misuse")
        let result = try await TypeScript.compile(
            ["api.ts": notesContract().typeScript(), "misuse.ts": misuseScript],
            in: directory,
            emit: false
        )
        #expect(result.status != 0)
        for line in 4...8 { #expect(result.output.contains("misuse.ts(\(line),"), "no error on line \(line): \(result.output)") }
        #expect(!result.output.contains("api.ts("), "\(result.output)")
    }

    @Test("declarations: the union, the map, the envelope, the error codes and one documented method per operation")
    func declarations() throws {
        let source = try notesContract().typeScript(header: "test header")
        #expect(source.hasPrefix("// test header\n"))
        #expect(source.contains("export type Body = TextBody | ChecklistBody;"))
        #expect(source.contains("  labels: Record<string, string>;"))
        #expect(source.contains(#"export type ErrorCode = "bad_request" | "internal_error" | "invalid_json" | "not_found""#))
        #expect(source.contains("  createNote(body: NewNote, options: CallOptions = {}): Promise<Note> {"))
        #expect(source.contains("  listNotes(query: NoteQuery = {}, options: CallOptions = {}): Promise<NoteList> {"))
        #expect(source.contains("  getNote(params: { id: number }, options: CallOptions = {}): Promise<Note> {"))
        #expect(source.contains("  uploadFile(params: { id: number }, body: FormData, options: CallOptions = {}): Promise<Upload> {"))
        #expect(source.contains("  deleteNote(params: { id: number }, options: CallOptions = {}): Promise<null> {"))
        #expect(source.contains("`/api/notes/${encodeURIComponent(String(params.id))}/rename`"))
        #expect(source.contains("Needs credentials: the `X-API-Key` header."))
        #expect(source.contains("@deprecated"))
    }

    @Test(
        "compiled and run by Node against the live API: every operation, errors as APIError with details, credentials, a non-envelope answer"
    )
    func runsAgainstTheAPI() async throws {
        let directory = try ExternalTool.scratchDirectory("ts-run")
        let compiled = try await TypeScript.compile(["api.ts": notesContract().typeScript(), "run.ts": clientScript], in: directory)
        try #require(compiled.status == 0, "\(compiled.output)")
        let app = try notesRoutes().build().wrapped(in: ErrorMiddleware(EnvelopeErrorRenderer()))
        let output = try await withTestServer(app, errorRenderer: EnvelopeErrorRenderer()) { port, _ in
            try await TypeScript.run("run", in: directory, environment: ["BASE_URL": "http://127.0.0.1:\(port)"])
        }
        try #require(output.status == 0, "\(output.output)")
        let report = try JSONReport(output.output)
        let member = report.member
        #expect(
            try member("created")
                == #"{"body":{"items":["milk","bread"],"type":"checklist"},"dated":true,"id":1,"labels":{"room":"kitchen"},"title":"Groceries"}"#
        )
        #expect(try member("list") == #"{"ids":[1],"total":1}"#)
        #expect(try member("all") == "2")
        #expect(try member("got") == #""Groceries""# && member("renamed") == #""Shopping""#)
        #expect(try member("upload") == #"{"caption":"receipt","note":1,"size":5}"#)
        #expect(try member("invalid") == #"{"code":"validation_failed","details":["title too_short","body.text too_short"],"status":422}"#)
        #expect(try member("missing") == #"{"code":"not_found","details":[],"status":404}"#)
        #expect(try member("anonymous") == #"{"code":"unauthorized","details":[],"status":401}"#)
        #expect(try member("deleted") == "null")
        #expect(try member("me") == #"{"name":"ada"}"#)
        #expect(try member("notEnvelope") == #"{"code":"invalid_response","details":[],"status":502}"#)
    }
}
