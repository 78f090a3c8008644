import NIOCore

/// Receives the response of a forwarded request on the connection's event loop (the fast path).
protocol UpstreamSink: AnyObject {
    /// The response head, parsed but not decoded.
    func upstreamHead(_ head: ResponseScanner.Head)
    /// Body bytes as they came (a chunked body's framing included).
    func upstreamBody(_ buffer: ByteBuffer)
    /// After the last body part of a batch of reads: time to flush.
    func upstreamReadComplete()
    /// The response ended; `reusable` when the connection may serve another request (it is not yet released).
    func upstreamEnd(reusable: Bool)
    /// The exchange failed; `beforeHead` when no part of the response had arrived.
    func upstreamFailed(_ error: UpstreamError, beforeHead: Bool)
}
