import Hummingbird

/// The same `/hello` and 1 KB `/json` routes as Tandem's `hello` example, for `Benchmarks/run.sh`.
@main
struct HummingbirdHello {
    static func main() async throws {
        let port = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 8081
        var items: [String] = []
        for index in 0..<15 {
            items.append(#"{"id":\#(index),"title":"Result number \#(index)","url":"https://example.com/\#(index)"}"#)
        }
        let json = ByteBuffer(string: #"{"status":"success","data":{"results":["# + items.joined(separator: ",") + #"]},"error":null}"#)

        let router = Router()
        router.get("/hello") { _, _ in "Hello, world!\n" }
        router.get("/json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: json))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }
}
