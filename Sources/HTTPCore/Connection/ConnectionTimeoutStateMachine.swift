package import NIOCore

/// The timing rules of one HTTP/1.1 connection, as a pure state machine driven by events and a clock.
///
/// - A new connection must start its first request within the request-head timeout (nginx's
///   `client_header_timeout` from accept); a kept-alive one that sends nothing is closed after the idle timeout.
/// - Once the first byte of a request arrives, the whole head must arrive within the request-head
///   timeout, otherwise the client gets 408 and the connection is closed: a client trickling bytes
///   cannot hold a connection open.
/// - While a request body is read, the next bytes must come within the body timeout (nginx's
///   `client_body_timeout`), else the client gets 408 and the connection closes. The clock stops while the
///   server itself holds reads back (the handler is slower than the client: not the client's fault).
/// - While a request is otherwise being handled no timer runs here; handlers have their own limits.
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
        /// The request body stalled: the connection handler answers 408 (or cuts a started response) and closes.
        case requestBodyTimeout
    }

    enum State: Equatable {
        /// Waiting for a request head; `started` once its first byte arrived.
        case waiting(deadline: NIODeadline, started: Bool)
        case busy
        /// Reading a request body: the next bytes are due by `deadline`.
        case body(deadline: NIODeadline)
        /// Reading a request body, but reads are held back by the server.
        case bodyPaused
        case closed
    }

    private(set) var state: State
    let idleTimeout: TimeAmount
    let requestHeadTimeout: TimeAmount
    let requestBodyTimeout: TimeAmount

    /// A machine for a connection accepted at `now`.
    package init(idleTimeout: TimeAmount, requestHeadTimeout: TimeAmount, requestBodyTimeout: TimeAmount = .seconds(60), now: NIODeadline) {
        self.idleTimeout = idleTimeout
        self.requestHeadTimeout = requestHeadTimeout
        self.requestBodyTimeout = requestBodyTimeout
        self.state = .waiting(deadline: now + requestHeadTimeout, started: false)
    }

    /// The deadline to arm when the connection starts.
    package var initialAction: Action {
        if case .waiting(let deadline, _) = self.state { return .arm(deadline) }
        return .none
    }

    /// Whether the next bytes matter to a timer: they start a request head, or feed a body.
    package var watchesBytes: Bool {
        switch self.state {
        case .waiting(_, started: false), .body: true
        default: false
        }
    }

    /// Whether a request body is being read with the clock running.
    package var timesBody: Bool {
        if case .body = self.state { return true }
        return false
    }

    /// Bytes arrived from the client.
    package mutating func bytesReceived(now: NIODeadline) -> Action {
        switch self.state {
        case .waiting(_, started: false):
            let deadline = now + self.requestHeadTimeout
            self.state = .waiting(deadline: deadline, started: true)
            return .arm(deadline)
        case .body:
            // Lazy: the timer armed earlier finds the later deadline when it fires and re-arms.
            self.state = .body(deadline: now + self.requestBodyTimeout)
            return .none
        default:
            return .none
        }
    }

    /// A complete request head was parsed.
    package mutating func requestHeadReceived() -> Action {
        guard case .waiting = self.state else { return .none }
        self.state = .busy
        return .none
    }

    /// The request has a body, read from now on.
    package mutating func requestBodyStarted(now: NIODeadline) -> Action {
        guard case .busy = self.state else { return .none }
        let deadline = now + self.requestBodyTimeout
        self.state = .body(deadline: deadline)
        return .arm(deadline)
    }

    /// The server holds reads back (its handler is behind): the body clock stops.
    package mutating func requestBodyPaused() {
        guard case .body = self.state else { return }
        self.state = .bodyPaused
    }

    /// The server reads the body again: the clock starts over.
    package mutating func requestBodyResumed(now: NIODeadline) -> Action {
        guard case .bodyPaused = self.state else { return .none }
        let deadline = now + self.requestBodyTimeout
        self.state = .body(deadline: deadline)
        return .arm(deadline)
    }

    /// The body's end arrived (or it will not be read any further).
    package mutating func requestBodyEnded() {
        switch self.state {
        case .body, .bodyPaused: self.state = .busy
        default: break
        }
    }

    /// The response was written and the connection stays open for the next request.
    package mutating func responseCompleted(now: NIODeadline) -> Action {
        switch self.state {
        case .busy, .body, .bodyPaused: break
        default: return .none
        }
        let deadline = now + self.idleTimeout
        self.state = .waiting(deadline: deadline, started: false)
        return .arm(deadline)
    }

    /// A timer fired.
    package mutating func timerFired(now: NIODeadline) -> Action {
        if case .body(let deadline) = self.state {
            guard now >= deadline else { return .arm(deadline) }
            self.state = .busy
            return .requestBodyTimeout
        }
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
