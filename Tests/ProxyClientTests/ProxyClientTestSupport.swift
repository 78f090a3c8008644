import HTTPCore
import HTTPTypes
import Logging
import NIOCore
import ProxyClient
import Synchronization
import TandemTesting
import Testing

extension Request {
    /// `GET path` for host `t`, without a body.
    static func get(_ path: String) -> Request {
        Request(head: HTTPRequest(method: .get, scheme: nil, authority: "t", path: path))
    }
}

extension RequestContext {
    /// A context for a call made by a test.
    static var test: RequestContext { RequestContext(logger: Logger(label: "test")) }
}

/// Waits (polling, with a deadline) until `upstream` has every connection back: its release is asynchronous.
func waitUntilReleased(_ upstream: Upstream) async throws {
    #expect(try await eventually { upstream.leasedConnections == 0 }, "the connection did not come back")
}

/// A writer that keeps what it is given.
final class CollectedBytes: ResponseBodyWriter {
    private let bytes = Mutex(ByteBuffer())

    func write(_ buffer: ByteBuffer) async throws {
        self.bytes.withLock { bytes in
            var buffer = buffer
            bytes.writeBuffer(&buffer)
        }
    }

    var text: String { self.bytes.withLock { String(buffer: $0) } }
}
