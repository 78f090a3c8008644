package import HTTPTypes
package import Logging
package import NIOCore
package import NIOHTTP1

// The server's event-loop fast path: a handler that only moves a request to another channel (the reverse
// proxy) can take a request over on the connection's event loop — no task, no `HTTPFields` conversion, no
// `Response` — and hand it back to the ordinary async path whenever it cannot finish it cleanly.
// Documentation/Architecture.md, *The gateway, fast path*: the proxy's hot path forwards between two channels on
// the same event loop. This is a `package` seam between HTTPCore, Routing and ProxyClient, not public API:
// servers find it by themselves when their handler (through known middleware and routers) supports it.

/// What the middleware around a fast-path handler adds to each request it takes over.
package struct FastPathPlan: Sendable {
    /// Request ids are accepted or generated, sent upstream and returned (``RequestIDMiddleware``).
    package var requestIDs: RequestIDMiddleware?
    /// Access-log levels, outermost first (``AccessLogMiddleware``).
    package var accessLogLevels: [Logger.Level] = []
    /// Requests a middleware must see on the async path (a compressor: those that accept a coding); the fast path
    /// leaves them there.
    package var leavesToAsyncPath: [@Sendable (HTTPRequestHead) -> Bool] = []
    /// Fields a middleware adds to the responses the fast path forwards, given each response's head (a compressor's
    /// `Vary: Accept-Encoding` on a compressible type it did not compress): the rule the middleware applies on the
    /// async path, called by both. Written where the general path has them: after the upstream's fields, before an
    /// appended request id (the compressor sits inside the request-id middleware, as in the gateway stack).
    package var responseFields: [@Sendable (any FastPathResponseHead) -> HTTPField?] = []

    package init() {}
}

/// A response head as the fast path scanned it, for a middleware's rule (``FastPathPlan/responseFields``).
package protocol FastPathResponseHead {
    /// The status code.
    var status: Int { get }
    /// The values of every field named `name` (any case), in order.
    func values(of name: HTTPField.Name) -> [String]
}

/// A handler that can serve some requests on the event loop (see ``HTTPFastPath``).
package protocol FastPathCapable: Sendable {
    /// The fast path of this handler, given what the middleware around it adds; `nil` when it has none.
    func makeFastPath(_ plan: FastPathPlan) -> (any HTTPFastPath)?
}

/// Middleware whose effect a fast path reproduces, so it does not stand in the fast path's way.
package protocol FastPathMiddleware: Middleware {
    /// Records what this middleware does to each request.
    func contribute(to plan: inout FastPathPlan)
}

/// Takes requests over on the connection's event loop.
package protocol HTTPFastPath: Sendable {
    /// Called on the event loop for a GET request on HTTP/1.1 without a body or an upgrade. Returns `false`
    /// to leave the request to the async handler; `true` once it owns the response, which it must then end
    /// with ``FastPathConnection/end()``, ``FastPathConnection/abort()`` or
    /// ``FastPathConnection/fallBack(_:handOff:)``.
    func take(_ head: HTTPRequestHead, path: Substring, connection: FastPathConnection) -> Bool
}

extension MiddlewareHandler: FastPathCapable where M: FastPathMiddleware {
    package func makeFastPath(_ plan: FastPathPlan) -> (any HTTPFastPath)? {
        var plan = plan
        self.middleware.contribute(to: &plan)
        return (self.next as? any FastPathCapable)?.makeFastPath(plan)
    }
}

extension AnyHTTPHandler: FastPathCapable {
    package func makeFastPath(_ plan: FastPathPlan) -> (any HTTPFastPath)? {
        (self.base as? any FastPathCapable)?.makeFastPath(plan)
    }
}

extension RequestIDMiddleware: FastPathMiddleware {
    package func contribute(to plan: inout FastPathPlan) { plan.requestIDs = self }
}

extension AccessLogMiddleware: FastPathMiddleware {
    package func contribute(to plan: inout FastPathPlan) { plan.accessLogLevels.append(self.level) }
}

extension ErrorMiddleware: FastPathMiddleware {
    /// Nothing to add: a fast path that fails hands its request back to the async path, and so to this.
    package func contribute(to plan: inout FastPathPlan) {}
}

/// The client connection as a fast path sees it; every method must be called on its event loop.
package struct FastPathConnection {
    let handler: HTTPConnectionHandler

    /// The connection's event loop.
    package var eventLoop: any EventLoop { self.handler.context!.eventLoop }
    /// The client's IP address, as text (computed once per connection).
    package var clientAddress: String? { self.handler.clientAddress }
    /// The client's address for a request with these `X-Forwarded-For` values: the peer's, unless the peer is one of
    /// the server's trusted proxies (as ``RequestContext/clientAddress`` on the async path).
    package func clientAddress(forwardedFor: @autoclosure () -> [String]) -> String? {
        self.handler.observability.clientAddress(peer: self.handler.clientAddress, forwardedFor: forwardedFor())
    }
    /// The server's logger.
    package var logger: Logger { self.handler.logger }
    /// Whether the connection is encrypted (the request's scheme is `https`).
    package var isSecure: Bool { self.handler.secure }
    /// The server's metrics; `nil` when none are recorded.
    package var metrics: ServerMetrics? { self.handler.metrics }
    /// The route template of the request being taken over (a router sets it before it hands the request on).
    package var route: String? { self.handler.fastPathRoute }
    /// Records the route template a router matched.
    package func setRoute(_ template: String) { self.handler.fastPathRoute = template }
    /// Whether the client still reads as fast as the response is written.
    package var isWritable: Bool { self.handler.context?.channel.isWritable ?? false }
    /// Called when the client connection becomes writable again, or closes.
    /// One observer per response; cleared when the response ends.
    package func observe(_ observer: any FastPathObserver) { self.handler.fastPathObserver = observer }

    /// Whether the connection stays open after this response (the client did not ask to close, the server is
    /// not shutting down). A response head must say `Connection: close` when it is false.
    package var keepsAlive: Bool { self.handler.keepAlive }

    /// The connection closes after this response (its body ends when the connection does).
    package func closeAfterResponse() { self.handler.closeAfterResponse() }

    /// Writes bytes of the response as they are, past the HTTP encoder, unflushed: the head (framing, `Date`
    /// and `Connection` included) and then the body with its framing.
    package func writeRaw(_ buffer: ByteBuffer) { self.handler.writeFastPathRaw(buffer) }

    /// Sends what was written.
    package func flush() { self.handler.context?.flush() }

    /// Ends the response; the connection serves the next request (or closes, when it must).
    package func end() { self.handler.endFastPathResponse() }

    /// Closes the connection: the response cannot be completed, and a cut connection is the only honest way
    /// to say so once the head is out.
    package func abort() { self.handler.abortFastPathResponse() }

    /// Hands the request to the async handler, as if the fast path had never seen it. Only before the
    /// response head was written. `handOff` reaches the handler as ``RequestContext/fastPathFallback``.
    package func fallBack(_ head: HTTPRequestHead, handOff: FastPathFallback) { self.handler.fallBack(head, handOff: handOff) }
}

/// Told about the client connection while a fast path owns its response.
package protocol FastPathObserver: AnyObject {
    /// The client reads again after `isWritable` was false.
    func clientBecameWritable()
    /// The client connection closed.
    func clientClosed()
}
