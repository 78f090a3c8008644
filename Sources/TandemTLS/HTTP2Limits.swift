import HTTPCore
import NIOHTTP2

/// Limits of the server's HTTP/2 connections, each with a safe default.
///
/// The defences against the known HTTP/2 floods are swift-nio-http2's, set from here: rapid reset
/// (CVE-2023-44487) by a rate limit on `RST_STREAM`, CONTINUATION floods by a cap on header-block fragments,
/// settings and ping floods by a rate limit on control frames; a connection past any of them is closed.
///
/// ```swift
/// var http2 = HTTP2Limits()
/// http2.maxConcurrentStreams = 250
/// configuration.transport = .tls(context, http2: http2)
/// ```
public struct HTTP2Limits: Sendable, Hashable {
    /// Streams a client may have open at once (`SETTINGS_MAX_CONCURRENT_STREAMS`). Default 128 (nginx:
    /// `http2_max_concurrent_streams` 128). A stream beyond it is refused on its own (`RST_STREAM`
    /// `REFUSED_STREAM`, RFC 9113 §5.1.2); the streams in flight go on.
    public var maxConcurrentStreams: Int = 128
    /// How far past ``maxConcurrentStreams`` a client may open streams at once, each refused, before the connection
    /// itself is closed (`GOAWAY PROTOCOL_ERROR`): the ceiling swift-nio-http2 enforces. A refused stream closes at
    /// once, so only a client that ignores the advertised limit by this much in one burst reaches it. Default 128.
    public var refusedStreamAllowance: Int = 128
    /// Most bytes of a request's decoded header list (`SETTINGS_MAX_HEADER_LIST_SIZE`); beyond it the stream is
    /// refused. Default `nil`: the server's ``HTTPServerLimits/maxHeaderBytes`` (16 KiB), the HTTP/1.1 limit.
    public var maxHeaderListSize: Int?
    /// The flow-control window of each stream: how much of a request body the client may send ahead. Default 64 KiB.
    public var streamWindowSize: Int = 65_535
    /// The connection's flow-control window, over all its streams. Default 1 MiB.
    public var connectionWindowSize: Int = 1 << 20
    /// Largest frame the server accepts (`SETTINGS_MAX_FRAME_SIZE`). Default 16 KiB, the protocol's minimum.
    public var maxFrameSize: Int = 1 << 14
    /// Most `RST_STREAM` frames a client may send per ``resetWindow`` before the connection closes (rapid reset).
    /// Default 200.
    public var maxResetsPerWindow: Int = 200
    /// The window of ``maxResetsPerWindow`` and ``maxControlFramesPerWindow``. Default 30 s.
    public var resetWindow: Duration = .seconds(30)
    /// Most `SETTINGS`, `PING` and `PRIORITY` frames a client may send per ``resetWindow`` (settings and ping floods).
    /// Default 200.
    public var maxControlFramesPerWindow: Int = 200
    /// Most `CONTINUATION` frames in one header block (CONTINUATION floods). Default 5.
    public var maxContinuationFrames: Int = 5

    /// The defaults.
    public init() {}

    /// swift-nio-http2's settings, for a server whose HTTP/1.1 head limit is `maxHeaderBytes`.
    func handlerConfiguration(maxHeaderBytes: Int) -> NIOHTTP2Handler.Configuration {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = [
            // The ceiling; clients are told maxConcurrentStreams (ConcurrentStreamsAdvertiser), which StreamAdmission
            // enforces stream by stream.
            HTTP2Setting(parameter: .maxConcurrentStreams, value: self.maxConcurrentStreams + max(1, self.refusedStreamAllowance)),
            HTTP2Setting(parameter: .maxHeaderListSize, value: self.maxHeaderListSize ?? maxHeaderBytes),
            HTTP2Setting(parameter: .initialWindowSize, value: self.streamWindowSize),
            HTTP2Setting(parameter: .maxFrameSize, value: self.maxFrameSize),
            // No server push.
            HTTP2Setting(parameter: .enablePush, value: 0),
        ]
        connection.targetWindowSize = self.connectionWindowSize
        connection.maximumSequentialContinuationFrames = self.maxContinuationFrames
        connection.controlFrameRateLimit.maximumCount = self.maxControlFramesPerWindow
        connection.controlFrameRateLimit.windowLength = self.resetWindow.timeAmount
        var stream = NIOHTTP2Handler.StreamConfiguration()
        stream.targetWindowSize = self.streamWindowSize
        stream.streamResetFrameRateLimit.maximumCount = self.maxResetsPerWindow
        stream.streamResetFrameRateLimit.windowLength = self.resetWindow.timeAmount
        return NIOHTTP2Handler.Configuration(connection: connection, stream: stream)
    }
}
