import NIOCore
import NIOHTTP1
import NIOPosix

// A measurement, not a product: the design DESIGN.md's *Performance architecture* proposes for the gateway's
// hot path — request and response parts handed from channel to channel on one event loop, upstream
// connections pooled per event loop, no Swift task and no `HTTPFields` conversion per request — reduced to
// what the benchmark exercises (keep-alive requests without bodies, X-Forwarded-For / X-Real-IP added,
// hop-by-hop fields dropped). `Benchmarks/proxy-vs-nginx.sh` runs it next to the gateway and nginx to show
// the ceiling such a rewrite of ProxyClient + HTTPCore's request path can reach on this machine.
//
//   proxy-spike LISTEN_PORT UPSTREAM_PORT

/// Idle upstream connections of one event loop; touched only on that loop.
final class LoopPool {
    var idle: [any Channel] = []
}

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
}

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
