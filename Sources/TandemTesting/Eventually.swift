/// Polls `check` until it is true or `timeout` passes (a deadline, never a sleep standing in for synchronisation).
///
/// ```swift
/// #expect(try await eventually { try? await get(port, "/healthz").status == 200 })
/// ```
/// - Returns: whether `check` became true in time.
public func eventually(timeout: Duration = .seconds(20), _ check: () async -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await check() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return await check()
}
