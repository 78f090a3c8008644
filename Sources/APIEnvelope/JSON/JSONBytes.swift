/// Eight bytes of a JSON string at a time: whether any of them needs a closer look (a quote, a backslash or a
/// control character), for the reader's string scan and the writer's escape check alike.
enum JSONBytes {
    /// `0x01` in every byte.
    static let low: UInt64 = 0x0101_0101_0101_0101
    /// `0x80` in every byte: a non-ASCII byte when set in the word itself.
    static let high: UInt64 = 0x8080_8080_8080_8080

    /// The word at `offset`, its first byte lowest.
    @inline(__always)
    static func word(_ base: UnsafeRawPointer, at offset: Int) -> UInt64 {
        UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Whether a byte of `word` is `"`, `\` or below 0x20. `(x - low) & ~x & high` is non-zero when a byte of `x`
    /// is zero, `(x - n * low) & ~x & high` when a byte is below `n` (n ≤ 0x80).
    @inline(__always)
    static func needsAttention(_ word: UInt64) -> Bool {
        let quote = word ^ (low &* UInt64(UInt8(ascii: "\"")))
        let backslash = word ^ (low &* UInt64(UInt8(ascii: "\\")))
        let special = ((quote &- low) & ~quote) | ((backslash &- low) & ~backslash) | ((word &- low &* 0x20) & ~word)
        return special & high != 0
    }
}
