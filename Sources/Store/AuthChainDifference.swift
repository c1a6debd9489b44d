/// The auth-chain difference of a room's state sets: the events in the auth chain of some set
/// but not of every set, which state resolution v2 must order and check. Synapse computes it
/// from its chain cover index when the room has one, and by walking `event_auth` otherwise;
/// both are here as pure steps over rows read by `RoomDetailStore`.
public enum AuthChainDifference {
    /// How a difference was computed, or why it was not.
    public struct Result: Equatable, Sendable, Codable {
        public enum Method: String, Equatable, Sendable, Codable {
            case chainCover = "chain cover index"
            case authWalk = "event_auth walk"
        }

        public var method: Method?
        /// Distinct state groups among the extremities (one needs no resolution).
        public var stateSets: Int
        /// The difference's size; nil when it was not computed to the end.
        public var events: Int?
        /// The cap it went past: the room answers "over N".
        public var over: Int?
        /// Why there is no figure, for the operator.
        public var note: String?
        /// The extremities it was computed for, to reuse while they stay.
        public var extremities: [String]
        /// A read failed (the statement timeout, mostly): worth trying again later, unlike a cap.
        public var failed: Bool
        /// Unix seconds when the console first had it (not part of the JSON answer).
        public var computedAt: Double?

        public init(method: Method?, stateSets: Int, events: Int? = nil, over: Int? = nil, note: String? = nil,
                    extremities: [String], failed: Bool = false) {
            self.method = method
            self.stateSets = stateSets
            self.events = events
            self.over = over
            self.note = note
            self.extremities = extremities
            self.failed = failed
        }

        enum CodingKeys: String, CodingKey {
            case method, stateSets, events, over, note, extremities, failed
        }

        /// "12 events", "over 50000 events", or why there is no figure.
        public var summary: String {
            if let events { return "\(events) event\(events == 1 ? "" : "s")" + (note.map { " · \($0)" } ?? "") }
            return note ?? over.map { "over \($0) events" } ?? "not computed"
        }
    }

    // MARK: The chain cover index

    /// One link of the index: from a position of one chain to a position of another that it
    /// reaches (its auth events there).
    public struct Link: Equatable, Sendable {
        public var originSequence: Int64
        public var targetChain: Int64
        public var targetSequence: Int64

        public init(originSequence: Int64, targetChain: Int64, targetSequence: Int64) {
            self.originSequence = originSequence
            self.targetChain = targetChain
            self.targetSequence = targetSequence
        }
    }

    /// Every chain position a state set reaches: for each chain, the highest sequence number
    /// reachable from the set's own positions through the links (a chain holds each of its
    /// positions' predecessors in its auth chain).
    public static func reach(_ start: [Int64: Int64], links: [Int64: [Link]]) -> [Int64: Int64] {
        var reached = start
        var stack = start.map { ($0.key, $0.value) }
        while let (chain, sequence) = stack.popLast() {
            for link in links[chain] ?? [] where link.originSequence <= sequence {
                if reached[link.targetChain, default: 0] < link.targetSequence {
                    reached[link.targetChain] = link.targetSequence
                    stack.append((link.targetChain, link.targetSequence))
                }
            }
        }
        return reached
    }

    /// A range of one chain's positions, `low` exclusive and `high` inclusive.
    public struct Gap: Equatable, Sendable {
        public var chain: Int64
        public var low: Int64
        public var high: Int64
    }

    /// The difference as chain ranges: on each chain, the positions some set reaches and
    /// another does not are those above the lowest reach up to the highest (a set that misses
    /// the chain reaches 0). Its events are the index's rows in those ranges.
    public static func gaps(_ sets: [[Int64: Int64]], links: [Int64: [Link]]) -> [Gap] {
        let reached = sets.map { reach($0, links: links) }
        var chains = Set<Int64>()
        for set in reached { chains.formUnion(set.keys) }
        return chains.sorted().compactMap { chain in
            let positions = reached.map { $0[chain] ?? 0 }
            let (low, high) = (positions.min()!, positions.max()!)
            return low < high ? Gap(chain: chain, low: low, high: high) : nil
        }
    }

    /// The difference's size where every position of the ranges holds an event (a chain's
    /// sequence numbers run 1, 2, 3, ...; a purge can leave holes, which the read counts).
    public static func chainCoverCount(_ sets: [[Int64: Int64]], links: [Int64: [Link]]) -> Int {
        Int(gaps(sets, links: links).reduce(0) { $0 + $1.high - $1.low })
    }

    // MARK: The walk over event_auth, for rooms without the index

    /// Synapse's fallback as a value that takes rows and says what to read next: the auth
    /// graphs of all state sets walked together, deepest first, marking which sets reach each
    /// event. Synapse also stops once every event still to walk is reached by every set; that
    /// can leave counted an event walked earlier that one of those would have shown reached
    /// (the unit tests found such graphs), so this walks to the end, bounded by `cap`.
    public struct Walk: Sendable {
        /// Event → the sets that do not reach it (yet).
        var missing: [String: Set<Int>] = [:]
        /// Event → its auth events, as walked.
        var auth: [String: Set<String>] = [:]
        /// Events still to walk, with their depth, deepest last.
        var search: [(depth: Int64, event: String)] = []
        /// The most events it visits before answering "over".
        public let cap: Int
        public private(set) var exceeded = false

        public static let batchSize = 100

        /// `depths`: each state event's depth; one the events table does not hold is not walked.
        public init(stateSets: [Set<String>], depths: [String: Int64], cap: Int) {
            self.cap = cap
            var all = Set<String>()
            for set in stateSets { all.formUnion(set) }
            for event in all {
                missing[event] = Set(stateSets.indices.filter { !stateSets[$0].contains(event) })
                if let depth = depths[event] { search.append((depth, event)) }
            }
            sortSearch()
        }

        mutating func sortSearch() {
            search.sort { $0.depth != $1.depth ? $0.depth < $1.depth : $0.event < $1.event }
        }

        /// The next events whose auth events to read, or nil when the walk is over.
        public mutating func next() -> [String]? {
            guard !exceeded, !search.isEmpty else { return nil }
            // Every walk still open is reached by every set: nothing more can differ.
            let take = min(Self.batchSize, search.count)
            let batch = search.suffix(take).map(\.event)
            search.removeLast(take)
            return batch
        }

        /// The auth events the last batch has: (event, auth event, auth event's depth).
        public mutating func take(_ found: [(event: String, auth: String, depth: Int64)]) {
            for (event, authEvent, depth) in found {
                auth[event, default: []].insert(authEvent)
                let reachers = missing[event] ?? []
                if let known = missing[authEvent] {
                    // Seen before through another event: it and its ancestors are also reached
                    // by whatever reaches this one.
                    var ancestors = auth[authEvent] ?? []
                    var visited = Set<String>()
                    while !ancestors.isEmpty {
                        var next = Set<String>()
                        for ancestor in ancestors where visited.insert(ancestor).inserted {
                            missing[ancestor]?.formIntersection(reachers)
                            next.formUnion(auth[ancestor] ?? [])
                        }
                        ancestors = next
                    }
                    missing[authEvent] = known.intersection(reachers)
                } else {
                    if missing.count >= cap {
                        exceeded = true
                        return
                    }
                    missing[authEvent] = reachers
                    search.append((depth, authEvent))
                }
            }
            sortSearch()
        }

        /// Events not reached by every set: the difference, once `next()` is nil.
        public var count: Int { missing.values.filter { !$0.isEmpty }.count }
    }
}
