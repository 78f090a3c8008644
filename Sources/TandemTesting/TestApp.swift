import Synchronization
public import TandemApp

/// Runs a whole ``TandemApp`` (a topology: API, pages, gateway) for the duration of `body`, then stops it.
/// Give its servers port 0 (`TandemApp.Settings(ports: ["api": 0, …])` or `port: 0`): `body` gets their real
/// addresses.
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
    return try await withThrowingTaskGroup(of: Void.self) { group in
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
        let result: Result
        do {
            result = try await body(servers!)
        } catch {
            group.cancelAll()
            throw error
        }
        group.cancelAll()
        try? await group.waitForAll()
        return result
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
