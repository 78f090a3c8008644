#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 network such as `10.0.0.0/8`, `127.0.0.1` or `::1/128`.
///
/// ```swift
/// let trusted = try [CIDR("127.0.0.1/32"), CIDR("10.0.0.0/8")]
/// trusted.contains { $0.contains("10.1.2.3") }   // true
/// ```
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    let network: [UInt8]
    let prefixLength: Int
    public let description: String

    /// Parses `address[/prefix]`; without a prefix the network is the single address.
    /// - Throws: ``CIDRError`` for a malformed address or prefix.
    public init(_ string: String) throws(CIDRError) {
        let parts = string.split(separator: "/", maxSplits: 1)
        guard let address = parts.first, let bytes = Self.parse(String(address)) else { throw CIDRError(text: string) }
        let maxPrefix = bytes.count * 8
        let prefix = parts.count == 2 ? Int(parts[1]) : maxPrefix
        guard let prefix, (0...maxPrefix).contains(prefix) else { throw CIDRError(text: string) }
        self.network = bytes
        self.prefixLength = prefix
        self.description = string
    }

    /// Whether `address` (textual IPv4 or IPv6) is inside this network.
    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.parse(address) else { return false }
        let candidate: [UInt8]
        if bytes.count == self.network.count {
            candidate = bytes
        } else if self.network.count == 4, bytes.count == 16, bytes[0..<12].elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]) {
            candidate = Array(bytes[12...])  // IPv4-mapped IPv6
        } else {
            return false
        }
        var remaining = self.prefixLength
        for index in 0..<candidate.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if candidate[index] & mask != self.network[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// 4 bytes for IPv4, 16 for IPv6, `nil` otherwise.
    static func parse(_ text: String) -> [UInt8]? {
        // Plain byte arrays, not `in_addr`/`in6_addr`: with NIO in the build, which module those C types belong to
        // depends on what a compile batch loaded first, and member-import visibility then refuses them at random.
        var v4 = [UInt8](repeating: 0, count: 4)
        if v4.withUnsafeMutableBytes({ inet_pton(AF_INET, text, $0.baseAddress) }) == 1 { return v4 }
        var v6 = [UInt8](repeating: 0, count: 16)
        if v6.withUnsafeMutableBytes({ inet_pton(AF_INET6, text, $0.baseAddress) }) == 1 { return v6 }
        return nil
    }
}

/// A network that could not be parsed.
public struct CIDRError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text given.
    public let text: String
    public var description: String { "Invalid address or network: \(self.text)" }
}
