import Foundation
import HTTPCore
import HTTPTypes
import Logging
import NIOCore
import Synchronization
import TandemTLS
import TandemTesting

/// The certificates every TLS test uses, made once per test process.
actor SharedCertificates {
    static let shared = SharedCertificates()
    private var made: TestCertificates?

    func get() async throws -> TestCertificates {
        if let made { return made }
        let certificates = try await TestCertificates.make()
        self.made = certificates
        return certificates
    }
}

/// A handler for the TLS tests: `/scheme` names the request's scheme, `/echo` answers the size of the body it
/// read, `/stream` streams three chunks, `/slow` waits until `gate` opens, anything else says `ok`.
final class TLSTestHandler: HTTPHandler {
    private let requests = Atomic<Int>(0)
    private let slowStarted = Atomic<Int>(0)
    private let gate = Atomic<Bool>(false)

    /// Requests the handler saw.
    var requestCount: Int { self.requests.load(ordering: .relaxed) }
    /// Whether a `/slow` request is waiting.
    var slowHasStarted: Bool { self.slowStarted.load(ordering: .relaxed) > 0 }
    /// How many `/slow` requests started.
    var slowRequests: Int { self.slowStarted.load(ordering: .relaxed) }
    /// Lets `/slow` requests answer.
    func openGate() { self.gate.store(true, ordering: .relaxed) }

    func handle(_ request: Request, context: RequestContext) async throws -> Response {
        self.requests.add(1, ordering: .relaxed)
        switch request.head.path ?? "/" {
        case "/scheme":
            return .text(request.head.scheme ?? "none")
        case "/echo":
            let body = try await request.body.collect(upTo: 8 << 20)
            return .text("\(body.readableBytes)")
        case "/stream":
            return Response(
                body: .stream { writer in
                    for index in 0..<3 { try await writer.write(ByteBuffer(string: "chunk\(index);")) }
                }
            )
        case "/slow":
            self.slowStarted.add(1, ordering: .relaxed)
            _ = try await eventually(timeout: .seconds(20)) { self.gate.load(ordering: .relaxed) }
            return .text("finished")
        default:
            return .text("ok")
        }
    }
}

/// Runs `handler` behind TLS on an ephemeral port of 127.0.0.1.
func withTLSServer<Handler: HTTPHandler, Result: Sendable>(
    _ handler: Handler,
    context: TLSServerContext? = nil,
    http2: HTTP2Limits = HTTP2Limits(),
    configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    _ body: (_ port: Int, _ server: HTTPServer<Handler>, _ certificates: TestCertificates) async throws -> Result
) async throws -> Result {
    let certificates = try await SharedCertificates.shared.get()
    let tls = try context ?? TLSServerContext(certificateChainFile: certificates.chain, privateKeyFile: certificates.key)
    var configuration = HTTPServerConfiguration(port: 0)
    configuration.transport = .tls(tls, http2: http2)
    configure(&configuration)
    return try await withTestServer(handler, configuration: configuration) { port, server in
        try await body(port, server, certificates)
    }
}

/// `curl` over TLS, trusting the test CA: the status line facts and the body.
struct Curl {
    var httpVersion: String
    var status: Int
    var body: String
    var headers: [String: String]

    static func run(_ url: String, ca: String, _ extra: [String] = []) async throws -> Curl {
        let marker = "\n--tandem-facts--"
        let result = try await ExternalTool.run(
            "curl",
            ["-sS", "--cacert", ca, "-D", "-", "-w", "\(marker)%{http_version} %{http_code}", "--max-time", "20"] + extra + [url],
            timeout: .seconds(30),
            installHint: "apt-get install curl"
        )
        guard result.status == 0, let split = result.output.range(of: marker, options: .backwards) else {
            throw CurlFailed(description: "curl \(url) failed (\(result.status)): \(result.output)")
        }
        let facts = result.output[split.upperBound...].split(separator: " ")
        let response = String(result.output[..<split.lowerBound])
        // The last head (after any 100 Continue) and its body.
        let parts = response.components(separatedBy: "\r\n\r\n")
        var headers: [String: String] = [:]
        var headIndex = 0
        for (index, part) in parts.enumerated() where part.hasPrefix("HTTP/") {
            headIndex = index
        }
        for line in parts[headIndex].split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Curl(
            httpVersion: String(facts.first ?? ""),
            status: Int(facts.last ?? "") ?? 0,
            body: parts[(headIndex + 1)...].joined(separator: "\r\n\r\n"),
            headers: headers
        )
    }
}

struct CurlFailed: Error, CustomStringConvertible {
    let description: String
}

/// The result line of `h2client.py` (see ``H2Client``).
struct H2Outcome: Sendable {
    /// The server ended the connection: a GOAWAY came, or the socket closed.
    var terminated: Bool
    /// The GOAWAY's error code, when one came.
    var goAwayCode: Int?
    /// Streams that got a complete response.
    var responses: Int
    /// Streams the server refused (`RST_STREAM` with `REFUSED_STREAM`).
    var refused: Int = 0
    /// The status codes of those responses.
    var statuses: [Int]
    /// The server's `SETTINGS_MAX_CONCURRENT_STREAMS`, as the client read it from the server's first `SETTINGS`.
    var advertisedStreams: Int?
    var raw: String
}

/// Drives the Python `h2` package against a TLS server: the protocol-level attacks curl cannot send.
enum H2Client {
    static func run(port: Int, ca: String, scenario: String, _ arguments: [String] = []) async throws -> H2Outcome {
        let directory = try ExternalTool.scratchDirectory("h2")
        let script = directory.appendingPathComponent("h2client.py")
        try Self.script.write(to: script, atomically: true, encoding: .utf8)
        let result = try await ExternalTool.run(
            "python3",
            [script.path, String(port), ca, scenario] + arguments,
            timeout: .seconds(60),
            installHint: "pip install h2"
        )
        guard result.status == 0, let line = result.output.split(separator: "\n").last(where: { $0.hasPrefix("RESULT ") }) else {
            throw CurlFailed(description: "h2client \(scenario) failed (\(result.status)): \(result.output)")
        }
        var outcome = H2Outcome(terminated: false, goAwayCode: nil, responses: 0, statuses: [], advertisedStreams: nil, raw: result.output)
        for field in line.dropFirst("RESULT ".count).split(separator: " ") {
            let pair = field.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            switch pair[0] {
            case "terminated": outcome.terminated = pair[1] == "1"
            case "goaway": outcome.goAwayCode = Int(pair[1])
            case "responses": outcome.responses = Int(pair[1]) ?? 0
            case "refused": outcome.refused = Int(pair[1]) ?? 0
            case "advertised": outcome.advertisedStreams = Int(pair[1])
            case "statuses": outcome.statuses = pair[1].split(separator: ",").compactMap { Int($0) }
            default: break
            }
        }
        return outcome
    }

    /// Scenarios: `get PATH [COUNT]` (COUNT concurrent GETs), `over-limit N` (N `/slow` streams at once), `rapid-reset N`, `big-header BYTES`,
    /// `continuation-flood N`, `settings-flood N`, `ping-flood N`, `slow` (a GET of /slow that waits for the answer),
    /// `stalled-body PATH` (a POST whose body stops after 10 of 1000 bytes, then a GET of /scheme on the same connection).
    static let script = #"""
        import socket, ssl, struct, sys, time
        import h2.config, h2.connection, h2.events, h2.exceptions, h2.settings
        import hpack

        port, ca, scenario = int(sys.argv[1]), sys.argv[2], sys.argv[3]
        args = sys.argv[4:]
        context = ssl.create_default_context(cafile=ca)
        context.set_alpn_protocols(["h2"])
        sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="localhost")
        assert sock.selected_alpn_protocol() == "h2", sock.selected_alpn_protocol()
        config = h2.config.H2Configuration(client_side=True, header_encoding="utf-8", validate_outbound_headers=False,
                                           normalize_outbound_headers=False, validate_inbound_headers=False)
        conn = h2.connection.H2Connection(config=config)
        conn.initiate_connection()
        sock.sendall(conn.data_to_send())

        def request_headers(path, extra=()):
            return [(":method", "GET"), (":path", path), (":scheme", "https"), (":authority", "localhost")] + list(extra)

        state = {"terminated": False, "goaway": None, "statuses": {}, "ended": set(), "refused": 0}

        def pump(until, deadline):
            end = time.time() + deadline
            while time.time() < end and not until():
                sock.settimeout(max(0.05, end - time.time()))
                try:
                    data = sock.recv(65536)
                except socket.timeout:
                    continue
                except (ConnectionResetError, ssl.SSLError, OSError):
                    state["terminated"] = True
                    return
                if not data:
                    state["terminated"] = True
                    return
                try:
                    events = conn.receive_data(data)
                except h2.exceptions.ProtocolError:
                    state["terminated"] = True
                    return
                for event in events:
                    if isinstance(event, h2.events.ResponseReceived):
                        state["statuses"][event.stream_id] = int(dict(event.headers)[":status"])
                    elif isinstance(event, h2.events.StreamEnded):
                        state["ended"].add(event.stream_id)
                    elif isinstance(event, h2.events.StreamReset):
                        if event.error_code == 7:
                            state["refused"] += 1
                    elif isinstance(event, h2.events.ConnectionTerminated):
                        state["terminated"] = True
                        state["goaway"] = event.error_code
                    elif isinstance(event, h2.events.DataReceived):
                        conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                try:
                    out = conn.data_to_send()
                    if out:
                        sock.sendall(out)
                except OSError:
                    state["terminated"] = True
                    return

        def send_raw(data):
            try:
                sock.sendall(data)
                return True
            except OSError:
                state["terminated"] = True
                return False

        def frame(kind, flags, stream, payload):
            return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload

        pump(lambda: False, 0.3)  # the server's SETTINGS
        advertised = conn.remote_settings.max_concurrent_streams
        if scenario == "get":
            count = int(args[1]) if len(args) > 1 else 1
            ids = []
            for _ in range(count):
                sid = conn.get_next_available_stream_id()
                conn.send_headers(sid, request_headers(args[0]), end_stream=True)
                ids.append(sid)
            sock.sendall(conn.data_to_send())
            pump(lambda: all(i in state["ended"] for i in ids) or state["terminated"], 20)
        elif scenario == "slow":
            # Read frames by hand: the h2 package stops parsing at a GOAWAY, but the stream it names may still answer.
            sid = conn.get_next_available_stream_id()
            conn.send_headers(sid, request_headers("/slow"), end_stream=True)
            sock.sendall(conn.data_to_send())
            print("SENT", flush=True)
            decoder, buffer, end = hpack.Decoder(), b"", time.time() + 30
            while time.time() < end and not state["terminated"]:
                sock.settimeout(1)
                try:
                    data = sock.recv(65536)
                except socket.timeout:
                    continue
                except (ConnectionResetError, ssl.SSLError, OSError):
                    data = b""
                if not data:
                    state["terminated"] = True
                    break
                buffer += data
                while len(buffer) >= 9:
                    length = int.from_bytes(buffer[:3], "big")
                    if len(buffer) < 9 + length:
                        break
                    kind, flags, stream = buffer[3], buffer[4], int.from_bytes(buffer[5:9], "big") & 0x7FFFFFFF
                    payload, buffer = buffer[9:9 + length], buffer[9 + length:]
                    if kind == 0x4 and not flags & 0x1:
                        send_raw(frame(0x4, 0x1, 0, b""))
                    elif kind == 0x6 and not flags & 0x1:
                        send_raw(frame(0x6, 0x1, 0, payload))
                    elif kind == 0x7:
                        state["goaway"] = int.from_bytes(payload[4:8], "big")
                    elif kind == 0x1 and stream == sid:
                        state["statuses"][sid] = int(dict(decoder.decode(payload))[":status"])
                        if flags & 0x1:
                            state["ended"].add(sid)
                    elif kind == 0x0 and stream == sid and flags & 0x1:
                        state["ended"].add(sid)
        elif scenario == "stalled-body":
            # A POST that announces 1000 bytes, sends 10 and stops; then a GET on the same connection.
            sid = conn.get_next_available_stream_id()
            conn.send_headers(sid, [(":method", "POST"), (":path", args[0]), (":scheme", "https"), (":authority", "localhost"),
                                    ("content-length", "1000")], end_stream=False)
            conn.send_data(sid, b"0123456789", end_stream=False)
            sock.sendall(conn.data_to_send())
            pump(lambda: sid in state["ended"] or sid in state["statuses"] or state["terminated"], 20)
            other = conn.get_next_available_stream_id()
            conn.send_headers(other, request_headers("/scheme"), end_stream=True)
            send_raw(conn.data_to_send())
            pump(lambda: other in state["ended"] or state["terminated"], 20)
        elif scenario == "over-limit":
            # More /slow streams than the server allows at once, ignoring its SETTINGS (as an attacker would).
            import collections
            conn.remote_settings._settings[h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS] = collections.deque([100000])
            count = int(args[0])
            ids = []
            for _ in range(count):
                sid = conn.get_next_available_stream_id()
                conn.send_headers(sid, request_headers("/slow"), end_stream=True)
                ids.append(sid)
            sock.sendall(conn.data_to_send())
            pump(lambda: len(state["ended"]) + state["refused"] >= count or state["terminated"], 30)
        elif scenario == "rapid-reset":
            for index in range(int(args[0])):
                sid = conn.get_next_available_stream_id()
                conn.send_headers(sid, request_headers("/"), end_stream=True)
                conn.reset_stream(sid)
                if index % 50 == 49 and not send_raw(conn.data_to_send()):
                    break
            send_raw(conn.data_to_send())
            pump(lambda: state["terminated"], 10)
        elif scenario == "big-header":
            sid = conn.get_next_available_stream_id()
            conn.send_headers(sid, request_headers("/", [("x-big", "a" * int(args[0]))]), end_stream=True)
            send_raw(conn.data_to_send())
            pump(lambda: sid in state["ended"] or state["terminated"] or sid in conn.streams and conn.streams[sid].closed, 10)
        elif scenario == "continuation-flood":
            encoder = hpack.Encoder()
            block = encoder.encode(request_headers("/"))
            sid = conn.get_next_available_stream_id()
            send_raw(frame(0x1, 0x0, sid, block))  # HEADERS without END_HEADERS
            fragment = encoder.encode([("x-filler", "b" * 100)])
            for index in range(int(args[0])):
                if not send_raw(frame(0x9, 0x0, sid, fragment)):
                    break
            pump(lambda: state["terminated"], 10)
        elif scenario in ("settings-flood", "ping-flood"):
            payload = b"" if scenario == "settings-flood" else b"12345678"
            kind = 0x4 if scenario == "settings-flood" else 0x6
            for index in range(int(args[0])):
                if not send_raw(frame(kind, 0x0, 0, payload)):
                    break
            pump(lambda: state["terminated"], 10)
        statuses = [state["statuses"][s] for s in sorted(state["ended"]) if s in state["statuses"]]
        print("RESULT terminated=%d goaway=%s responses=%d statuses=%s refused=%d advertised=%d" % (
            1 if state["terminated"] else 0,
            "none" if state["goaway"] is None else int(state["goaway"]),
            len(statuses), ",".join(str(s) for s in statuses) or "none", state["refused"], advertised))
        """#
}

/// A port known only once a server listens, for a handler made before it.
final class PortBox: Sendable {
    private let value = Atomic<Int>(0)
    var port: Int {
        get { self.value.load(ordering: .relaxed) }
        set { self.value.store(newValue, ordering: .relaxed) }
    }
}
