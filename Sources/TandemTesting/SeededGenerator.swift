/// A reproducible random number generator (SplitMix64) for generated test inputs: the same seed gives the
/// same cases on every machine, so a failing case can be run again from the seed in the test's output.
///
/// ```swift
/// var random = SeededGenerator(seed: 42)
/// let path = random.string(from: ["/", "a", "%2e", "."], count: 1...12)
/// ```
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator that starts from `seed`.
    public init(seed: UInt64) {
        self.state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A string of `count` pieces, each picked from `pieces`.
    public mutating func string(from pieces: [String], count: ClosedRange<Int>) -> String {
        let length = Int.random(in: count, using: &self)
        var result = ""
        for _ in 0..<length { result += pieces.randomElement(using: &self)! }
        return result
    }
}
