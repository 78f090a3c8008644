import NIOCore
import NIOEmbedded
import Synchronization

/// What one side of a testing channel wrote, collected in order: the one rule ``TestConnection`` (what a server
/// wrote) and ``UpstreamPeer`` (what a client wrote) poll by.
final class ChannelOutput: Sendable {
    /// How a poll ended: with the text `complete` accepted, or at the deadline with what there was.
    enum Poll {
        case complete(String)
        case timedOut(String)
        case fileRegion
    }

    private let bytes = Mutex(ByteBuffer())

    /// Reads what `channel` wrote until `complete` accepts everything collected so far, polling with a deadline of
    /// `timeout` in real time (a testing loop's clock does not move meanwhile). With `runningLoop`, each poll first
    /// runs what is due on the channel's loop.
    func poll(
        _ channel: NIOAsyncTestingChannel,
        within timeout: Duration,
        runningLoop: Bool,
        until complete: (String) -> Bool
    ) async throws -> Poll {
        let deadline = ContinuousClock.now + timeout
        while true {
            if runningLoop { await channel.testingEventLoop.run() }
            while let data = try await channel.readOutbound(as: IOData.self) {
                guard case .byteBuffer(let buffer) = data else { return .fileRegion }
                self.append(buffer)
            }
            let text = self.text
            if complete(text) { return .complete(text) }
            guard ContinuousClock.now < deadline else { return .timedOut(text) }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Forgets what was collected.
    func clear() { self.bytes.withLock { $0.clear() } }

    var text: String { self.bytes.withLock { String(buffer: $0) } }

    private func append(_ buffer: ByteBuffer) {
        self.bytes.withLock { bytes in
            var buffer = buffer
            bytes.writeBuffer(&buffer)
        }
    }
}

extension NIOAsyncTestingEventLoop {
    /// Runs what is due now, again and again, as a real loop would, until the task is cancelled; the clock moves only
    /// when a test advances it.
    func runDueTasksUntilCancelled() async {
        while !Task.isCancelled {
            await self.run()
            try? await Task.sleep(for: .milliseconds(1))
        }
    }
}
