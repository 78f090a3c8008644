import CoreMetrics
import HTTPCore
import NIOCore
import Synchronization

// Which server of an upstream takes a request: balancing over the healthy ones.
extension Upstream {
    /// How requests are spread over the servers.
    public struct Balancing: Sendable, Hashable {
        enum Kind: Hashable { case roundRobin, leastConnections }
        let kind: Kind
        /// Each server in turn.
        public static var roundRobin: Self { Self(kind: .roundRobin) }
        /// The server with the fewest requests in flight.
        public static var leastConnections: Self { Self(kind: .leastConnections) }
    }

    func choose(excluding tried: [Int]) -> Int {
        if self.servers.count == 1 { return 0 }  // the common case: nothing to choose, nothing to allocate
        let now = NIODeadline.now()
        var candidates = self.servers.indices.filter { !tried.contains($0) && self.servers[$0].health.withLock { $0.downUntil <= now } }
        if candidates.isEmpty { candidates = self.servers.indices.filter { !tried.contains($0) } }
        if candidates.isEmpty { candidates = Array(self.servers.indices) }
        let turn = self.next.wrappingAdd(1, ordering: .relaxed).oldValue
        switch self.configuration.balancing.kind {
        case .roundRobin:
            return candidates[turn % candidates.count]
        case .leastConnections:
            let loads = candidates.map { self.servers[$0].pool.activeRequests }
            let least = loads.min() ?? 0
            let tied = candidates.indices.filter { loads[$0] == least }.map { candidates[$0] }
            return tied[turn % tied.count]
        }
    }
}
