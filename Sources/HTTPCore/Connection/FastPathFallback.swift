/// What a fast path learnt about a request before it handed it back to the general path
/// (``FastPathConnection/fallBack(_:handOff:)``): the handler that takes the request over reads it from
/// ``RequestContext/fastPathFallback``, a typed value rather than an entry in the request's storage.
///
/// A proxy's fast path asks its upstream group's balancer once; the general path keeps that choice, and counts a
/// try that failed before any answer as its first.
package struct FastPathFallback: Sendable {
    /// A try of the fast path that failed before any byte was answered.
    package struct Failure: Sendable {
        /// Why it failed (an upstream error).
        package var error: any Error & Sendable
        /// Whether another server may be tried for it (the general path's retry rule decides the rest).
        package var isRetryable: Bool

        package init(error: any Error & Sendable, isRetryable: Bool) {
            self.error = error
            self.isRetryable = isRetryable
        }
    }

    /// The identity of the upstream group whose balancer was asked: the general path uses the rest only for it.
    package var upstream: ObjectIdentifier
    /// The server of that group the balancer chose.
    package var server: Int
    /// The fast path's try there, when it made one and it failed; `nil` when it found no warm connection.
    package var failure: Failure?

    package init(upstream: ObjectIdentifier, server: Int, failure: Failure? = nil) {
        self.upstream = upstream
        self.server = server
        self.failure = failure
    }
}
