package import NIOCore

/// Holds a channel's reads while a consumer is behind (back-pressure), and releases the held read when it
/// catches up. Shared by the server connection, upstream connections and raw tunnels.
///
/// In a handler: `read(context:)` calls ``read(_:)``; a `.stopProducing` from a body source calls
/// ``pause()``; the source's `produceMore` calls ``resume(_:)``.
///
/// A class, not a struct: `context.read()` may deliver reads at once (an HTTP/2 stream channel does), and the
/// handler then pauses or resumes the gate from inside ``read(_:)``; a struct's mutating call would still hold
/// exclusive access to it then.
package final class ReadGate {
    /// Whether reads are held.
    package private(set) var isPaused = false
    private var pending = false

    package init() {}

    /// Forwards a read, or holds it while paused.
    package func read(_ context: ChannelHandlerContext) {
        if self.isPaused {
            self.pending = true
        } else {
            context.read()
        }
    }

    /// Holds further reads.
    package func pause() {
        self.isPaused = true
    }

    /// Lets reads through again, issuing the one that was held.
    package func resume(_ context: ChannelHandlerContext?) {
        self.isPaused = false
        if self.pending, let context {
            self.pending = false
            context.read()
        }
    }
}
