/// The client's address as the server reports it (access log, spans, ``RequestContext/clientAddress``): the peer, or,
/// when the peer is a trusted proxy, the address that proxy reports in `X-Forwarded-For` (nginx `real_ip_header
/// X-Forwarded-For` with `set_real_ip_from` and `real_ip_recursive on`).
enum ClientAddress {
    /// Walks `X-Forwarded-For` from the right while the hop that reported an entry is trusted; an entry that is not an
    /// address ends the walk (the last good one stays). Without trusted proxies it is `peer`, whatever was sent.
    static func resolve(peer: String?, forwardedFor: [String], trusted: [CIDR]) -> String? {
        guard !trusted.isEmpty, var client = peer, !forwardedFor.isEmpty else { return peer }
        for field in forwardedFor.reversed() {
            for entry in field.split(separator: ",").reversed() {
                guard Self.isTrusted(client, trusted) else { return client }
                let address = entry.trimmingOWS
                guard CIDR.parse(address) != nil else { return client }
                client = address
            }
        }
        return client
    }

    private static func isTrusted(_ address: String, _ trusted: [CIDR]) -> Bool {
        trusted.contains { $0.contains(address) }
    }
}
