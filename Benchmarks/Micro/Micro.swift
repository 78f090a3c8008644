import APIEnvelope
import Foundation
import HTTPCompression
import HTTPCore
import HTTPTypes
import Logging
import NIOCore
import SSRRendering
import SearchApp
import Validation

/// Micro benchmarks for the API hot path: `swift run -c release tandem-micro`.
///
/// Each case runs for about a second after a warm-up; the best of five rounds is reported in ns per
/// operation, so a noisy neighbour inflates nothing but the worst rounds.
@main
struct Micro {
    /// `tandem-micro WORD` runs only the cases whose name contains WORD; `MICRO_SCALE` divides the iterations.
    static let filter = CommandLine.arguments.dropFirst().first?.lowercased()
    static let scale = Int(ProcessInfo.processInfo.environment["MICRO_SCALE"] ?? "") ?? 1

    static func measure(_ name: String, iterations: Int = 20_000, _ body: () throws -> Void) rethrows -> Double {
        if let filter, !name.lowercased().contains(filter) { return 1 }
        let iterations = max(1, iterations / scale)
        for _ in 0..<(iterations / 10) { try body() }
        var best = Double.infinity
        for _ in 0..<5 {
            let start = ContinuousClock.now
            for _ in 0..<iterations { try body() }
            let elapsed = ContinuousClock.now - start
            let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
            best = min(best, nanoseconds / Double(iterations))
        }
        print(String(repeating: " ", count: max(0, 44 - name.count)) + name + ": " + String(Int(best.rounded())) + " ns/op")
        return best
    }

    /// `SearchResults` read from the tape by hand (keys in any order; no error reporting beyond a throw).
    static func readResults(_ tape: JSONTape) throws -> SearchResults {
        struct Malformed: Error {}
        let tokens = tape.tokens
        func members(of object: Int, _ body: (String, Int) throws -> Void) throws {
            guard tokens[object].kind == .object else { throw Malformed() }
            var member = object + 1
            while member < Int(tokens[object].next) {
                try body(tape.string(tokens[member]), member + 1)
                member = Int(tokens[member + 1].next)
            }
        }
        func integer(_ index: Int) throws -> Int {
            guard tokens[index].kind == .number,
                let value = Int(
                    String(
                        decoding: UnsafeRawBufferPointer(rebasing: tape.bytes[Int(tokens[index].start)..<Int(tokens[index].end)]),
                        as: UTF8.self
                    )
                )
            else { throw Malformed() }
            return value
        }
        var results = SearchResults(query: "", total: 0, results: [])
        try members(of: 0) { key, value in
            switch key {
            case "query": results.query = tape.string(tokens[value])
            case "total": results.total = try integer(value)
            case "results":
                var element = value + 1
                results.results.reserveCapacity(Int(tokens[value].end))
                while element < Int(tokens[value].next) {
                    var entry = CatalogueEntry(id: 0, title: "", url: "", summary: "")
                    try members(of: element) { key, value in
                        switch key {
                        case "id": entry.id = try integer(value)
                        case "title": entry.title = tape.string(tokens[value])
                        case "url": entry.url = tape.string(tokens[value])
                        case "summary": entry.summary = tape.string(tokens[value])
                        default: break
                        }
                    }
                    results.results.append(entry)
                    element = Int(tokens[element].next)
                }
            default: break
            }
        }
        return results
    }

    static func main() async throws {
        let input = SearchInput(query: "guide", maxResults: 20)
        let results = Catalogue.standard.search(input)
        let encoder = JSONEncoder()
        var sink = 0

        let writtenResults = try JSONWriter.encode(results)
        let size = writtenResults.readableBytes
        print("search response: \(results.results.count) results, \(size) bytes of JSON\n")

        let writer = try measure("JSONWriter (ByteBuffer)") { sink &+= try JSONWriter.encode(results).readableBytes }
        let foundation = try measure("Foundation JSONEncoder (Data)") { sink &+= try encoder.encode(results).count }
        let envelope = try measure("Envelope.success (JSONWriter)") { sink &+= try Envelope.success(results).readableBytes }
        print(String(format: "\nJSONWriter is %.1fx faster than JSONEncoder\n", foundation / writer))
        _ = envelope

        // The page loader's side: the API's envelope back into `SearchResults` (issue: 29 % of a page's CPU).
        let body = try Envelope.success(results)
        let decoder = JSONDecoder()
        let reader = try measure("JSONReader (ByteBuffer)") {
            sink &+= try JSONReader.decode(SearchResults.self, from: try JSONWriter.encode(results)).total
        }
        let readerOnly = try measure("JSONReader, decode only") {
            sink &+= try JSONReader.decode(SearchResults.self, from: writtenResults).total
        }
        // The yardstick for a reader generated per type: the same value read from the same tape by hand-written
        // code, without `Codable`'s containers (what a generated reader would do).
        _ = try measure("JSONTape parse only") {
            sink &+= try writtenResults.withUnsafeReadableBytes { try JSONTape(bytes: $0, maxDepth: 512).tokens.count }
        }
        _ = try measure("Hand-written reader over the tape") {
            sink &+= try writtenResults.withUnsafeReadableBytes { try Self.readResults(JSONTape(bytes: $0, maxDepth: 512)).total }
        }
        let foundationDecoder = try measure("Foundation JSONDecoder (Data copy + decode)") {
            sink &+= try decoder.decode(SearchResults.self, from: Data(writtenResults.readableBytesView)).total
        }
        let unwrap = try measure("Envelope.decode (one parse, JSONReader)") {
            sink &+= try Envelope.decode(SearchResults.self, from: body).total
        }
        let unwrapFoundation = try measure("Envelope.decode with JSONDecoder (two parses)") {
            sink &+= try Envelope.decode(SearchResults.self, from: body, status: nil, decoder: decoder).total
        }
        print(
            String(
                format: "\nJSONReader is %.1fx faster than JSONDecoder; envelope decoding %.1fx faster\n",
                foundationDecoder / readerOnly,
                unwrapFoundation / unwrap
            )
        )
        _ = reader

        let pairs = [("query", "swift server"), ("max_results", "20")]
        _ = try measure("SearchSchema.decode(pairs:) (query string)") { sink &+= try Contracts.search.decode(pairs: pairs).maxResults }
        let json = Array(#"{"query":"swift server","max_results":20}"#.utf8)
        _ = try measure("SearchSchema.decode(json:)", iterations: 5_000) { sink &+= try Contracts.search.decode(json: json).maxResults }
        let invalid = [("max_results", "500")]
        _ = measure("SearchSchema.decode, 2 issues collected") {
            do throws(ValidationError) { _ = try Contracts.search.decode(pairs: invalid) } catch { sink &+= error.issues.count }
        }
        _ = measure("Catalogue.search (300 entries)", iterations: 2_000) { sink &+= Catalogue.standard.search(input).total }

        // The search results page as the pages benchmark serves it, without the server around it.
        let page = Request(head: HTTPRequest(method: .get, scheme: nil, authority: "t", path: "/search/?query=swift"))
        let context = PageContext(request: page, requestContext: RequestContext(logger: Logger(label: "micro")), api: nil)
        let props = SearchPageProps(query: "swift", results: Catalogue.standard.search(SearchInput(query: "swift", maxResults: 20)))
        let bytes = try await RenderedHTML(SearchPage().render(props, context: context)).collect().readableBytes
        print("\nsearch page: \(bytes) bytes of HTML\n")
        _ = measure("SearchPage render → ByteBuffer (20 results)", iterations: 5_000) {
            sink &+= RenderedHTML(SearchPage().render(props, context: context)).staticChunks?.count ?? 0
        }
        // Each coding of this build (`--traits Brotli,Zstd` adds br and zstd) on that page, at the default level 5.
        let html = try await RenderedHTML(SearchPage().render(props, context: context)).collect()
        let compression = CompressionMiddleware()
        print("")
        for coding in CompressionMiddleware.Coding.allCases {
            let size = try compression.compress(html, as: coding).readableBytes
            _ = try measure("\(coding.rawValue) the page (\(html.readableBytes) → \(size) bytes)", iterations: 2_000) {
                sink &+= try compression.compress(html, as: coding).readableBytes
            }
        }
        if sink == 42 { print("") }  // keeps the work observable
    }
}
