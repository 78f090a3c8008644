/// What a host in an authority may be: a registered name or an IPv4 address (letters, digits, `-`, `.`, `_`, `~`),
/// or an IPv6 address (hex digits, `:`, `.`), which goes in brackets. Shared by the redirect listener's `Host` check
/// and ProxyClient's upstream URLs, so neither lets a separator (`/`, `@`, `?`, space) through as part of a host.
package enum HostSyntax {
    /// Whether `host` (without brackets when `bracketed`) is a host: at most 253 bytes, and an IPv6 address when it
    /// came in brackets.
    package static func isValid(_ host: some StringProtocol, bracketed: Bool) -> Bool {
        guard !host.isEmpty, host.utf8.count <= 253 else { return false }
        if bracketed { return host.contains(":") && host.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } }
        return host.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
        }
    }
}
