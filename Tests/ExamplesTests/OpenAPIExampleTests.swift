import Foundation
import NIOCore
import SearchApp
import TandemTesting
import Testing

/// Uses the committed `contracts.ts` client against the live example API: every operation, errors, cookies through a
/// `fetch` of its own.
let exampleClientScript = #"""
    import { APIClient, APIError } from "./contracts.js";
    declare const process: { env: Record<string, string | undefined> };

    // Node's fetch keeps no cookies: this one does, for the `access_token` the login sets.
    let cookie = "";
    const cookieFetch: typeof fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      if (cookie) headers.set("cookie", cookie);
      const response = await fetch(input, { ...init, headers });
      const set = response.headers.get("set-cookie");
      if (set) cookie = set.split(";")[0];
      return response;
    };
    const api = new APIClient({ baseURL: process.env.BASE_URL, fetch: cookieFetch });
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

    const results = await api.searchCatalogue({ query: "  swift guide ", max_results: 2 });
    seen.search = { query: results.query, count: results.results.length, first: results.results[0].id };
    seen.entry = (await api.getEntry({ id: 3 })).title;
    seen.topics = Object.keys((await api.catalogueStats()).by_topic).length;
    const receipt = await api.sendFeedback({ entry_id: 3, feedback: { kind: "comment", text: " Useful " } });
    seen.feedback = { kind: receipt.kind, entry: receipt.entry_id, uuid: /^[0-9A-F-]{36}$/i.test(receipt.id), dated: !isNaN(Date.parse(receipt.received_at)) };
    const form = new FormData();
    form.append("caption", "notes");
    form.append("file", new Blob(["abc"], { type: "text/plain" }), "../../etc/passwd");
    seen.attachment = await api.attachFile({ id: 3 }, form);
    seen.invalid = await failure(() => api.sendFeedback({ entry_id: 0, feedback: { kind: "rating", stars: 9 } }));
    seen.anonymous = await failure(() => api.currentUser());
    seen.wrongPassword = await failure(() => api.login({ username: "ada", password: "nope" }));
    seen.login = (await api.login({ username: "ada", password: "lovelace" })).name;
    seen.me = (await api.currentUser()).username;
    seen.logout = await api.logout();
    seen.afterLogout = await failure(() => api.currentUser());
    console.log(JSON.stringify(seen));
    """#

@Suite("The example API's contract, live", .serialized)
struct OpenAPIExampleTests {
    /// The API process and a token for the signed-in routes.
    func withAPI(_ body: (_ port: Int, _ token: String) async throws -> Void) async throws {
        let api = try ServerProcess("split-services", ["api", "--port", "0"], announcing: "api")
        defer { api.process.terminate() }
        let login = try await RawHTTPClient.roundTrip(port: api.port, jsonPost("/api/login/", #"{"username":"ada","password":"lovelace"}"#))
        let cookie = try #require(login.header("set-cookie"))
        try await body(api.port, String(cookie.dropFirst("access_token=".count).prefix { $0 != ";" }))
    }

    @Test("GET /api/openapi.json serves the committed openapi.json, and openapi-spec-validator accepts it")
    func servedDocument() async throws {
        try await self.withAPI { port, _ in
            let served = try await RawHTTPClient.roundTrip(port: port, "GET /api/openapi.json HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(served.status == 200 && served.header("content-type") == "application/json")
            let committed = try String(contentsOf: contractsDirectory.appendingPathComponent("openapi.json"), encoding: .utf8)
            #expect(served.text == committed)
            let check = try await PythonOpenAPI.validate(document: served.text)
            #expect(check.status == 0, "\(check.output)")
        }
    }

    @Test("schemathesis, every check, against the live API: no server error, no undocumented status, no response off its schema")
    func schemathesis() async throws {
        try await self.withAPI { port, token in
            let directory = try ExternalTool.scratchDirectory("schemathesis")
            let common = [
                "run", "http://127.0.0.1:\(port)/api/openapi.json", "--checks", "all", "--max-examples", "60", "--seed", "20261129",
                "-H", "Authorization: Bearer \(token)", "--no-color",
            ]
            // Every operation, valid and invalid input; the upload only with valid input, below.
            let all = try await ExternalTool.run(
                "schemathesis",
                common + ["--exclude-operation-id", "attachFile"],
                in: directory,
                timeout: .seconds(600),
                installHint: "pip install schemathesis"
            )
            #expect(all.status == 0, "\(all.output)")
            #expect(all.output.contains("Tested: 7"), "\(all.output)")
            // A multipart part is text or bytes on the wire whatever type schemathesis meant: its "invalid" parts (an
            // object where the schema says string) arrive as valid strings, so only valid input is generated here.
            let upload = try await ExternalTool.run(
                "schemathesis",
                common + ["--include-operation-id", "attachFile", "--mode", "positive"],
                in: directory,
                timeout: .seconds(600),
                installHint: "pip install schemathesis"
            )
            #expect(upload.status == 0, "\(upload.output)")
            #expect(upload.output.contains("Tested: 1"), "\(upload.output)")
        }
    }

    @Test("the committed contracts.ts type-checks and, run by Node, drives every operation of the live API")
    func typeScriptClient() async throws {
        let directory = try ExternalTool.scratchDirectory("example-client")
        let contracts = try String(contentsOf: contractsDirectory.appendingPathComponent("contracts.ts"), encoding: .utf8)
        let compiled = try await TypeScript.compile(["contracts.ts": contracts, "run.ts": exampleClientScript], in: directory)
        try #require(compiled.status == 0, "\(compiled.output)")
        try await self.withAPI { port, _ in
            let run = try await TypeScript.run("run", in: directory, environment: ["BASE_URL": "http://127.0.0.1:\(port)"])
            try #require(run.status == 0, "\(run.output)")
            let member = try JSONReport(run.output).member
            let expected = Catalogue.standard.search(SearchInput(query: "swift guide", maxResults: 2))
            #expect(try member("search") == #"{"count":2,"first":\#(expected.results[0].id),"query":"swift guide"}"#)
            #expect(try member("entry") == "\"\(Catalogue.standard.entry(3)!.title)\"")
            #expect(try member("topics") == "20")
            #expect(try member("feedback") == #"{"dated":true,"entry":3,"kind":"comment","uuid":true}"#)
            #expect(
                try member("attachment") == #"{"caption":"notes","content_type":"text/plain","entry_id":3,"filename":"passwd","size":3}"#
            )
            #expect(
                try member("invalid")
                    == #"{"code":"validation_failed","details":["entry_id out_of_range","feedback.stars out_of_range"],"status":422}"#
            )
            #expect(try member("anonymous") == #"{"code":"unauthorized","details":[],"status":401}"#)
            #expect(try member("wrongPassword") == #"{"code":"unauthorized","details":[],"status":401}"#)
            #expect(try member("login") == #""Ada Lovelace""# && member("me") == #""ada""#)
            #expect(try member("logout") == "null")
            #expect(try member("afterLogout") == #"{"code":"unauthorized","details":[],"status":401}"#)
        }
    }
}
