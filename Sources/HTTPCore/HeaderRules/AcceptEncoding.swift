/// `Accept-Encoding` (RFC 9110 §12.5.3) as weights, for everything that picks a content coding: the compression
/// middleware and the file server's precompressed siblings.
package struct AcceptEncoding: Sendable {
    private var weights: [String: Double] = [:]

    /// Parses every `Accept-Encoding` value: names lower-cased, `q` clamped to 0…1 (an unreadable `q` is 0).
    package init(_ values: [String]) {
        for value in values {
            for item in value.split(separator: ",") {
                let parts = item.split(separator: ";")
                guard let name = parts.first?.trimmingOWS.lowercased(), !name.isEmpty else { continue }
                var quality = 1.0
                for parameter in parts.dropFirst() {
                    let pair = parameter.split(separator: "=", maxSplits: 1)
                    if pair.count == 2, pair[0].trimmingOWS.lowercased() == "q" {
                        quality = Double(pair[1].trimmingOWS).map { min(1, max(0, $0)) } ?? 0
                    }
                }
                self.weights[name] = max(self.weights[name] ?? 0, quality)
            }
        }
    }

    /// The weight of `coding` (`gzip` also answers to `x-gzip`; `*` stands for codings not named); 0 refuses it.
    package func quality(of coding: String) -> Double {
        self.weights[coding] ?? (coding == "gzip" ? self.weights["x-gzip"] : nil) ?? self.weights["*"] ?? 0
    }
}
