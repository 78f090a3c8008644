public import NIOCore

/// A request body: an `AsyncSequence` of `ByteBuffer`s read from the connection with back-pressure.
///
/// The server stops reading from the socket while the handler is not consuming, so a large upload
/// never sits in memory. Read it once, either streaming or with ``collect(upTo:)``:
///
/// ```swift
/// for try await chunk in request.body { hasher.update(chunk) }      // streaming
/// let json = try await request.body.collect(upTo: 1 << 20)          // or whole, with a cap
/// ```
public struct RequestBody: Sendable, AsyncSequence {
    public typealias Element = ByteBuffer
    public typealias Failure = any Error

    package typealias Producer = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, BodyReadDelegate
    >

    enum Storage: Sendable {
        case bytes(ByteBuffer?)
        case producer(Producer)
        case sequence(@Sendable () -> AnyByteIterator)
    }

    let storage: Storage

    /// No body.
    public static var empty: RequestBody { RequestBody(storage: .bytes(nil)) }

    /// A body that is already in memory.
    public init(bytes: ByteBuffer) {
        self.storage = .bytes(bytes)
    }

    /// A body produced by any async sequence of buffers (for in-process transports and tests).
    public init<Bytes: AsyncSequence & Sendable>(_ sequence: Bytes) where Bytes.Element == ByteBuffer {
        self.storage = .sequence {
            var iterator = sequence.makeAsyncIterator()
            return AnyByteIterator { try await iterator.next() }
        }
    }

    private init(storage: Storage) {
        self.storage = storage
    }

    /// A streaming body fed through `source`; the delegate is told when the consumer wants more.
    package static func makeStream(
        lowWatermark: Int = 2,
        highWatermark: Int = 8,
        delegate: BodyReadDelegate
    ) -> (RequestBody, Producer.Source) {
        let new = Producer.makeSequence(
            elementType: ByteBuffer.self,
            failureType: (any Error).self,
            backPressureStrategy: .init(lowWatermark: lowWatermark, highWatermark: highWatermark),
            finishOnDeinit: true,
            delegate: delegate
        )
        return (RequestBody(storage: .producer(new.sequence)), new.source)
    }

    /// Whether the body is known to be empty without reading it.
    public var isKnownEmpty: Bool {
        if case .bytes(let buffer) = self.storage { return (buffer?.readableBytes ?? 0) == 0 }
        return false
    }

    public func makeAsyncIterator() -> AsyncIterator {
        switch self.storage {
        case .bytes(let buffer): AsyncIterator(state: .bytes(buffer))
        case .producer(let producer): AsyncIterator(state: .producer(producer.makeAsyncIterator()))
        case .sequence(let make): AsyncIterator(state: .sequence(make()))
        }
    }

    /// Iterates the body's buffers.
    public struct AsyncIterator: AsyncIteratorProtocol {
        enum State {
            case bytes(ByteBuffer?)
            case producer(Producer.AsyncIterator)
            case sequence(AnyByteIterator)
        }

        var state: State

        public mutating func next() async throws -> ByteBuffer? {
            switch self.state {
            case .bytes(let buffer):
                self.state = .bytes(nil)
                guard let buffer, buffer.readableBytes > 0 else { return nil }
                return buffer
            case .producer(let iterator):
                return try await iterator.next()
            case .sequence(let iterator):
                return try await iterator.next()
            }
        }
    }

    /// Reads the whole body into one buffer.
    /// - Parameter maxBytes: the most bytes accepted.
    /// - Throws: ``HTTPError`` 413 when the body is longer than `maxBytes`; errors from the connection.
    public func collect(upTo maxBytes: Int) async throws -> ByteBuffer {
        if case .bytes(let buffer) = self.storage {
            let buffer = buffer ?? ByteBuffer()
            guard buffer.readableBytes <= maxBytes else { throw HTTPError.contentTooLarge(limit: maxBytes) }
            return buffer
        }
        var collected: ByteBuffer? = nil
        for try await var chunk in self {
            guard (collected?.readableBytes ?? 0) + chunk.readableBytes <= maxBytes else {
                throw HTTPError.contentTooLarge(limit: maxBytes)
            }
            if collected == nil {
                collected = chunk
            } else {
                collected!.writeBuffer(&chunk)
            }
        }
        return collected ?? ByteBuffer()
    }
}

/// A type-erased iterator over buffers.
final class AnyByteIterator {
    private let nextBuffer: () async throws -> ByteBuffer?

    init(_ next: @escaping () async throws -> ByteBuffer?) {
        self.nextBuffer = next
    }

    func next() async throws -> ByteBuffer? {
        try await self.nextBuffer()
    }
}

/// Tells the producer of a streaming body when its consumer wants more, or has gone away.
package struct BodyReadDelegate: NIOAsyncSequenceProducerDelegate {
    let onProduceMore: @Sendable () -> Void
    let onTerminate: @Sendable () -> Void

    package init(produceMore: @escaping @Sendable () -> Void, didTerminate: @escaping @Sendable () -> Void) {
        self.onProduceMore = produceMore
        self.onTerminate = didTerminate
    }

    /// Callbacks for a channel handler (`owner`) that lives on `eventLoop`, where they run: `produceMore` at once
    /// when it is called there and through the loop's queue otherwise; `didTerminate` always through the queue, since
    /// the consumer may go away at any point of the owner's work. Both may come late, after the owner moved on to the
    /// next body, so they must check which body they belong to.
    package init<Owner: AnyObject>(
        on eventLoop: any EventLoop,
        owner: Owner,
        produceMore: @escaping (Owner) -> Void,
        didTerminate: @escaping (Owner) -> Void
    ) {
        // Loop-bound: the owner and its callbacks are touched only on their loop (NIOLoopBound checks it).
        let bound = NIOLoopBound((owner: owner, produceMore: produceMore, didTerminate: didTerminate), eventLoop: eventLoop)
        self.onProduceMore = {
            if eventLoop.inEventLoop {
                bound.value.produceMore(bound.value.owner)
            } else {
                eventLoop.execute { bound.value.produceMore(bound.value.owner) }
            }
        }
        self.onTerminate = { eventLoop.execute { bound.value.didTerminate(bound.value.owner) } }
    }

    package func produceMore() { self.onProduceMore() }
    package func didTerminate() { self.onTerminate() }
}
