/// Outbound device-list pokes still waiting per destination, and the room changes not yet
/// turned into pokes. Every query is bounded: counts stop at `cap`.
public enum DeviceListStore {
    /// Destinations that have poke rows, found one index probe at a time (a loose index scan
    /// over (destination, stream_id)) instead of a GROUP BY over the whole table.
    public static let destinationsSQL = """
        WITH RECURSIVE d(destination) AS (
            (SELECT destination FROM device_lists_outbound_pokes ORDER BY destination LIMIT 1)
            UNION ALL
            SELECT (SELECT p.destination FROM device_lists_outbound_pokes p
                    WHERE p.destination > d.destination ORDER BY p.destination LIMIT 1)
            FROM d WHERE d.destination IS NOT NULL
        )
        SELECT d.destination,
               (SELECT count(*) FROM (SELECT 1 FROM device_lists_outbound_pokes p
                                      WHERE p.destination = d.destination AND NOT p.sent
                                      ORDER BY p.stream_id DESC LIMIT $2) c) AS pending,
               (SELECT p.ts FROM device_lists_outbound_pokes p
                WHERE p.destination = d.destination AND NOT p.sent
                ORDER BY p.stream_id LIMIT 1) AS oldest_pending_ts,
               (SELECT count(DISTINCT u.user_id) FROM (SELECT p.user_id FROM device_lists_outbound_pokes p
                                      WHERE p.destination = d.destination AND NOT p.sent
                                      ORDER BY p.stream_id DESC LIMIT $2) u) AS users,
               t.retry_last_ts, t.retry_interval, t.failure_ts
        FROM d LEFT JOIN destinations t ON t.destination = d.destination
        WHERE d.destination IS NOT NULL
        LIMIT $1
        """

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
        /// Waiting pokes, counted up to the cap.
        public var pending: Int
        public var pendingCapped: Bool
        /// Unix seconds of the oldest waiting poke.
        public var oldestPendingAt: Double?
        /// Distinct users among the newest `cap` waiting pokes.
        public var users: Int
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

    /// Destinations with something waiting, worst first (most pending, then oldest).
    public static func destinations(_ rows: PGRows, cap: Int) -> [Destination] {
        let all = rows.rows.indices.map { index -> Destination in
            let pending = rows.value(index, "pending").flatMap { Int($0) } ?? 0
            let interval = rows.value(index, "retry_interval").flatMap { Int64($0) }
            let failure = rows.value(index, "failure_ts").flatMap { Double($0) }
            return Destination(
                destination: rows.value(index, "destination") ?? "",
                pending: pending, pendingCapped: pending >= cap,
                oldestPendingAt: rows.value(index, "oldest_pending_ts").flatMap { Double($0) }.map { $0 / 1000 },
                users: rows.value(index, "users").flatMap { Int($0) } ?? 0,
                retryIntervalMs: interval,
                downSince: (interval ?? 0) > 0 ? failure.map { $0 / 1000 } : nil)
        }
        return all.filter { $0.pending > 0 || $0.downSince != nil }.sorted {
            ($0.pending, -($0.oldestPendingAt ?? .infinity)) > ($1.pending, -($1.oldestPendingAt ?? .infinity))
        }
    }

    public static func conversion(position: PGRows, unconverted: PGRows, cap: Int) -> Conversion {
        let count = unconverted.value(0, "unconverted").flatMap { Int($0) } ?? 0
        return Conversion(streamId: position.rows.isEmpty ? nil : position.value(0, "stream_id").flatMap { Int64($0) },
                          roomId: position.rows.isEmpty ? nil : position.value(0, "room_id"),
                          instance: position.rows.isEmpty ? nil : position.value(0, "instance_name"),
                          unconverted: count, unconvertedCapped: count >= cap)
    }
}
