import HTTPCore
package import NIOCore

/// Finds the parts of an upstream's HTTP/1.1 response in the bytes as they arrive, without decoding them: the
/// event-loop fast path forwards the body bytes as they came (chunked framing included) and rewrites only the
/// head. It is strict where a lenient reading could let a pooled connection fall out of step with the
/// upstream (RFC 9112 §6.3, §7.1): one `Content-Length` (or several equal ones), never with
/// `Transfer-Encoding`, `chunked` last, CRLF line ends, no folded lines, bounded heads and chunk-size lines.
/// Anything else is a ``Failure``, and the fast path leaves the request to the general path (NIO's parser).
///
/// ```swift
/// var scanner = ResponseScanner()
/// while let event = try scanner.next(&bytes) { ... }   // .head, then .body… and .end
/// ```
package struct ResponseScanner {
    /// How the response's body is delimited.
    package enum Framing: Equatable {
        case length(Int)
        case chunked
        /// Until the upstream closes the connection.
        case close
        case none
    }

    /// One header line of the head, as offsets into ``Head/bytes``.
    package struct Line {
        /// The whole line, CRLF included.
        package var range: Range<Int>
        package var name: Range<Int>
        /// The value without surrounding white space.
        package var value: Range<Int>
        var kind: ForwardingRules.Kind
    }

    /// A response head: the bytes as they came, from the status line to the empty line.
    package struct Head {
        package var bytes: ByteBuffer
        package var status: Int
        /// The end of the status line (its CRLF included).
        package var statusLineEnd: Int
        package var framing: Framing
        /// Whether the upstream keeps the connection open after this response.
        package var keepAlive: Bool
        package var lines: [Line]
    }

    package enum Event {
        case head(Head)
        /// Body bytes as they came (for a chunked body, the framing included).
        case body(ByteBuffer)
        case end
    }

    package struct Failure: Error, CustomStringConvertible {
        package let reason: String
        package var description: String { "Invalid upstream response: \(self.reason)" }
    }

    private enum Chunk {
        case size(Int, digits: Int)
        case sizeExtension(Int)
        case sizeLF(Int)
        case data(Int)
        case dataCR
        case dataLF
        case trailerStart
        case trailer
        case trailerLF
        case lastLF
    }

    private enum State {
        case head
        case length(Int)
        case chunked(Chunk)
        case close
        case ending
        case done
    }

    /// The status codes both paths accept from an upstream (RFC 9110 §15: 1xx to 5xx); others are 502.
    static let validStatuses = 100...599

    /// The longest head accepted.
    let maxHeadBytes: Int
    private var state = State.head
    private var pending: ByteBuffer?

    package init(maxHeadBytes: Int = 64 * 1024) {
        self.maxHeadBytes = maxHeadBytes
    }

    /// Whether the response has ended.
    package var isDone: Bool {
        if case .done = self.state { return true }
        return false
    }

    /// The next part of the response from `input` (consuming what it uses), or `nil` when more bytes are needed.
    package mutating func next(_ input: inout ByteBuffer) throws(Failure) -> Event? {
        switch self.state {
        case .head:
            return try self.nextHead(&input)
        case .length(let remaining):
            guard input.readableBytes > 0 else { return nil }
            let count = min(remaining, input.readableBytes)
            let slice = input.readSlice(length: count)!
            self.state = count == remaining ? .ending : .length(remaining - count)
            return .body(slice)
        case .chunked(let chunk):
            guard input.readableBytes > 0 else { return nil }
            let (used, next) = try Self.scanChunked(input, from: chunk)
            let slice = input.readSlice(length: used)!
            self.state = next.map { .chunked($0) } ?? .ending
            return .body(slice)
        case .close:
            guard input.readableBytes > 0 else { return nil }
            return .body(input.readSlice(length: input.readableBytes)!)
        case .ending:
            self.state = .done
            return .end
        case .done:
            return nil
        }
    }

    /// The upstream closed the connection: the end of a close-delimited body, or a failure.
    package mutating func connectionClosed() -> Bool {
        guard case .close = self.state else { return false }
        self.state = .done
        return true
    }

    // MARK: head

    private mutating func nextHead(_ input: inout ByteBuffer) throws(Failure) -> Event? {
        while true {
            if var pending = self.pending {
                pending.writeBuffer(&input)
                self.pending = nil
                input = pending
            }
            guard let end = Self.endOfHead(input) else {
                if input.readableBytes > self.maxHeadBytes { throw Failure(reason: "head too large") }
                if input.readableBytes > 0 { self.pending = input.readSlice(length: input.readableBytes) }
                return nil
            }
            guard end <= self.maxHeadBytes else { throw Failure(reason: "head too large") }
            let bytes = input.readSlice(length: end)!
            let head = try Self.parseHead(bytes)
            if head.status >= 100 && head.status < 200 {
                // 101 is only for upgrades, which the fast path never asks for; other 1xx are interim.
                guard head.status != 101 else { throw Failure(reason: "unexpected 101") }
                continue
            }
            switch head.framing {
            case .length(let length) where length > 0: self.state = .length(length)
            case .length, .none: self.state = .ending
            case .chunked: self.state = .chunked(.size(0, digits: 0))
            case .close: self.state = .close
            }
            return .head(head)
        }
    }

    /// The length of the head (up to and including the empty line), if `buffer` holds all of it.
    private static func endOfHead(_ buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { bytes in
            guard bytes.count >= 4 else { return nil }
            var index = 3
            while index < bytes.count {
                // Look at every fourth byte for a LF; only then check the surroundings.
                if bytes[index] == 10 {
                    if bytes[index - 1] == 13 && bytes[index - 2] == 10 && bytes[index - 3] == 13 { return index + 1 }
                    index += 1
                } else if bytes[index] == 13 {
                    index += 1
                } else {
                    index += 4
                }
            }
            return nil
        }
    }

    private static func parseHead(_ head: ByteBuffer) throws(Failure) -> Head {
        let result: Result<Head, Failure> = head.withUnsafeReadableBytes { bytes in
            // Status line: HTTP/1.x SP 3DIGIT SP reason CRLF.
            guard bytes.count >= 14, bytes[0] == UInt8(ascii: "H"), bytes[1] == UInt8(ascii: "T"), bytes[2] == UInt8(ascii: "T"),
                bytes[3] == UInt8(ascii: "P"), bytes[4] == UInt8(ascii: "/"), bytes[5] == UInt8(ascii: "1"),
                bytes[6] == UInt8(ascii: "."), bytes[7] == UInt8(ascii: "0") || bytes[7] == UInt8(ascii: "1"),
                bytes[8] == UInt8(ascii: " ")
            else { return .failure(Failure(reason: "bad status line")) }
            let http10 = bytes[7] == UInt8(ascii: "0")
            var status = 0
            for index in 9..<12 {
                guard bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9") else {
                    return .failure(Failure(reason: "bad status code"))
                }
                status = status * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            }
            guard ResponseScanner.validStatuses.contains(status) else { return .failure(Failure(reason: "status out of range")) }
            guard bytes[12] == UInt8(ascii: " ") || bytes[12] == 13 else { return .failure(Failure(reason: "bad status line")) }
            var index = 12
            while index < bytes.count && bytes[index] != 10 {
                // A CR only ends the line: a bare one let `Set-Cookie: injected=1` through to a client that splits
                // lines on CR (NIO's parser refuses it too). The reason phrase is never passed on (see
                // `ResponseHeadWriter`), so other bytes in it are as harmless here as on the general path.
                if bytes[index] == 13, index + 1 >= bytes.count || bytes[index + 1] != 10 {
                    return .failure(Failure(reason: "bare CR in status line"))
                }
                index += 1
            }
            guard index < bytes.count, bytes[index - 1] == 13 else { return .failure(Failure(reason: "bare LF")) }
            let statusLineEnd = index + 1

            var lines: [Line] = []
            lines.reserveCapacity(16)  // one allocation for most heads, not one per doubling
            var length: Int?
            var chunked = false
            var transferEncoding = false
            var close = false
            var keepAliveToken = false
            var start = statusLineEnd
            while start < bytes.count - 2 {
                var colon = -1
                var end = start
                while end < bytes.count && bytes[end] != 10 {
                    let byte = bytes[end]
                    if byte == UInt8(ascii: ":") && colon < 0 { colon = end }
                    if byte == 0 || (byte == 13 && end + 1 < bytes.count && bytes[end + 1] != 10) {
                        return .failure(Failure(reason: "control byte in a field"))
                    }
                    end += 1
                }
                guard end < bytes.count, end > start, bytes[end - 1] == 13 else { return .failure(Failure(reason: "bare LF")) }
                guard colon > start else { return .failure(Failure(reason: "field without a name")) }
                let first = bytes[start]
                guard first != UInt8(ascii: " ") && first != UInt8(ascii: "\t") else { return .failure(Failure(reason: "folded field")) }
                for position in start..<colon where !Self.isTokenByte(bytes[position]) {
                    return .failure(Failure(reason: "bad field name"))
                }
                var valueStart = colon + 1
                var valueEnd = end - 1
                while valueStart < valueEnd && (bytes[valueStart] == 32 || bytes[valueStart] == 9) { valueStart += 1 }
                while valueEnd > valueStart && (bytes[valueEnd - 1] == 32 || bytes[valueEnd - 1] == 9) { valueEnd -= 1 }
                let name = UnsafeBufferPointer(rebasing: bytes.bindMemory(to: UInt8.self)[start..<colon])
                let value = UnsafeBufferPointer(rebasing: bytes.bindMemory(to: UInt8.self)[valueStart..<valueEnd])
                let kind = ForwardingRules.kind(ofBytes: name)
                switch kind {
                case .contentLength:
                    // One field, one number: NIO's parser (the general path) refuses a list or a repeated field even
                    // when they agree, and the two paths must refuse the same responses.
                    guard length == nil, let value = Self.decimal(value[...]) else {
                        return .failure(Failure(reason: "bad or repeated Content-Length"))
                    }
                    length = value
                case .transferEncoding:
                    transferEncoding = true
                    var last: Slice<UnsafeBufferPointer<UInt8>>?
                    Self.forEachElement(of: value) { last = Self.trimmed($0) }
                    chunked = last.map { equalsIgnoringASCIICase(UnsafeBufferPointer(rebasing: $0), "chunked") } ?? false
                case .connection:
                    Self.forEachElement(of: value) { token in
                        let token = UnsafeBufferPointer(rebasing: Self.trimmed(token))
                        if equalsIgnoringASCIICase(token, "close") { close = true }
                        if equalsIgnoringASCIICase(token, "keep-alive") { keepAliveToken = true }
                    }
                default:
                    break
                }
                lines.append(Line(range: start..<(end + 1), name: start..<colon, value: valueStart..<valueEnd, kind: kind))
                start = end + 1
            }

            // Both framings at once is refused whatever the status (RFC 9112 §6.1: a smuggling sign), as NIO does.
            guard length == nil || !transferEncoding else { return .failure(Failure(reason: "Content-Length with Transfer-Encoding")) }
            let framing: Framing
            if ResponseFraming.hasNoContent(status: status) {
                framing = .none
            } else if transferEncoding {
                guard length == nil else { return .failure(Failure(reason: "Content-Length with Transfer-Encoding")) }
                guard chunked else { return .failure(Failure(reason: "Transfer-Encoding without chunked last")) }
                framing = .chunked
            } else if let length {
                framing = .length(length)
            } else {
                framing = .close
            }
            let announcesBody = ResponseFraming.announcesContentItMustNotHave(
                status: status,
                transferEncoding: transferEncoding,
                contentLength: length
            )
            let keepAlive = framing != .close && !close && (!http10 || keepAliveToken) && !announcesBody
            return .success(
                Head(bytes: head, status: status, statusLineEnd: statusLineEnd, framing: framing, keepAlive: keepAlive, lines: lines)
            )
        }
        return try result.get()
    }

    /// Calls `body` with each comma-separated element of a field value (empty ones too), without allocating.
    private static func forEachElement(
        of value: UnsafeBufferPointer<UInt8>,
        _ body: (Slice<UnsafeBufferPointer<UInt8>>) -> Void
    ) {
        var start = value.startIndex
        for index in value.indices where value[index] == UInt8(ascii: ",") {
            body(value[start..<index])
            start = index + 1
        }
        body(value[start..<value.endIndex])
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool { HeaderToken.isTokenCharacter(byte) }

    private static func trimmed(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Slice<UnsafeBufferPointer<UInt8>> {
        var bytes = bytes
        while let first = bytes.first, first == 32 || first == 9 { bytes = bytes.dropFirst() }
        while let last = bytes.last, last == 32 || last == 9 { bytes = bytes.dropLast() }
        return bytes
    }

    private static func decimal(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        let digits = Self.trimmed(bytes)
        guard !digits.isEmpty, digits.count <= 15 else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    // MARK: chunked

    /// How many bytes of `input` belong to the chunked body, and the state after them (`nil`: the body ended).
    /// Chunk data is skipped in bulk; only the framing is looked at byte by byte.
    private static func scanChunked(_ input: ByteBuffer, from start: Chunk) throws(Failure) -> (Int, Chunk?) {
        let result: Result<(Int, Chunk?), Failure> = input.withUnsafeReadableBytes { bytes in
            var state = start
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                switch state {
                case .size(let size, let digits):
                    if let digit = Self.hexDigit(byte) {
                        guard digits < 15 else { return .failure(Failure(reason: "chunk size too large")) }
                        state = .size(size * 16 + digit, digits: digits + 1)
                    } else if digits > 0 && byte == 13 {
                        state = .sizeLF(size)
                    } else if digits > 0 && (byte == UInt8(ascii: ";") || byte == 32 || byte == 9) {
                        state = .sizeExtension(size)
                    } else {
                        return .failure(Failure(reason: "bad chunk size"))
                    }
                case .sizeExtension(let size):
                    if byte == 13 {
                        state = .sizeLF(size)
                    } else if byte == 10 || byte == 0 {
                        return .failure(Failure(reason: "bad chunk extension"))
                    }
                case .sizeLF(let size):
                    guard byte == 10 else { return .failure(Failure(reason: "bare CR")) }
                    state = size == 0 ? .trailerStart : .data(size)
                case .data(let remaining):
                    let count = min(remaining, bytes.count - index)
                    index += count
                    state = count == remaining ? .dataCR : .data(remaining - count)
                    continue
                case .dataCR:
                    guard byte == 13 else { return .failure(Failure(reason: "chunk longer than its size")) }
                    state = .dataLF
                case .dataLF:
                    guard byte == 10 else { return .failure(Failure(reason: "bare CR")) }
                    state = .size(0, digits: 0)
                case .trailerStart:
                    if byte == 13 {
                        state = .lastLF
                    } else if Self.isTokenByte(byte) {
                        state = .trailer
                    } else {
                        return .failure(Failure(reason: "bad trailer"))
                    }
                case .trailer:
                    if byte == 13 {
                        state = .trailerLF
                    } else if byte == 10 || byte == 0 {
                        return .failure(Failure(reason: "bad trailer"))
                    }
                case .trailerLF:
                    guard byte == 10 else { return .failure(Failure(reason: "bare CR")) }
                    state = .trailerStart
                case .lastLF:
                    guard byte == 10 else { return .failure(Failure(reason: "bare CR")) }
                    return .success((index + 1, nil))
                }
                index += 1
            }
            return .success((index, state))
        }
        return try result.get()
    }

    private static func hexDigit(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
