/// Outbound device-list pokes still waiting per destination, and the room changes not yet
/// turned into pokes. Every query is bounded: counts stop at `cap`.
public enum DeviceListStore {
    /// Destinations that have poke rows, found one index probe at a time (a loose index scan
    /// over (destination, stream_id)) instead of a GROUP BY over the whole table. The limit
    /// sits before the join: after it, a hash join would pull the whole walk first. For each, two
    /// single-row probes of the same index: whether its newest poke is still unsent (Synapse
    /// deletes pokes once acknowledged, oldest first, so an unsent newest poke means a backlog is
    /// building) and when its oldest kept poke was made; and its retry state.
    public static let destinationsSQL = """
        WITH RECURSIVE d(destination) AS (
            (SELECT destination FROM device_lists_outbound_pokes ORDER BY destination LIMIT 1)
            UNION ALL
            SELECT (SELECT p.destination FROM device_lists_outbound_pokes p
                    WHERE p.destination > d.destination ORDER BY p.destination LIMIT 1)
            FROM d WHERE d.destination IS NOT NULL
        )
        SELECT d.destination,
               (SELECT p.sent FROM device_lists_outbound_pokes p
                WHERE p.destination = d.destination ORDER BY p.stream_id DESC LIMIT 1) AS newest_sent,
               (SELECT p.ts FROM device_lists_outbound_pokes p
                WHERE p.destination = d.destination ORDER BY p.stream_id LIMIT 1) AS oldest_ts,
               t.retry_interval, t.failure_ts
        FROM (SELECT destination FROM d WHERE destination IS NOT NULL LIMIT $1) d
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
    /// number of servers ever contacted, not of pokes.
    public static let downSQL = """
        SELECT destination, retry_interval, failure_ts FROM destinations
        WHERE retry_interval > 0 ORDER BY failure_ts NULLS LAST, destination LIMIT $1
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

        public init(destinations: [Destination], conversion: Conversion) {
            self.destinations = destinations
            self.conversion = conversion
        }
    }

    /// The Pokes panel's read in two rounds: the first lists destinations and the conversion
    /// position; the second, chosen from the first's rows, counts what waits (capped at `cap`).
    public static func pokes(cap: Int) -> ReadPlan<Pokes> {
        ReadPlan([Statement(.destinations, [String(listed)]), Statement(.down, [String(detailed)]),
                  Statement(.conversion)]) { first in
            let candidates = pendingCandidates(first[.destinations], down: first[.down])
            let position = first[.conversion].rows.isEmpty ? "0" : first[.conversion].value(0, "stream_id") ?? "0"
            let second = [Statement(.unconverted, [position, String(cap)])]
                + candidates.map { Statement(.pending, [$0, String(cap)]) }
            return .more(.round(second) { rows in
                Pokes(destinations: destinations(listed: first[.destinations], down: first[.down], pending: rows.all(.pending),
                                                 cap: cap),
                      conversion: conversion(position: first[.conversion], unconverted: rows[.unconverted], cap: cap))
            })
        }
    }

    /// One destination's waiting pokes by user (the drill-down).
    public static func destinationUsers(_ destination: String) -> ReadPlan<[UserPokes]> {
        .round([Statement(.destinationUsers, [destination, String(detailCap)])]) { destinationUsers($0[.destinationUsers]) }
    }

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

    /// Destinations with something waiting or marked down, worst first (most waiting, then
    /// the oldest).
    /// `pending` holds the rows of `pendingSQL` for each candidate.
    public static func destinations(listed: PGRows, down: PGRows = PGRows(columns: [], rows: []), pending: [PGRows],
                                    cap: Int) -> [Destination] {
        var waiting: [String: (Int, Double?, Int, Double?)] = [:]
        for rows in pending where !rows.rows.isEmpty {
            guard let name = rows.value(0, "destination") else { continue }
            waiting[name] = (rows.value(0, "pending").flatMap { Int($0) } ?? 0,
                             rows.value(0, "oldest_pending_ts").flatMap { Double($0) }.map { $0 / 1000 },
                             rows.value(0, "users").flatMap { Int($0) } ?? 0,
                             rows.value(0, "newest_sent_ts").flatMap { Double($0) }.map { $0 / 1000 })
        }
        // Destinations marked down but beyond the listing, with what `destinations` says.
        let listedNames = Set(listed.rows.indices.compactMap { listed.value($0, "destination") })
        let extra = down.rows.filter { ($0.first ?? nil).map { !listedNames.contains($0) } ?? false }
        let rows = PGRows(columns: ["destination", "retry_interval", "failure_ts"],
                          rows: listed.rows.indices.map { index in
                              ["destination", "retry_interval", "failure_ts"].map { listed.value(index, $0) }
                          } + extra)
        let oldest = Dictionary(listed.rows.indices.compactMap { index in
            listed.value(index, "destination").map { ($0, listed.value(index, "oldest_ts")) }
        }, uniquingKeysWith: { a, _ in a })
        let all = rows.rows.indices.map { index -> Destination in
            let name = rows.value(index, "destination") ?? ""
            let interval = rows.value(index, "retry_interval").flatMap { Int64($0) }
            let failure = rows.value(index, "failure_ts").flatMap { Double($0) }
            let detail = waiting[name]
            return Destination(
                destination: name,
                oldestAt: (oldest[name] ?? nil).flatMap { Double($0) }.map { $0 / 1000 } ?? detail?.1,
                pending: detail?.0, pendingCapped: (detail?.0 ?? 0) >= cap, oldestPendingAt: detail?.1,
                users: detail?.2, newestSentAt: detail?.3, retryIntervalMs: interval,
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
