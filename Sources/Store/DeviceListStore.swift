/// Outbound device-list pokes still waiting per destination, and the room changes not yet
/// turned into pokes. Every query is bounded: counts stop at `cap`.
public enum DeviceListStore {
    /// A destination's newest poke (`n`) and oldest poke (`o`), joined to each row: one probe
    /// each of the (destination, stream_id) index. Their stream ids say whether a count still
    /// stands (`Basis`).
    static func ends(of destination: String) -> String {
        """
        LEFT JOIN LATERAL (SELECT p.sent, p.stream_id, p.ts FROM device_lists_outbound_pokes p
                           WHERE p.destination = \(destination) ORDER BY p.stream_id DESC LIMIT 1) n ON true
        LEFT JOIN LATERAL (SELECT p.stream_id, p.ts FROM device_lists_outbound_pokes p
                           WHERE p.destination = \(destination) ORDER BY p.stream_id LIMIT 1) o ON true
        """
    }

    /// Destinations that have poke rows, found one index probe at a time (a loose index scan
    /// over (destination, stream_id)) instead of a GROUP BY over the whole table. The limit
    /// sits before the joins: after it, a hash join would pull the whole walk first. For each, two
    /// single-row probes of the same index: its newest poke (whether it is still unsent: Synapse
    /// deletes pokes once acknowledged, oldest first, so an unsent newest poke means a backlog is
    /// building) and its oldest kept poke; and its retry state. The two probes' stream ids and
    /// the newest poke's time say whether a count held from before still stands (`Counted`).
    public static let destinationsSQL: String = """
        WITH RECURSIVE d(destination) AS (
            (SELECT destination FROM device_lists_outbound_pokes ORDER BY destination LIMIT 1)
            UNION ALL
            SELECT (SELECT p.destination FROM device_lists_outbound_pokes p
                    WHERE p.destination > d.destination ORDER BY p.destination LIMIT 1)
            FROM d WHERE d.destination IS NOT NULL
        )
        SELECT d.destination, n.sent AS newest_sent, n.stream_id AS newest_id, n.ts AS newest_ts,
               o.ts AS oldest_ts, o.stream_id AS oldest_id, t.retry_interval, t.failure_ts
        FROM (SELECT destination FROM d WHERE destination IS NOT NULL LIMIT $1) d
        \(ends(of: "d.destination"))
        LEFT JOIN destinations t ON t.destination = d.destination
        """

    /// Waiting (not yet sent) pokes of chosen destinations: `sent` is not in any index, so this
    /// visits rows, and is asked only for the destinations that matter (down, or building a
    /// backlog), each read newest first and no further than the cap.
    /// One destination at a time: with the name as a constant the planner walks the stream
    /// index and stops at the cap (through unnest() it does not).
    public static let pendingSQL = """
        SELECT $1::text AS destination,
               (SELECT count(*) FROM (SELECT 1 FROM device_lists_outbound_pokes p
                                      WHERE p.destination = $1 AND NOT p.sent
                                      ORDER BY p.stream_id DESC LIMIT $2) c) AS pending,
               (SELECT p.ts FROM device_lists_outbound_pokes p
                WHERE p.destination = $1 AND NOT p.sent ORDER BY p.stream_id LIMIT 1) AS oldest_pending_ts,
               (SELECT count(DISTINCT u.user_id) FROM (SELECT p.user_id FROM device_lists_outbound_pokes p
                                      WHERE p.destination = $1 AND NOT p.sent
                                      ORDER BY p.stream_id DESC LIMIT $2) u) AS users,
               (SELECT max(r.ts) FROM (SELECT p.ts, p.sent FROM device_lists_outbound_pokes p
                                      WHERE p.destination = $1
                                      ORDER BY p.stream_id DESC LIMIT $2) r WHERE r.sent) AS newest_sent_ts
        """

    /// One destination's waiting pokes by user: the newest `cap` waiting pokes, grouped.
    public static let destinationUsersSQL = """
        SELECT w.user_id, count(*) AS pokes, min(w.ts) AS oldest_ts, max(w.stream_id) AS newest_stream_id
        FROM (SELECT p.user_id, p.ts, p.stream_id FROM device_lists_outbound_pokes p
              WHERE p.destination = $1 AND NOT p.sent
              ORDER BY p.stream_id DESC LIMIT $2) w
        GROUP BY w.user_id ORDER BY count(*) DESC, w.user_id LIMIT 500
        """

    /// A user's devices, hidden ones (cross-signing keys) left out.
    public static let devicesSQL = """
        SELECT device_id, display_name, last_seen FROM devices
        WHERE user_id = $1 AND NOT hidden ORDER BY device_id LIMIT 500
        """

    /// A user's newest device-list changes. The index is on (user_id, device_id), so this
    /// sorts the user's own rows, never the stream.
    public static let userChangesSQL = """
        SELECT stream_id, device_id, instance_name FROM device_lists_stream
        WHERE user_id = $1 ORDER BY stream_id DESC LIMIT 100
        """

    /// How many destinations get their waiting pokes counted.
    public static let detailed = 50

    /// How many of a destination's newest waiting pokes its drill-down groups by user.
    public static let detailCap = 1000

    /// Destinations Synapse marked down, longest down first, wherever their name sorts: the
    /// listing above stops after its first names. `destinations` holds one row per remote
    /// server and has no index on the retry state, so this reads that table whole; it is the
    /// number of servers ever contacted, not of pokes. Each gets the listing's two probes.
    public static let downSQL = """
        SELECT t.destination, t.retry_interval, t.failure_ts, n.stream_id AS newest_id, n.ts AS newest_ts,
               o.stream_id AS oldest_id
        FROM (SELECT destination, retry_interval, failure_ts FROM destinations
              WHERE retry_interval > 0 ORDER BY failure_ts NULLS LAST, destination LIMIT $1) t
        \(ends(of: "t.destination"))
        ORDER BY t.failure_ts NULLS LAST, t.destination
        """

    /// How many destinations the listing walks, by name.
    public static let listed = 200

    /// The destinations whose waiting pokes are worth counting: marked down, or with an unsent
    /// newest poke; the longest down, then those with the oldest pokes, first.
    public static func pendingCandidates(_ listed: PGRows, down: PGRows = PGRows(columns: [], rows: [])) -> [String] {
        let marked = down.rows.indices.compactMap { down.value($0, "destination") }
        let chosen = listed.rows.indices.filter {
            (listed.value($0, "retry_interval").flatMap { Int64($0) } ?? 0) > 0 || listed.value($0, "newest_sent") == "f"
        }
        let ranked = chosen.sorted {
            (listed.value($0, "oldest_ts").flatMap { Double($0) } ?? .infinity)
                < (listed.value($1, "oldest_ts").flatMap { Double($0) } ?? .infinity)
        }.compactMap { listed.value($0, "destination") }
        var seen = Set<String>()
        return (marked + ranked).filter { seen.insert($0).inserted }.prefix(detailed).map { $0 }
    }

    /// The Pokes panel's answer: waiting pokes per destination, and the conversion position.
    public struct Pokes: Equatable, Sendable {
        public var destinations: [Destination]
        public var conversion: Conversion
        /// The counts behind `destinations`, for the next read to keep what still stands, and
        /// the cap they were counted to.
        public var counted: [String: Counted]
        public var cap: Int?
        /// When it was read; nil until the read is done.
        public var readAt: Double?

        public init(destinations: [Destination], conversion: Conversion, counted: [String: Counted] = [:], cap: Int? = nil) {
            self.destinations = destinations
            self.conversion = conversion
            self.counted = counted
            self.cap = cap
        }

        /// The answer once its read at `at` is done: the counts it made are stamped with it.
        public func marked(at: Double) -> Pokes {
            var pokes = self
            pokes.readAt = at
            for name in counted.keys { pokes.counted[name]?.basis.mark(at: at) }
            return pokes
        }
    }

    /// A destination's waiting pokes (`pendingSQL`'s row).
    public struct Waiting: Equatable, Sendable {
        public var pending: Int
        public var oldestPendingAt: Double?
        public var users: Int
        public var newestSentAt: Double?
    }

    /// What a count of a destination's pokes rests on. Synapse adds a destination's pokes with
    /// new stream ids, never changes one, and deletes them oldest first once sent, so a count
    /// stands while the destination's oldest and newest poke stay the same, with two exceptions:
    /// a poke may commit after a newer one (another writer's, or another transaction of the
    /// same one), so a count is final only once the newest poke it saw is older than
    /// `ChangeCursor.settleSeconds` (by Synapse's clock against syntop's: a skew between the
    /// two hosts moves that much); and the hourly prune of day-old pokes deletes in between, so
    /// a count is made again after `recountSeconds`.
    public struct Basis: Equatable, Sendable {
        /// The destination's oldest and newest poke (stream ids) when counted.
        public var oldest: Int64?
        public var newest: Int64?
        /// When the newest poke was made (unix seconds).
        public var newestAt: Double?
        /// When it was counted; nil until the read is done.
        public var countedAt: Double?
        /// No poke could still commit below the newest one counted.
        public var settled = false

        init(_ bounds: Bounds?) {
            oldest = bounds?.oldest
            newest = bounds?.newest
            newestAt = bounds?.newestAt
        }

        /// Stamped with the time of the read that made the count.
        public mutating func mark(at: Double) {
            guard countedAt == nil else { return }
            countedAt = at
            settled = newestAt.map { at - $0 >= ChangeCursor.settleSeconds } ?? true
        }

        /// When the count was made, if it still stands given what the destination's pokes are
        /// now; nil when it does not.
        func stands(_ current: Bounds?) -> Double? {
            guard let countedAt, settled, let current, current.oldest != nil, oldest == current.oldest,
                  newest == current.newest else { return nil }
            return countedAt
        }
    }

    /// A destination's waiting pokes as counted, and what the count rests on.
    public struct Counted: Equatable, Sendable {
        public var waiting: Waiting
        public var basis: Basis
    }

    /// Seconds a count is kept while nothing shows it moved; counts come due spread over it.
    /// Only Synapse's prune, hourly and of day-old pokes, changes a count without moving its
    /// destination's ends, so ten minutes bound that lag, at five counts a minute for the 50
    /// destinations counted.
    public static let recountSeconds = 600.0

    /// What the listing (or the down list) says of a destination's pokes now.
    struct Bounds: Equatable {
        var oldest: Int64?
        var newest: Int64?
        var newestAt: Double?
    }

    static func bounds(_ rows: PGRows) -> [String: Bounds] {
        var bounds: [String: Bounds] = [:]
        for index in rows.rows.indices {
            guard let name = rows.value(index, "destination") else { continue }
            bounds[name] = Bounds(oldest: rows.value(index, "oldest_id").flatMap { Int64($0) },
                                  newest: rows.value(index, "newest_id").flatMap { Int64($0) },
                                  newestAt: rows.value(index, "newest_ts").flatMap { Double($0) }.map { $0 / 1000 })
        }
        return bounds
    }

    /// Which candidates are counted this round, given the counts `held` (read at `heldAt`) and
    /// the time `now`: every one whose pokes moved, was never counted or not settled, and of
    /// those older than `recountSeconds`, the oldest, as many as make every count come due
    /// again within that time plus one refresh (whatever the refresh); the others keep theirs.
    static func toCount(_ candidates: [String], probed: [String: Bounds], held: [String: Counted], heldAt: Double?,
                        now: Double) -> (count: [String], kept: [String: Counted]) {
        var count: [String] = []
        var due: [(String, Double)] = []
        var kept: [String: Counted] = [:]
        for name in candidates {
            guard let counted = held[name], let at = counted.basis.stands(probed[name]) else {
                count.append(name)
                continue
            }
            kept[name] = counted
            due.append((name, at))
        }
        let elapsed = now - (heldAt ?? 0)
        let share = Int((Double(candidates.count) * elapsed / recountSeconds).rounded(.up))
        for (name, _) in due.filter({ now - $0.1 >= recountSeconds }).sorted(by: { $0.1 < $1.1 }).prefix(max(1, share)) {
            kept[name] = nil
            count.append(name)
        }
        return (count, kept)
    }

    /// The Pokes panel's read in two rounds: the first lists destinations and the conversion
    /// position; the second, chosen from the first's rows, counts what waits (capped at `cap`)
    /// where a count `held` from the last read (at `now`) does not still stand.
    public static func pokes(cap: Int, held: Pokes? = nil, now: Double = 0) -> ReadPlan<Pokes> {
        ReadPlan([Statement(.destinations, [String(listed)]), Statement(.down, [String(detailed)]),
                  Statement(.conversion)]) { first in
            let candidates = pendingCandidates(first[.destinations], down: first[.down])
            // A listing that failed says nothing of what moved.
            let probed = first.errors.isEmpty ? bounds(first[.down]).merging(bounds(first[.destinations])) { $1 } : [:]
            let (counting, kept) = toCount(candidates, probed: probed, held: held?.cap == cap ? held?.counted ?? [:] : [:],
                                           heldAt: held?.readAt, now: now)
            let position = first[.conversion].rows.isEmpty ? "0" : first[.conversion].value(0, "stream_id") ?? "0"
            let second = [Statement(.unconverted, [position, String(cap)])]
                + counting.map { Statement(.pending, [$0, String(cap)]) }
            return .more(.round(second) { rows in
                // A count that failed has no row: that destination alone is counted next round.
                var counted = kept
                for (name, waiting) in waiting(rows.all(.pending)) {
                    counted[name] = Counted(waiting: waiting, basis: Basis(probed[name]))
                }
                return Pokes(destinations: destinations(listed: first[.destinations], down: first[.down],
                                                        waiting: counted.mapValues(\.waiting), cap: cap),
                             conversion: conversion(position: first[.conversion], unconverted: rows[.unconverted], cap: cap),
                             counted: counted, cap: cap)
            })
        }
    }

    /// One destination's waiting pokes by user (the drill-down), with what the count rests on;
    /// a count `held` from the last read (at `now`) is kept while it stands.
    public static func destinationUsers(_ destination: String, held: ([UserPokes], Basis)? = nil,
                                        now: Double = 0) -> ReadPlan<([UserPokes], Basis)> {
        let probe = Statement(.destinationBounds, [destination])
        let users = Statement(.destinationUsers, [destination, String(detailCap)])
        guard let held else {
            return .round([probe, users]) { (destinationUsers($0[.destinationUsers]), Basis(bounds($0[.destinationBounds])[destination])) }
        }
        return ReadPlan([probe]) { first in
            let current = bounds(first[.destinationBounds])[destination]
            if first.errors.isEmpty, let at = held.1.stands(current), now - at < recountSeconds { return .done(held) }
            return .more(.round([users]) { (destinationUsers($0[.destinationUsers]), Basis(current)) })
        }
    }

    /// A destination's oldest and newest poke: the listing's two probes, for one destination.
    public static let destinationBoundsSQL = """
        SELECT $1::text AS destination, n.stream_id AS newest_id, n.ts AS newest_ts, o.stream_id AS oldest_id
        FROM (SELECT 1) x
        \(ends(of: "$1"))
        """

    /// A user's devices and recent device-list changes (the drill-down).
    public static func userDevices(_ user: String) -> ReadPlan<([Device], [DeviceChange])> {
        .round([Statement(.devices, [user]), Statement(.userChanges, [user])]) { (devices($0[.devices]), userChanges($0[.userChanges])) }
    }

    public static let conversionSQL = """
        SELECT stream_id, room_id, instance_name FROM device_lists_changes_converted_stream_position
        """

    /// Room changes above the conversion position; the bound comes as a parameter, since one
    /// taken from a subquery can make the planner scan the whole table.
    public static let unconvertedSQL = """
        SELECT count(*) AS unconverted FROM (
            SELECT 1 FROM device_lists_changes_in_room WHERE stream_id > $1 ORDER BY stream_id LIMIT $2) c
        """

    public struct Destination: Equatable, Sendable, Codable {
        public var destination: String
        /// Unix seconds of the oldest poke kept for the destination, waiting or not.
        public var oldestAt: Double?
        /// Waiting pokes, counted up to the cap; nil when not counted (neither down nor building
        /// a backlog, or beyond the first `detailed`).
        public var pending: Int?
        public var pendingCapped: Bool
        /// Unix seconds of the oldest waiting poke.
        public var oldestPendingAt: Double?
        /// Distinct users among the newest `cap` waiting pokes.
        public var users: Int?
        /// Unix seconds at which the newest poke already sent was made, among the newest `cap`.
        public var newestSentAt: Double?
        public var retryIntervalMs: Int64?
        /// When the destination was marked down (unix seconds), while it is.
        public var downSince: Double?
    }

    public struct Conversion: Equatable, Sendable, Codable {
        public var streamId: Int64?
        public var roomId: String?
        /// The first device_lists writer, which converts room changes into pokes.
        public var instance: String?
        public var unconverted: Int
        public var unconvertedCapped: Bool
    }

    /// `pendingSQL`'s rows, by destination.
    public static func waiting(_ pending: [PGRows]) -> [String: Waiting] {
        var waiting: [String: Waiting] = [:]
        for rows in pending where !rows.rows.isEmpty {
            guard let name = rows.value(0, "destination") else { continue }
            waiting[name] = Waiting(pending: rows.value(0, "pending").flatMap { Int($0) } ?? 0,
                                    oldestPendingAt: rows.value(0, "oldest_pending_ts").flatMap { Double($0) }.map { $0 / 1000 },
                                    users: rows.value(0, "users").flatMap { Int($0) } ?? 0,
                                    newestSentAt: rows.value(0, "newest_sent_ts").flatMap { Double($0) }.map { $0 / 1000 })
        }
        return waiting
    }

    /// Destinations with something waiting or marked down, worst first (most waiting, then
    /// the oldest); `waiting` holds what was counted of each candidate.
    public static func destinations(listed: PGRows, down: PGRows = PGRows(columns: [], rows: []), waiting counts: [String: Waiting],
                                    cap: Int) -> [Destination] {
        // Destinations marked down but beyond the listing, with what `destinations` says.
        let listedNames = Set(listed.rows.indices.compactMap { listed.value($0, "destination") })
        let columns = ["destination", "retry_interval", "failure_ts"]
        let extra = down.rows.indices.filter { down.value($0, "destination").map { !listedNames.contains($0) } ?? false }
        let rows = PGRows(columns: columns,
                          rows: listed.rows.indices.map { index in columns.map { listed.value(index, $0) } }
                              + extra.map { index in columns.map { down.value(index, $0) } })
        let oldest = Dictionary(listed.rows.indices.compactMap { index in
            listed.value(index, "destination").map { ($0, listed.value(index, "oldest_ts")) }
        }, uniquingKeysWith: { a, _ in a })
        let all = rows.rows.indices.map { index -> Destination in
            let name = rows.value(index, "destination") ?? ""
            let interval = rows.value(index, "retry_interval").flatMap { Int64($0) }
            let failure = rows.value(index, "failure_ts").flatMap { Double($0) }
            let detail = counts[name]
            return Destination(
                destination: name,
                oldestAt: (oldest[name] ?? nil).flatMap { Double($0) }.map { $0 / 1000 } ?? detail?.oldestPendingAt,
                pending: detail?.pending, pendingCapped: (detail?.pending ?? 0) >= cap, oldestPendingAt: detail?.oldestPendingAt,
                users: detail?.users, newestSentAt: detail?.newestSentAt, retryIntervalMs: interval,
                downSince: (interval ?? 0) > 0 ? failure.map { $0 / 1000 } : nil)
        }
        return all.filter { ($0.pending ?? 0) > 0 || $0.downSince != nil }.sorted {
            ($0.pending ?? 0, -($0.oldestAt ?? .infinity)) > ($1.pending ?? 0, -($1.oldestAt ?? .infinity))
        }
    }

    public static func conversion(position: PGRows, unconverted: PGRows, cap: Int) -> Conversion {
        let count = unconverted.value(0, "unconverted").flatMap { Int($0) } ?? 0
        return Conversion(streamId: position.rows.isEmpty ? nil : position.value(0, "stream_id").flatMap { Int64($0) },
                          roomId: position.rows.isEmpty ? nil : position.value(0, "room_id"),
                          instance: position.rows.isEmpty ? nil : position.value(0, "instance_name"),
                          unconverted: count, unconvertedCapped: count >= cap)
    }

    public struct UserPokes: Equatable, Sendable, Codable {
        public var userId: String
        public var pokes: Int
        public var oldestAt: Double?
        public var newestStreamId: Int64?
    }

    public static func destinationUsers(_ rows: PGRows) -> [UserPokes] {
        rows.rows.indices.map { index in
            UserPokes(userId: rows.value(index, "user_id") ?? "", pokes: rows.value(index, "pokes").flatMap { Int($0) } ?? 0,
                      oldestAt: rows.value(index, "oldest_ts").flatMap { Double($0) }.map { $0 / 1000 },
                      newestStreamId: rows.value(index, "newest_stream_id").flatMap { Int64($0) })
        }
    }

    public struct Device: Equatable, Sendable, Codable {
        public var deviceId: String
        public var displayName: String?
        /// Unix seconds of the device's last request.
        public var lastSeen: Double?
    }

    public static func devices(_ rows: PGRows) -> [Device] {
        rows.rows.indices.map { index in
            Device(deviceId: rows.value(index, "device_id") ?? "", displayName: rows.value(index, "display_name"),
                   lastSeen: rows.value(index, "last_seen").flatMap { Double($0) }.map { $0 / 1000 })
        }
    }

    public struct DeviceChange: Equatable, Sendable, Codable {
        public var streamId: Int64
        public var deviceId: String
        public var instance: String?
    }

    public static func userChanges(_ rows: PGRows) -> [DeviceChange] {
        rows.rows.indices.compactMap { index in
            guard let id = rows.value(index, "stream_id").flatMap({ Int64($0) }) else { return nil }
            return DeviceChange(streamId: id, deviceId: rows.value(index, "device_id") ?? "",
                                instance: rows.value(index, "instance_name"))
        }
    }
}
