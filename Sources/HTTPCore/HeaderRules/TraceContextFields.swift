/// W3C Trace Context's rules for the incoming `traceparent` and `tracestate` fields (W3C Trace Context §3.2, §3.3,
/// and its processing model), applied before a tracer sees them: whichever propagator the tracer uses then reads a
/// valid `traceparent` or none, and a `tracestate` that is valid, bounded, and present only with its `traceparent`.
///
/// - `traceparent`: `version-traceid-parentid-flags` in lower-case hex, ids not all zero, version not `ff`; a
///   version-00 value of exactly 55 characters, a later version's first 55 (what a reader of version 00 may read).
///   Sent more than once, it is invalid. An invalid one is dropped, and its `tracestate` with it.
/// - `tracestate`: every field joined, each list member checked (key and value grammar), invalid members and repeated
///   keys dropped rather than the whole list: failure to parse `tracestate` must not affect `traceparent` (§3.3).
///   At most 32 members (the rightmost go) and 512 characters (members over 128 characters go first, then from the
///   right), as the specification asks of a vendor that truncates.
///
/// swift-otel's W3C propagator throws away a valid `traceparent` when `tracestate` is malformed, and keeps a list of
/// any length; this is where Tandem's servers keep to the specification whatever the propagator.
package enum TraceContextFields {
    /// Most list members a `tracestate` keeps.
    package static let maxMembers = 32
    /// Most characters a `tracestate` keeps.
    package static let maxLength = 512
    /// Members longer than this go first when a `tracestate` is over ``maxLength``.
    package static let longMember = 128

    /// The `traceparent` to act on: the one field's value when it is valid, its first 55 characters for a later
    /// version; `nil` otherwise.
    package static func traceparent(_ values: [String]) -> String? {
        guard values.count == 1 else { return nil }
        let value = Array(values[0].utf8)
        guard value.count >= 55 else { return nil }
        func isHex(_ range: Range<Int>) -> Bool {
            value[range].allSatisfy {
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            }
        }
        func isZero(_ range: Range<Int>) -> Bool { value[range].allSatisfy { $0 == UInt8(ascii: "0") } }
        let dash = UInt8(ascii: "-")
        guard isHex(0..<2), value[2] == dash, isHex(3..<35), value[35] == dash, isHex(36..<52), value[52] == dash, isHex(53..<55)
        else { return nil }
        let version = value[0..<2]
        guard version.elementsEqual("ff".utf8) == false, !isZero(3..<35), !isZero(36..<52) else { return nil }
        if version.elementsEqual("00".utf8) {
            guard value.count == 55 else { return nil }
            return values[0]
        }
        // A later version may add fields after a dash; what comes before is version 00's layout.
        guard value.count == 55 || value[55] == dash else { return nil }
        return String(decoding: value[0..<55], as: UTF8.self)
    }

    /// The `tracestate` to act on, given every `tracestate` field and whether `traceparent` was valid: its valid
    /// members, each key once (the leftmost, the most recent), bounded; `nil` when none is left.
    package static func tracestate(_ values: [String], traceparentValid: Bool) -> String? {
        guard traceparentValid, !values.isEmpty else { return nil }
        var members: [Substring] = []
        var keys: Set<Substring> = []
        for value in values {
            for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                let member = Substring(item.trimmingOWS)
                guard !member.isEmpty, let equals = member.firstIndex(of: "=") else { continue }
                let key = member[..<equals]
                guard Self.isKey(key), Self.isValue(member[member.index(after: equals)...]), !keys.contains(key) else { continue }
                keys.insert(key)
                members.append(member)
            }
        }
        if members.count > Self.maxMembers { members.removeLast(members.count - Self.maxMembers) }
        func length() -> Int { members.reduce(0) { $0 + $1.utf8.count } + max(0, members.count - 1) }
        if length() > Self.maxLength {
            members.removeAll { $0.utf8.count > Self.longMember }
            while length() > Self.maxLength { members.removeLast() }
        }
        return members.isEmpty ? nil : members.joined(separator: ",")
    }

    /// `simple-key` (`lcalpha 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/")`) or `tenant-id "@" system-id`.
    static func isKey(_ key: Substring) -> Bool {
        func isKeyCharacter(_ byte: UInt8) -> Bool {
            Self.isLowerAlpha(byte) || Self.isDigit(byte) || "_-*/".utf8.contains(byte)
        }
        let bytes = Array(key.utf8)
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")) else {
            return (1...256).contains(bytes.count) && Self.isLowerAlpha(bytes[0]) && bytes.allSatisfy(isKeyCharacter)
        }
        let tenant = bytes[..<at]
        let system = bytes[(at + 1)...]
        return (1...241).contains(tenant.count) && (Self.isLowerAlpha(tenant.first!) || Self.isDigit(tenant.first!))
            && tenant.allSatisfy(isKeyCharacter)
            && (1...14).contains(system.count) && Self.isLowerAlpha(system.first!) && system.allSatisfy(isKeyCharacter)
    }

    /// `value = 0*255(chr) nblk-chr`: printable ASCII but `,` and `=`, spaces inside only.
    static func isValue(_ value: Substring) -> Bool {
        let bytes = value.utf8
        guard (1...256).contains(bytes.count), bytes.last != UInt8(ascii: " ") else { return false }
        return bytes.allSatisfy { (0x20...0x7E).contains($0) && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "=") }
    }

    private static func isLowerAlpha(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) }
    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
}
