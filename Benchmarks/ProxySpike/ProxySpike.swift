import NIOCore
import NIOHTTP1
import NIOPosix

// A measurement, not a product: the design of the gateway's event-loop fast path (Documentation/Architecture.md)
// — request and response parts handed from channel to channel on one event loop, upstream
// connections pooled per event loop, no Swift task and no `HTTPFields` conversion per request — reduced to
// what the benchmark exercises (keep-alive requests without bodies, X-Forwarded-For / X-Real-IP added,
// hop-by-hop fields dropped). `Benchmarks/proxy-vs-nginx.sh` runs it next to the gateway and nginx to show
// the ceiling of that design on this machine (the gateway's event-loop fast path is that design).
//
// With `raw`, the upstream side has no HTTP codec either: the request head is serialised straight into a
// buffer, and the response is scanned once (end of head, `Content-Length`, the lines to drop) and forwarded
// as the bytes that came, past the client side's encoder. That row shows what a raw upstream codec would add.
// It only understands `Content-Length` responses: a measurement, not a proxy.
//
//   proxy-spike LISTEN_PORT UPSTREAM_PORT [raw]

/// Idle upstream connections of one event loop; touched only on that loop.
final class LoopPool {
    var idle: [any Channel] = []
}

/// `raw` mode (see the top of the file).
let rawMode = CommandLine.arguments.contains("raw")

@available(*, unavailable)
extension LoopPool: Sendable {}

/// The client side: one per accepted connection.
final class FrontHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let upstreamPort: Int
    let pool: LoopPool
    var upstream: (any Channel)?
    var context: ChannelHandlerContext?
    var encoder: ChannelHandlerContext?

    init(upstreamPort: Int, pool: LoopPool) {
        self.upstreamPort = upstreamPort
        self.pool = pool
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = self.unwrapInboundIn(data) else { return }
        for name in ["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"] {
            head.headers.remove(name: name)
        }
        let client = context.channel.remoteAddress?.ipAddress ?? "unknown"
        head.headers.add(name: "X-Forwarded-For", value: client)
        head.headers.add(name: "X-Real-IP", value: client)
        head.version = .http1_1
        if let channel = self.pool.idle.popLast(), channel.isActive {
            self.send(head, on: channel)
            return
        }
        if rawMode {
            ClientBootstrap(group: context.eventLoop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: "127.0.0.1", port: self.upstreamPort)
                .assumeIsolated()
                .whenSuccess { channel in
                    try! channel.pipeline.syncOperations.addHandler(RawBackHandler())
                    self.send(head, on: channel)
                }
            return
        }
        let loop = context.eventLoop
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: "127.0.0.1", port: self.upstreamPort)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    try! channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try! channel.pipeline.syncOperations.addHandler(BackHandler())
                    self.send(head, on: channel)
                case .failure:
                    var response = HTTPResponseHead(version: .http1_1, status: .badGateway)
                    response.headers.add(name: "content-length", value: "0")
                    context.write(self.wrapOutboundOut(.head(response)), promise: nil)
                    context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
                }
            }
    }

    private func send(_ head: HTTPRequestHead, on channel: any Channel) {
        self.upstream = channel
        if rawMode {
            let back = try! channel.pipeline.syncOperations.handler(type: RawBackHandler.self)
            back.front = self
            var buffer = channel.allocator.buffer(capacity: 512)
            buffer.writeString("\(head.method.rawValue) \(head.uri) HTTP/1.1\r\n")
            for (name, value) in head.headers {
                buffer.writeString(name)
                buffer.writeStaticString(": ")
                buffer.writeString(value)
                buffer.writeStaticString("\r\n")
            }
            buffer.writeStaticString("\r\n")
            channel.writeAndFlush(buffer, promise: nil)
            return
        }
        // The upstream channel keeps one BackHandler for its life; each request points it at its front.
        let back = try! channel.pipeline.syncOperations.handler(type: BackHandler.self)
        back.front = self
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }

    /// Called by the upstream side for each response part, on the same event loop.
    func forward(_ part: HTTPClientResponsePart) {
        guard let context = self.context else { return }
        switch part {
        case .head(var head):
            // Framing (Content-Length / chunked) stays: the encoder on the client side writes it as it came.
            for name in ["connection", "keep-alive"] { head.headers.remove(name: name) }
            context.write(self.wrapOutboundOut(.head(head)), promise: nil)
        case .body(let buffer):
            context.write(self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        case .end:
            context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            if let upstream = self.upstream {
                self.upstream = nil
                self.pool.idle.append(upstream)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.upstream?.close(promise: nil)
        self.context = nil
    }

    /// Raw mode: bytes of the response, written past the HTTP encoder (it sits right after the socket).
    func forwardRaw(_ buffer: ByteBuffer, end: Bool) {
        guard let context = self.context else { return }
        if self.encoder == nil { self.encoder = try! context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self) }
        let encoder = self.encoder!
        if end {
            encoder.writeAndFlush(NIOAny(buffer), promise: nil)
            if let upstream = self.upstream {
                self.upstream = nil
                self.pool.idle.append(upstream)
            }
        } else {
            encoder.write(NIOAny(buffer), promise: nil)
        }
    }
}

/// Raw mode's upstream side: finds the end of the head, drops `Connection`/`Keep-Alive` lines, reads
/// `Content-Length` and forwards everything else untouched.
final class RawBackHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    var front: FrontHandler?
    private var pending: ByteBuffer?
    private var remaining = -1  // body bytes still expected; -1 while the head is incomplete

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = self.unwrapInboundIn(data)
        if self.remaining < 0 {
            if var pending = self.pending {
                pending.writeBuffer(&buffer)
                buffer = pending
                self.pending = nil
            }
            // One pass over the head's bytes: line starts, the end of the head, Content-Length.
            var headLength = 0
            var length = 0
            var drop: [Range<Int>] = []
            buffer.withUnsafeReadableBytes { bytes in
                var lineStart = 0
                var index = 0
                while index + 1 < bytes.count {
                    if bytes[index] == 13 && bytes[index + 1] == 10 {
                        let lineLength = index - lineStart
                        if lineLength == 0 { headLength = index + 2; return }
                        let first = bytes[lineStart] | 0x20
                        if first == UInt8(ascii: "c") || first == UInt8(ascii: "k") {
                            let line = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<index])
                            func starts(_ prefix: StaticString) -> Bool {
                                guard line.count >= prefix.utf8CodeUnitCount else { return false }
                                for i in 0..<prefix.utf8CodeUnitCount where line[i] | 0x20 != prefix.utf8Start[i] | 0x20 { return false }
                                return true
                            }
                            if starts("connection:") || starts("keep-alive:") {
                                drop.append(lineStart..<(index + 2))
                            } else if starts("content-length:") {
                                for byte in line.dropFirst(15) where byte >= 48 && byte <= 57 { length = length * 10 + Int(byte - 48) }
                            }
                        }
                        index += 2
                        lineStart = index
                        continue
                    }
                    index += 1
                }
            }
            guard headLength > 0 else {
                self.pending = buffer
                return
            }
            var out: ByteBuffer
            if drop.isEmpty {
                out = buffer.getSlice(at: buffer.readerIndex, length: headLength)!
            } else {
                out = context.channel.allocator.buffer(capacity: buffer.readableBytes)
                var position = 0
                for range in drop {
                    var part = buffer.getSlice(at: buffer.readerIndex + position, length: range.lowerBound - position)!
                    out.writeBuffer(&part)
                    position = range.upperBound
                }
                var part = buffer.getSlice(at: buffer.readerIndex + position, length: headLength - position)!
                out.writeBuffer(&part)
            }
            buffer.moveReaderIndex(forwardBy: headLength)
            self.remaining = length - buffer.readableBytes  // body bytes still to come
            if drop.isEmpty {
                self.finish(out, more: buffer)
            } else {
                out.writeBuffer(&buffer)
                self.finish(out)
            }
            return
        }
        self.remaining -= buffer.readableBytes
        self.finish(buffer)
    }

    private func finish(_ buffer: ByteBuffer, more: ByteBuffer? = nil) {
        let done = self.remaining <= 0
        let front = self.front
        if done {
            self.front = nil
            self.remaining = -1
        }
        if let more {
            front?.forwardRaw(buffer, end: false)
            front?.forwardRaw(more, end: done)
        } else {
            front?.forwardRaw(buffer, end: done)
        }
    }
}

@available(*, unavailable)
extension RawBackHandler: Sendable {}

@available(*, unavailable)
extension FrontHandler: Sendable {}

/// The upstream side: forwards response parts to the front handler.
final class BackHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    var front: FrontHandler?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = self.unwrapInboundIn(data)
        let front = self.front
        if case .end = part { self.front = nil }
        front?.forward(part)
    }
}

@available(*, unavailable)
extension BackHandler: Sendable {}

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let listenPort = arguments.first ?? 18184
let upstreamPort = arguments.dropFirst().first ?? 18180
let group = MultiThreadedEventLoopGroup.singleton
var pools: [ObjectIdentifier: NIOLoopBound<LoopPool>] = [:]
for loop in group.makeIterator() {
    pools[ObjectIdentifier(loop)] = try! loop.submit { NIOLoopBound(LoopPool(), eventLoop: loop) }.wait()
}
let loopPools = pools
let server = try ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            let pool = loopPools[ObjectIdentifier(channel.eventLoop)]!.value
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: false)
            try channel.pipeline.syncOperations.addHandler(FrontHandler(upstreamPort: upstreamPort, pool: pool))
        }
    }
    .bind(host: "127.0.0.1", port: listenPort)
    .wait()
try server.closeFuture.wait()
