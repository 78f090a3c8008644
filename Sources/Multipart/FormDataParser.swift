import HTTPCore
import NIOCore

/// A streaming `multipart/form-data` parser (RFC 2046 §5.1, RFC 7578): bytes in, events out, bounded buffers.
///
/// Tandem's own, not vapor/multipart-kit's: fuzzing found that multipart-kit 4.7.1 traps (an array index out of
/// range, so the whole process dies) on any part header whose name has a byte ≥ 0x80, and its parser cannot tell a
/// body that ended at its closing boundary from a truncated one.
///
/// - The preamble before the first delimiter and the epilogue after the closing one are ignored.
/// - A header line longer than `maxHeaderLineBytes` throws ``Failure/headerTooLong`` (never buffered without bound);
///   a header name that is not an RFC 9110 token, or a line without a colon, throws ``Failure/malformed``.
/// - Body bytes come out as they arrive, except the few at the end of a chunk that could begin a delimiter.
struct FormDataParser {
    enum Event: Equatable {
        /// One header line of the current part (a part starts with its first header).
        case header(name: String, value: String)
        /// The current part's headers ended; its body follows.
        case bodyStart
        /// Bytes of the current part's body.
        case body(ByteBuffer)
        /// The current part ended (a delimiter followed it).
        case partEnd
    }

    enum Failure: Error, Equatable {
        case malformed
        case headerTooLong
    }

    private enum State {
        /// Before the first delimiter.
        case preamble
        /// After a delimiter's boundary: `--` closes the body, CRLF (after optional whitespace) starts a part.
        case afterBoundary
        case headers
        case body
        /// After the closing delimiter: everything is ignored.
        case epilogue
    }

    /// Most whitespace between a boundary and its CRLF.
    static let maxPadding = 64
    /// `\r\n--boundary`.
    private let delimiter: [UInt8]
    private let maxHeaderLineBytes: Int
    private var state = State.preamble
    /// Bytes not consumed yet (a partial line, a possible delimiter prefix).
    private var pending: [UInt8] = []
    /// Whether the stream's first bytes are still ahead (the first delimiter may come without its CRLF).
    private var atStart = true

    init(boundary: String, maxHeaderLineBytes: Int) {
        self.delimiter = Array("\r\n--\(boundary)".utf8)
        self.maxHeaderLineBytes = maxHeaderLineBytes
    }

    /// Whether the closing delimiter was seen.
    var isFinished: Bool {
        if case .epilogue = self.state { return true }
        return false
    }

    /// Parses the next bytes of the body: the events they complete, and the failure that stopped the parse, if one did
    /// (the events before it still count: a limit crossed before a syntax error is reported first, however the body
    /// was cut). After a failure nothing more is parsed.
    mutating func parse(_ chunk: ByteBuffer) -> (events: [Event], failure: Failure?) {
        if let failure = self.failure { return ([], failure) }
        var events: [Event] = []
        do {
            try self.parse(chunk, into: &events)
            return (events, nil)
        } catch {
            self.failure = error
            return (events, error)
        }
    }

    private var failure: Failure?

    private mutating func parse(_ chunk: ByteBuffer, into events: inout [Event]) throws(Failure) {
        if case .epilogue = self.state { return }
        self.pending.append(contentsOf: chunk.readableBytesView)
        if self.atStart {
            // The first delimiter may start the body directly: pretend the CRLF before it was there.
            guard self.pending.count >= 2 else { return }
            if self.pending.starts(with: self.delimiter.dropFirst(2).prefix(self.pending.count)) || self.pending[0] == UInt8(ascii: "-") {
                self.pending.insert(contentsOf: [13, 10], at: 0)
            }
            self.atStart = false
        }
        var index = 0
        loop: while true {
            switch self.state {
            case .preamble:
                switch self.findDelimiter(from: index) {
                case .found(let at):
                    index = at + self.delimiter.count
                    self.state = .afterBoundary
                case .partial(let at):
                    index = at
                    break loop
                case .none:
                    index = self.pending.count
                    break loop
                }
            case .afterBoundary:
                var cursor = index
                while cursor < self.pending.count, self.pending[cursor] == 32 || self.pending[cursor] == 9 { cursor += 1 }
                // Transport padding (RFC 2046 §5.1.1), bounded: the same verdict however the body is cut.
                guard cursor - index <= Self.maxPadding else { throw .malformed }
                guard cursor + 2 <= self.pending.count else { break loop }
                if self.pending[index] == UInt8(ascii: "-"), self.pending[index + 1] == UInt8(ascii: "-") {
                    self.state = .epilogue
                    index = self.pending.count
                    break loop
                }
                guard self.pending[cursor] == 13, self.pending[cursor + 1] == 10 else { throw .malformed }
                index = cursor + 2
                self.state = .headers
            case .headers:
                guard let end = self.lineEnd(from: index) else {
                    guard self.pending.count - index <= self.maxHeaderLineBytes else { throw .headerTooLong }
                    break loop
                }
                guard end - index <= self.maxHeaderLineBytes else { throw .headerTooLong }
                if end == index {
                    events.append(.bodyStart)
                    self.state = .body
                } else {
                    events.append(try Self.header(self.pending[index..<end]))
                }
                index = end + 2
            case .body:
                switch self.findDelimiter(from: index) {
                case .found(let at):
                    if at > index { events.append(.body(ByteBuffer(bytes: self.pending[index..<at]))) }
                    events.append(.partEnd)
                    index = at + self.delimiter.count
                    self.state = .afterBoundary
                case .partial(let at):
                    if at > index { events.append(.body(ByteBuffer(bytes: self.pending[index..<at]))) }
                    index = at
                    break loop
                case .none:
                    if self.pending.count > index { events.append(.body(ByteBuffer(bytes: self.pending[index...]))) }
                    index = self.pending.count
                    break loop
                }
            case .epilogue:
                index = self.pending.count
                break loop
            }
        }
        self.pending.removeFirst(index)
    }

    private enum Search {
        case found(Int)
        /// A delimiter may begin here; more bytes decide.
        case partial(Int)
        case none
    }

    /// The next delimiter at or after `start`. Candidates never overlap (a boundary has no CR), so the scan is linear.
    private func findDelimiter(from start: Int) -> Search {
        var index = start
        let count = self.pending.count
        while index < count {
            guard self.pending[index] == 13 else {
                index += 1
                continue
            }
            var matched = 1
            while matched < self.delimiter.count, index + matched < count, self.pending[index + matched] == self.delimiter[matched] {
                matched += 1
            }
            if matched == self.delimiter.count { return .found(index) }
            if index + matched == count { return .partial(index) }
            index += 1
        }
        return .none
    }

    /// The index of the CR of the next CRLF at or after `start`.
    private func lineEnd(from start: Int) -> Int? {
        var index = start
        while index + 1 < self.pending.count {
            if self.pending[index] == 13, self.pending[index + 1] == 10 { return index }
            index += 1
        }
        return nil
    }

    /// `Name: value`: the name a token, the value without leading and trailing whitespace (UTF-8; invalid bytes are
    /// replaced).
    private static func header(_ line: ArraySlice<UInt8>) throws(Failure) -> Event {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else { throw .malformed }
        let name = line[line.startIndex..<colon]
        guard name.allSatisfy(isTokenByte) else { throw .malformed }
        var value = line[(colon + 1)...]
        while let first = value.first, first == 32 || first == 9 { value = value.dropFirst() }
        while let last = value.last, last == 32 || last == 9 { value = value.dropLast() }
        guard !value.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) else { throw .malformed }
        return .header(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
    }
}

/// RFC 9110 `tchar`.
private func isTokenByte(_ byte: UInt8) -> Bool { HeaderToken.isTokenCharacter(byte) }
