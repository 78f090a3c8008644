package import NIOCore

/// The timing rules of one HTTP/1.1 connection, as a pure state machine driven by events and a clock.
///
/// - A new connection must start its first request within the request-head timeout (nginx's
///   `client_header_timeout` from accept); a kept-alive one that sends nothing is closed after the idle timeout.
/// - Once the first byte of a request arrives, the whole head must arrive within the request-head
///   timeout, otherwise the client gets 408 and the connection is closed: a client trickling bytes
///   cannot hold a connection open.
/// - While a request is being handled no timer runs here; handlers and bodies have their own limits.
///
/// Timers are lazy: the machine may ask to arm a deadline later than one already armed; the owner
/// keeps the earlier timer and calls ``timerFired(now:)``, which re-arms when it fired early.
package struct ConnectionTimeoutStateMachine: Sendable {
    /// What the owner must do.
    package enum Action: Equatable, Sendable {
        case none
        /// Make sure a timer fires at or before this deadline.
        case arm(NIODeadline)
        /// Close the connection without a response.
        case close
        /// Answer 408 Request Timeout and close.
        case requestTimeout
    }

    enum State: Equatable {
        /// Waiting for a request head; `started` once its first byte arrived.
        case waiting(deadline: NIODeadline, started: Bool)
        case busy
        case closed
    }

    private(set) var state: State
    let idleTimeout: TimeAmount
    let requestHeadTimeout: TimeAmount

    /// A machine for a connection accepted at `now`.
    package init(idleTimeout: TimeAmount, requestHeadTimeout: TimeAmount, now: NIODeadline) {
        self.idleTimeout = idleTimeout
        self.requestHeadTimeout = requestHeadTimeout
        self.state = .waiting(deadline: now + requestHeadTimeout, started: false)
    }

    /// The deadline to arm when the connection starts.
    package var initialAction: Action {
        if case .waiting(let deadline, _) = self.state { return .arm(deadline) }
        return .none
    }

    /// Bytes arrived from the client.
    /// Whether the next bytes start a request head (and so start its timeout).
    package var awaitsRequestStart: Bool {
        if case .waiting(_, started: false) = self.state { return true }
        return false
    }

    package mutating func bytesReceived(now: NIODeadline) -> Action {
        guard case .waiting(_, started: false) = self.state else { return .none }
        let deadline = now + self.requestHeadTimeout
        self.state = .waiting(deadline: deadline, started: true)
        return .arm(deadline)
    }

    /// A complete request head was parsed.
    package mutating func requestHeadReceived() -> Action {
        guard case .waiting = self.state else { return .none }
        self.state = .busy
        return .none
    }

    /// The response was written and the connection stays open for the next request.
    package mutating func responseCompleted(now: NIODeadline) -> Action {
        guard case .busy = self.state else { return .none }
        let deadline = now + self.idleTimeout
        self.state = .waiting(deadline: deadline, started: false)
        return .arm(deadline)
    }

    /// A timer fired.
    package mutating func timerFired(now: NIODeadline) -> Action {
        guard case .waiting(let deadline, let started) = self.state else { return .none }
        guard now >= deadline else { return .arm(deadline) }
        self.state = .closed
        return started ? .requestTimeout : .close
    }

    /// The connection closed.
    package mutating func closed() {
        self.state = .closed
    }
}
