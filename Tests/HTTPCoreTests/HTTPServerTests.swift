import HTTPCore
import HTTPTypes
import NIOCore
import NIOPosix
import Synchronization
import TandemTesting
import Testing

/// A one-shot signal between a handler and a test.
struct Signal: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    init() { (self.stream, self.continuation) = AsyncStream<Void>.makeStream() }
    func fire() { self.continuation.yield() }
    func wait() async { for await _ in self.stream { return } }
}

struct SecretFailure: Error { let text = "database password is hunter2" }

func makeApp(probe: Probe = Probe(), started: Signal = Signal(), release: Signal = Signal()) -> HandlerFunction {
    HandlerFunction { request, _ in
        switch request.path {
        case "/hello":
            return .text("hello \(request.query["n"] ?? "")")
        case "/echo":
            let body = try await request.body.collect(upTo: .max)
            return .bytes(body, contentType: "application/octet-stream")
        case "/count":
            // Byte i of the upload is `i & 0xFF`: checking the first and last byte of every chunk at its
            // offset catches lost, duplicated or reordered bytes without a per-byte loop in debug builds.
            var total = 0
            var misplaced = 0
            var chunks = 0
            // A slow consumer: without back-pressure the client pushes the whole upload into the server's
            // memory meanwhile; with it, the client is stopped once socket buffers and the body watermark
            // are full. (The delay, `?hold=` milliseconds, simulates a slow handler; it synchronises nothing.)
            try await Task.sleep(for: .milliseconds(Int(request.query["hold"] ?? "") ?? 300))
            probe.max("sentBeforeConsuming", probe["sent"])
            for try await chunk in request.body {
                let view = chunk.readableBytesView
                if let first = view.first, let last = view.last {
                    if first != UInt8(truncatingIfNeeded: total) { misplaced += 1 }
                    if last != UInt8(truncatingIfNeeded: total + view.count - 1) { misplaced += 1 }
                }
                total += chunk.readableBytes
                chunks += 1
            }
            return .text("\(total) \(misplaced) \(chunks)")
        case "/stream":
            return Response(
                headers: [.contentType: "text/plain"],
                body: .stream { writer in
                    for part in ["one,", "two,", "three"] { try await writer.write(ByteBuffer(string: part)) }
                }
            )
        case "/big":
            let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 64 * 1024)
            return Response(
                body: .stream { writer in
                    do {
                        for _ in 0..<1600 { try await writer.write(chunk) }
                        probe.add("bigCompleted")
                    } catch {
                        probe.add("bigFailed")
                        throw error
                    }
                }
            )
        case "/slow":
            probe.add("slowStarted")
            started.fire()
            await release.wait()
            return .text("finished")
        case "/where":
            // Handlers run on the connection's event loop, before and after a suspension.
            let before = MultiThreadedEventLoopGroup.currentEventLoop != nil
            await Task.yield()
            let after = MultiThreadedEventLoopGroup.currentEventLoop != nil
            return .text("\(before) \(after)")
        case "/fail":
            throw SecretFailure()
        case "/teapot":
            throw HTTPError(HTTPResponse.Status(code: 418), message: "short and stout")
        default:
            throw HTTPError(.notFound)
        }
    }
}

@Suite("HTTPServer over sockets")
struct HTTPServerTests {
    @Test("binds port 0, reports the real port and answers")
    func ephemeralPort() async throws {
        try await withTestServer(makeApp()) { port in
            #expect(port > 0)
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("GET /hello?n=1 HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "hello 1")
            #expect(response.header("date")?.hasSuffix("GMT") == true)
            await client.close()
        }
    }

    @Test("runs handlers on the connection's event loop, without a hop to the global pool")
    func handlersRunOnTheEventLoop() async throws {
        try await withTestServer(makeApp()) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("GET /where HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try await client.readResponse().text == "true true")
            await client.close()
        }
    }

    @Test("keeps the connection alive across requests")
    func keepAlive() async throws {
        try await withTestServer(makeApp()) { port in
            let client = try await RawHTTPClient.connect(port: port)
            for index in 0..<5 {
                try await client.send("GET /hello?n=\(index) HTTP/1.1\r\nHost: t\r\n\r\n")
                let response = try await client.readResponse()
                #expect(response.text == "hello \(index)")
                #expect(response.header("connection") == nil)
            }
            await client.close()
        }
    }

    @Test("answers pipelined requests in order")
    func pipelining() async throws {
        try await withTestServer(makeApp()) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send(
                "GET /hello?n=a HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nbody!"
                    + "GET /stream HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /hello?n=d HTTP/1.1\r\nHost: t\r\n\r\n"
            )
            #expect(try await client.readResponse().text == "hello a")
            #expect(try await client.readResponse().text == "body!")
            #expect(try await client.readResponse().text == "one,two,three")
            #expect(try await client.readResponse().text == "hello d")
            await client.close()
        }
    }

    @Test("a malformed pipelined request gets its 400 after the response before it, then the connection closes")
    func malformedPipelined() async throws {
        try await withTestServer(makeApp()) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("GET /hello?n=a HTTP/1.1\r\nHost: t\r\n\r\nNOT HTTP AT ALL\r\n\r\n")
            #expect(try await client.readResponse().text == "hello a")
            #expect(try await client.readResponse().status == 400)
            #expect(await client.isClosedByServer())
        }
    }

    @Test("HEAD gets the headers of GET and no body")
    func head() async throws {
        try await withTestServer(makeApp()) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("HEAD /hello?n=xyz HTTP/1.1\r\nHost: t\r\n\r\nGET /hello?n=2 HTTP/1.1\r\nHost: t\r\n\r\n")
            let head = try await client.readResponse(bodyless: true)
            #expect(head.status == 200)
            #expect(head.header("content-length") == "9")
            // The next response starts right after the head: no body bytes were sent.
            #expect(try await client.readResponse().text == "hello 2")
            await client.close()
        }
    }

    @Test("streams a response body with chunked encoding")
    func streamingResponse() async throws {
        try await withTestServer(makeApp()) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.header("transfer-encoding") == "chunked")
            #expect(response.text == "one,two,three")
            await client.close()
        }
    }

    @Test("HTTP/1.0 without keep-alive gets its response and a closed connection")
    func http10() async throws {
        try await withTestServer(makeApp()) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("GET /hello?n=old HTTP/1.0\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.text == "hello old")
            #expect(await client.isClosedByServer())
        }
    }

    @Test("a client that half-closes after its request still gets the response")
    func halfClose() async throws {
        try await withTestServer(makeApp()) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("GET /hello?n=half HTTP/1.1\r\nHost: t\r\n\r\n")
            try await client.finishSending()
            #expect(try await client.readResponse().text == "hello half")
            #expect(await client.isClosedByServer())
        }
    }

    @Test("streams a 50 MB request body through the handler without holding it in memory")
    func largeRequestBody() async throws {
        let probe = Probe()
        var configuration = HTTPServer<HandlerFunction>.Configuration(port: 0)
        configuration.limits.maxBodyBytes = 64 << 20
        try await withTestServer(makeApp(probe: probe), configuration: configuration) { port in
            let client = try await RawHTTPClient.connect(port: port)
            let total = 50 << 20
            try await client.send("POST /count HTTP/1.1\r\nHost: t\r\nContent-Length: \(total)\r\n\r\n")
            var chunk = ByteBuffer()
            for index in 0..<(64 * 1024) { chunk.writeInteger(UInt8(truncatingIfNeeded: index)) }
            for _ in 0..<(total / chunk.readableBytes) {
                try await client.send(chunk)
                probe.add("sent", chunk.readableBytes)
            }
            let response = try await client.readResponse(timeout: .seconds(120))
            let fields = response.text.split(separator: " ").compactMap { Int($0) }
            #expect(fields.count == 3)
            #expect(fields.first == total)
            #expect(fields.dropFirst().first == 0, "every sampled byte sat at its offset")
            #expect((fields.last ?? 0) > 100, "the body arrived in many chunks")
            let buffered = probe["sentBeforeConsuming"]
            #expect(buffered < 24 << 20, "\(buffered) bytes were accepted before the handler read any: back-pressure did not hold")
            await client.close()
        }
    }

    @Test("accepts a chunked request body")
    func chunkedUpload() async throws {
        try await withTestServer(makeApp()) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send(
                "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
            )
            #expect(try await client.readResponse().text == "hello world")
            await client.close()
        }
    }

    @Test("Expect: 100-continue gets 100 before the body is sent")
    func expectContinue() async throws {
        try await withTestServer(makeApp()) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
            #expect(try await client.readResponse(bodyless: true).status == 100)
            try await client.send("data")
            #expect(try await client.readResponse().text == "data")
            await client.close()
        }
    }

    @Test("turns thrown errors into responses without leaking internal text")
    func errors() async throws {
        try await withTestServer(makeApp()) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("GET /teapot HTTP/1.1\r\nHost: t\r\n\r\n")
            let teapot = try await client.readResponse()
            #expect(teapot.status == 418)
            #expect(teapot.text == "short and stout\n")
            try await client.send("GET /fail HTTP/1.1\r\nHost: t\r\n\r\n")
            let failure = try await client.readResponse()
            #expect(failure.status == 500)
            #expect(failure.text == "Internal Server Error\n")
            #expect(!failure.text.contains("hunter2"))
            // The connection survives handler errors.
            try await client.send("GET /hello?n=after HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try await client.readResponse().text == "hello after")
            await client.close()
        }
    }
}

@Suite("HTTPServer limits")
struct HTTPServerLimitTests {
    func configuration(_ change: (inout HTTPServer<HandlerFunction>.Configuration) -> Void) -> HTTPServer<HandlerFunction>.Configuration {
        var configuration = HTTPServer<HandlerFunction>.Configuration(port: 0)
        change(&configuration)
        return configuration
    }

    @Test("a request head over the byte limit gets 431 and the connection closes")
    func headerBytes() async throws {
        let configuration = self.configuration { $0.limits.maxHeaderBytes = 1024 }
        try await withTestServer(makeApp(), configuration: configuration) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "a", count: 2000))\r\n\r\n")
            #expect(try await client.readResponse().status == 431)
            #expect(await client.isClosedByServer())
            // Just under the limit is fine.
            let ok = try await RawHTTPClient.connect(port: port)
            try await ok.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "a", count: 800))\r\n\r\n")
            #expect(try await ok.readResponse().status == 200)
            await ok.close()
        }
    }

    @Test("more header fields than allowed get 431")
    func headerCount() async throws {
        let configuration = self.configuration { $0.limits.maxHeaderCount = 10 }
        try await withTestServer(makeApp(), configuration: configuration) { port in
            let client = try await RawHTTPClient.connect(port: port)
            let fields = (0..<20).map { "X-F\($0): v\r\n" }.joined()
            try await client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\(fields)\r\n")
            #expect(try await client.readResponse().status == 431)
            #expect(await client.isClosedByServer())
        }
    }

    @Test("a Content-Length over the body limit gets 413 before the handler runs")
    func contentLengthTooLarge() async throws {
        let probe = Probe()
        let configuration = self.configuration { $0.limits.maxBodyBytes = 1000 }
        try await withTestServer(makeApp(probe: probe), configuration: configuration) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\nExpect: 100-continue\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 413)
            #expect(response.header("connection") == "close")
            #expect(await client.isClosedByServer())
            #expect(probe["slowStarted"] == 0)
        }
    }

    @Test("a chunked body that grows past the limit gets 413")
    func chunkedTooLarge() async throws {
        let configuration = self.configuration { $0.limits.maxBodyBytes = 1000 }
        try await withTestServer(makeApp(), configuration: configuration) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
            let chunk = String(repeating: "z", count: 600)
            try await client.send("258\r\n\(chunk)\r\n")
            try await client.send("258\r\n\(chunk)\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 413)
            #expect(await client.isClosedByServer())
        }
    }

    @Test("connections beyond the limit wait until one closes")
    func maxConnections() async throws {
        let configuration = self.configuration { $0.limits.maxConnections = 1 }
        try await withTestServer(makeApp(), configuration: configuration) { port in
            let first = try await RawHTTPClient.connect(port: port)
            try await first.send("GET /hello?n=1 HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try await first.readResponse().text == "hello 1")
            let second = try await RawHTTPClient.connect(port: port)
            try await second.send("GET /hello?n=2 HTTP/1.1\r\nHost: t\r\n\r\n")
            // While the first connection is open, the second is not accepted (a bounded negative check).
            await #expect(throws: RawHTTPClientError.self) { try await second.readResponse(timeout: .milliseconds(500)) }
            await first.close()
            let late = try await RawHTTPClient.connect(port: port)
            try await late.send("GET /hello?n=3 HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try await late.readResponse().text == "hello 3")
            await late.close()
        }
    }
}

@Suite("HTTPServer and bad clients")
struct HTTPServerBadInputTests {
    @Test(
        "malformed requests get 400 and a closed connection; the server keeps serving",
        arguments: [
            "GARBAGE\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: t\r\nNo colon here\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: t\r\nX-Bad: a\u{01}b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: t\r\nX Bad: v\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
            "GET / HTTP/9.9\r\nHost: t\r\n\r\n",
            "GET /\u{7F} HTTP/1.1\r\nHost: t\r\n\r\n",
            "GET /hello HTTP/1.1\r\n\r\n",
            "GET /hello HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n",
        ]
    )
    func malformed(input: String) async throws {
        try await withTestServer(makeApp()) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send(input)
            let response = try await client.readResponse()
            #expect(response.status == 400)
            #expect(await client.isClosedByServer())
            let next = try await RawHTTPClient.connect(port: port)
            try await next.send("GET /hello?n=ok HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try await next.readResponse().text == "hello ok")
            await next.close()
        }
    }

    @Test("a client that disconnects mid-body does not disturb the server")
    func disconnectMidBody() async throws {
        try await withTestServer(makeApp()) { port in
            let client = try await RawHTTPClient.connect(port: port)
            try await client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\npartial")
            await client.close()
            let next = try await RawHTTPClient.connect(port: port)
            try await next.send("GET /hello?n=still HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try await next.readResponse().text == "hello still")
            await next.close()
        }
    }

    @Test("a client that disconnects mid-response stops the stream and the server keeps serving")
    func disconnectMidResponse() async throws {
        let probe = Probe()
        try await withTestServer(makeApp(probe: probe)) { port in
            let client = try await RawHTTPClient.connect(port: port)
            // Read only on demand: with reads on, the client's event loop took the whole 100 MB while this
            // task waited for a core on a busy CI machine, and the writer finished before the client left.
            try await client.setReading(false)
            try await client.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n")
            // Read the start of the 100 MB response, then vanish.
            _ = try await client.readBytes(count: 4096)
            await client.close()
            let deadline = ContinuousClock.now + .seconds(10)
            // Poll with a deadline; a `Task.yield()` spin here competed for one of the two cores with the
            // server it waits for.
            while probe["bigFailed"] == 0 && probe["bigCompleted"] == 0 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(probe["bigFailed"] == 1, "the writer reported the vanished client")
            let next = try await RawHTTPClient.connect(port: port)
            try await next.send("GET /hello?n=alive HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try await next.readResponse().text == "hello alive")
            await next.close()
        }
    }
}

@Suite("HTTPServer graceful shutdown")
struct HTTPServerShutdownTests {
    @Test("finishes the request in flight, closes idle connections and stops accepting")
    func gracefulShutdown() async throws {
        let started = Signal()
        let release = Signal()
        try await withTestServer(makeApp(started: started, release: release)) { port, server in
            let idle = try await RawHTTPClient.connect(port: port)
            try await idle.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try await idle.readResponse().status == 200)

            let busy = try await RawHTTPClient.connect(port: port)
            try await busy.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
            await started.wait()

            server.shutdownGracefully()
            #expect(await idle.isClosedByServer(), "idle keep-alive connections close at once")
            // New connections are refused once the listener is closed.
            let deadline = ContinuousClock.now + .seconds(10)
            var refused = false
            while !refused && ContinuousClock.now < deadline {
                do {
                    let late = try await RawHTTPClient.connect(port: port)
                    await late.close()
                    await Task.yield()
                } catch {
                    refused = true
                }
            }
            #expect(refused)

            release.fire()
            let response = try await busy.readResponse()
            #expect(response.text == "finished")
            #expect(response.header("connection") == "close")
            #expect(await busy.isClosedByServer())
        }
    }
}
