import ServiceLifecycleTestKit
import Synchronization
public import TandemApp

/// Runs a whole ``TandemApp`` (a topology: API, pages, gateway) for the duration of `body`, then shuts it down
/// gracefully, as SIGTERM would: the servers stop accepting, finish the requests in flight (up to their
/// `shutdownTimeout`) and close, with nothing logged as an error. Give its servers port 0
/// (`TandemApp.Settings(ports: ["api": 0, …])` or `port: 0`): `body` gets their real addresses.
///
/// ```swift
/// var app = TandemApp(settings: .init(logLevel: .critical))
/// app.server("api", port: 0) { _ in api }
/// app.server("web", port: 0) { servers in try makeSite(apiURL: servers.url("api")) }
/// try await withTestApp(app) { servers in
///     let page = try await RawHTTPClient.roundTrip(port: servers.port(of: "web"), "GET / HTTP/1.1\r\nHost: t\r\n\r\n")
/// }
/// ```
/// - Throws: what starting the app throws (a port in use, a handler's builder), or what `body` throws.
public func withTestApp<Result: Sendable>(
    _ app: TandemApp,
    timeout: Duration = .seconds(30),
    _ body: (_ servers: Servers) async throws -> Result
) async throws -> Result {
    let state = StartState()
    // The app runs under a graceful-shutdown trigger of its own, which its service group listens to: cancelling it
    // instead would stop every server mid-accept ("Accepting connections failed: CancellationError()").
    return try await testGracefulShutdown { shutdown in
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await app.run { servers in
                        state.value.withLock { $0.servers = servers }
                        return ""
                    }
                } catch {
                    state.value.withLock { $0.failure = error }
                    throw error
                }
            }
            let deadline = ContinuousClock.now + timeout
            var servers: Servers?
            while servers == nil {
                let (started, failure) = state.value.withLock { ($0.servers, $0.failure) }
                if let failure { throw failure }  // a port in use, a handler that could not be built
                servers = started
                if servers != nil { break }
                guard ContinuousClock.now < deadline else {
                    group.cancelAll()
                    throw TestAppError.notReady(timeout)
                }
                try await Task.sleep(for: .milliseconds(2))
            }
            let outcome: Swift.Result<Result, any Error>
            do {
                outcome = .success(try await body(servers!))
            } catch {
                outcome = .failure(error)
            }
            shutdown.triggerGracefulShutdown()
            try await group.waitForAll()
            return try outcome.get()
        }
    }
}

/// The app did not start in time.
public struct TestAppError: Error, CustomStringConvertible {
    /// How long the test waited.
    public let timeout: Duration

    /// The app did not start within `timeout`.
    public static func notReady(_ timeout: Duration) -> Self { Self(timeout: timeout) }

    public var description: String { "The app did not start within \(self.timeout)" }
}

/// What the app's task tells the waiting test: started (with its servers) or failed.
private final class StartState: Sendable {
    let value = Mutex<(servers: Servers?, failure: (any Error)?)>((nil, nil))
}
