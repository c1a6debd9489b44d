/// Rooms, worst first: how many forward extremities each has (every new event in a room with
/// several pays for a state resolution), who is in it, and whether the server still is. At
/// matrix.org's size (200,000 rooms) every read is bounded: the rooms listed come from the
/// extremities' index, the largest rooms by members, or a match; counts that would walk a
/// room's members stop at a cap.
public enum RoomStore {
    /// Rooms the list shows.
    public static let listLimit = 200
    /// Joined members read per listed room to count its servers (a lower bound past it).
    public static let listMemberCap = 1000
    /// The same for the room a drill-down opened.
    public static let detailMemberCap = 20_000
    /// Forward extremities counted per room.
    public static let extremityCap = 10_000
    /// Forward extremities a room's drill-down lists.
    public static let extremityRows = 500
    /// Membership changes a room's drill-down lists.
    public static let membershipRows = 50

    public struct Room: Equatable, Sendable, Codable {
        public var roomId: String
        public var name: String?
        public var canonicalAlias: String?
        public var roomVersion: String?
        public var forwardExtremities: Int
        /// More than `extremityCap`: counted no further.
        public var forwardExtremitiesCapped: Bool
        /// From room_stats_current, which Synapse keeps up to date as events arrive.
        public var joinedMembers: Int?
        public var localMembers: Int?
        /// Joined minus local: made once, in `init`.
        public private(set) var remoteMembers: Int?
        /// Servers with a joined member, counted over the first members read.
        public var servers: Int?
        /// The member cap was reached: `servers` is a lower bound.
        public var serversCapped: Bool
        /// Events in the room's current state.
        public var stateEvents: Int?
        /// False once no local user is joined: the server has left the room.
        public var serverInRoom: Bool
        /// Unix seconds of the newest event's origin_server_ts.
        public var newestEventAt: Double?
        /// Whether Synapse indexed the room's auth chains (the chain cover index).
        public var hasAuthChainIndex: Bool?

        public init(roomId: String, name: String? = nil, canonicalAlias: String? = nil, roomVersion: String? = nil,
                    forwardExtremities: Int = 0, forwardExtremitiesCapped: Bool = false, joinedMembers: Int? = nil,
                    localMembers: Int? = nil, servers: Int? = nil, serversCapped: Bool = false,
                    stateEvents: Int? = nil, serverInRoom: Bool = true, newestEventAt: Double? = nil,
                    hasAuthChainIndex: Bool? = nil) {
            self.roomId = roomId
            self.name = name
            self.canonicalAlias = canonicalAlias
            self.roomVersion = roomVersion
            self.forwardExtremities = forwardExtremities
            self.forwardExtremitiesCapped = forwardExtremitiesCapped
            self.joinedMembers = joinedMembers
            self.localMembers = localMembers
            remoteMembers = joinedMembers.flatMap { joined in localMembers.map { max(0, joined - $0) } }
            self.servers = servers
            self.serversCapped = serversCapped
            self.stateEvents = stateEvents
            self.serverInRoom = serverInRoom
            self.newestEventAt = newestEventAt
            self.hasAuthChainIndex = hasAuthChainIndex
        }
    }

    /// A room with too many forward extremities, for the alerts.
    public struct Extremities: Equatable, Sendable, Codable {
        public var roomId: String
        public var name: String?
        public var forwardExtremities: Int
    }

    /// One room, by ID ($1), known to the server or not.
    public static let oneChosen = "SELECT $1::text AS room_id"

    /// What a row shows of each chosen room; every subquery is one index probe or a capped walk.
    /// Without `servers`, the walk over the members ($2 at most) that counts them is left out.
    public static func roomsSQL(chosen: String, servers: Bool = true) -> String {
        let members = servers ? """
            LEFT JOIN LATERAL (
                SELECT count(*) AS members_read,
                       count(DISTINCT substring(j.state_key FROM position(':' IN j.state_key) + 1)) AS servers
                FROM (SELECT state_key FROM current_state_events
                      WHERE room_id = c.room_id AND type = 'm.room.member' AND membership = 'join' LIMIT $2) j
            ) m ON true
            """ : "CROSS JOIN (SELECT NULL::bigint AS members_read, NULL::bigint AS servers) m"
        return """
        WITH chosen AS (\(chosen))
        SELECT c.room_id, s.name, s.canonical_alias, r.room_version, r.has_auth_chain_index,
               st.joined_members, st.local_users_in_room, st.current_state_events,
               (SELECT count(*) FROM (SELECT 1 FROM event_forward_extremities f
                                      WHERE f.room_id = c.room_id LIMIT \(extremityCap + 1)) x) AS extremities,
               EXISTS (SELECT 1 FROM local_current_membership l
                       WHERE l.room_id = c.room_id AND l.membership = 'join') AS server_in_room,
               (SELECT e.origin_server_ts FROM events e WHERE e.room_id = c.room_id
                ORDER BY e.stream_ordering DESC LIMIT 1) AS newest_ts,
               m.members_read, m.servers
        FROM chosen c
        LEFT JOIN rooms r ON r.room_id = c.room_id
        LEFT JOIN room_stats_state s ON s.room_id = c.room_id
        LEFT JOIN room_stats_current st ON st.room_id = c.room_id
        \(members)
        """
    }

    /// Rooms with at least $1 forward extremities, worst first: the same index-only scan.
    public static let extremitiesSQL = """
        SELECT w.room_id, w.extremities, s.name FROM (
            SELECT room_id, count(*) AS extremities FROM event_forward_extremities
            GROUP BY room_id HAVING count(*) >= $1
            ORDER BY count(*) DESC, room_id LIMIT $2) w
        LEFT JOIN room_stats_state s ON s.room_id = w.room_id
        ORDER BY w.extremities DESC, w.room_id
        """

    /// LIKE's wildcards and its escape character taken literally.
    public static func likeEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// The rooms at or over the alerts' threshold (at most `limit`, worst first), and where a
    /// read of what changed starts. Synapse adds forward extremities only as it persists a new
    /// event (never a backfilled one), which takes a position of the events stream; it deletes
    /// them also without one (a purge, a join's clean-up, an admin's clear). So after one whole
    /// read, each read counts again the rooms held and the rooms with an event since the
    /// cursor's position. More rooms are held than shown (`heldLimit`), so that one falling back
    /// has its successor at hand; a held list that was full, a range too long or a failed read
    /// means a whole read.
    public struct OverExtremities: Equatable, Sendable {
        /// Every room over the threshold, worst first, up to `heldLimit`.
        public var held: [Extremities]
        public var threshold: Int
        public var limit: Int
        public var heldLimit: Int
        public var cursor = ChangeCursor()

        public init(rooms: [Extremities], threshold: Int, limit: Int, heldLimit: Int = RoomStore.heldLimit) {
            held = rooms
            self.threshold = threshold
            self.limit = limit
            self.heldLimit = heldLimit
        }

        /// The worst `limit`: what the alerts, `check` and the exporter show.
        public var rooms: [Extremities] { Array(held.prefix(limit)) }

        /// The answer once its read at `at` is done.
        public func marked(at: Double) -> OverExtremities {
            var over = self
            over.cursor.mark(at: at)
            return over
        }
    }

    /// Rooms over the threshold held between reads of what changed.
    public static let heldLimit = 1000

    /// Rooms at or over `threshold` forward extremities, for the status line and `check`; with
    /// what the last read `held` and a position `since` of the events stream, only the rooms
    /// that may have changed are counted, once the range since is known to be short.
    public static func extremities(threshold: Int, limit: Int = 50, heldLimit: Int = heldLimit,
                                   held: OverExtremities? = nil, since: Int64? = nil) -> ReadPlan<OverExtremities> {
        let threshold = max(1, threshold)
        // The stream's position first: what commits while the rooms are counted is read again.
        let whole = ReadPlan<OverExtremities>.round([
            Statement(.eventsChanged, [String(Int64.max), String(MembershipStore.changedLimit)]),
            Statement(.roomsOverExtremities, [String(threshold), String(heldLimit)]),
        ]) { results in
            var over = OverExtremities(rooms: overExtremities(results[.roomsOverExtremities]), threshold: threshold,
                                       limit: limit, heldLimit: heldLimit)
            over.cursor = (held?.cursor ?? ChangeCursor()).readingWhole(newest: newest(results))
            return over
        }
        guard let held, let since, held.threshold == threshold, held.limit == limit, held.heldLimit == heldLimit,
              held.held.count < heldLimit else { return whole }
        return ReadPlan([Statement(.eventsChanged, [String(since), String(MembershipStore.changedLimit)])]) { first in
            let changed = first[.eventsChanged].value(0, "changed").flatMap { Int($0) }
            guard first.errors.isEmpty, let changed, changed < MembershipStore.changedLimit else { return .more(whole) }
            return .more(.round([
                Statement(.roomsOverExtremitiesSince, [String(threshold), String(heldLimit), String(since),
                                                       String(MembershipStore.changedLimit), Statement.array(held.held.map(\.roomId))]),
            ]) { results in
                var over = held
                over.cursor.newest = newest(first)
                // A count that failed says nothing new: what was held stays, and the next read is whole.
                guard results.errors.isEmpty else {
                    over.cursor.readWholeNext = true
                    return over
                }
                over.held = overExtremities(results[.roomsOverExtremitiesSince])
                return over
            })
        }
    }

    static func overExtremities(_ rows: PGRows) -> [Extremities] {
        rows.rows.indices.map {
            Extremities(roomId: rows.value($0, "room_id") ?? "", name: rows.value($0, "name"),
                        forwardExtremities: rows.value($0, "extremities").flatMap { Int($0) } ?? 0)
        }
    }

    static func newest(_ results: QueryResults) -> Int64? {
        results[.eventsChanged].value(0, "newest").flatMap { Int64($0) }
    }

    /// The events after a position $1 (counted up to $2), and the stream's newest position:
    /// both from the stream-ordering index.
    public static let eventsChangedSQL = """
        SELECT (SELECT count(*) FROM (SELECT 1 FROM events WHERE stream_ordering > $1
                                      ORDER BY stream_ordering LIMIT $2) c) AS changed,
               (SELECT max(stream_ordering) FROM events) AS newest
        """

    /// `extremitiesSQL` for the rooms held ($5) and those with an event after a position ($3,
    /// at most $4 events read): each counted from the extremities' room index.
    public static let extremitiesSinceSQL = """
        WITH changed AS MATERIALIZED (
            SELECT room_id FROM events WHERE stream_ordering > $3 ORDER BY stream_ordering LIMIT $4
        ), chosen AS (
            SELECT room_id FROM changed UNION SELECT unnest($5::text[])
        )
        SELECT w.room_id, w.extremities, s.name FROM (
            SELECT c.room_id, (SELECT count(*) FROM event_forward_extremities f WHERE f.room_id = c.room_id) AS extremities
            FROM chosen c) w
        LEFT JOIN room_stats_state s ON s.room_id = w.room_id
        WHERE w.extremities >= $1
        ORDER BY w.extremities DESC, w.room_id LIMIT $2
        """

    /// Most forward extremities first, then most members, then by ID.
    public static func worstFirst(_ rooms: [Room]) -> [Room] {
        rooms.sorted {
            if $0.forwardExtremities != $1.forwardExtremities { return $0.forwardExtremities > $1.forwardExtremities }
            if ($0.joinedMembers ?? 0) != ($1.joinedMembers ?? 0) { return ($0.joinedMembers ?? 0) > ($1.joinedMembers ?? 0) }
            return $0.roomId < $1.roomId
        }
    }

    public static func rooms(_ rows: PGRows, memberCap: Int) -> [Room] {
        rows.rows.indices.map { index in
            func int(_ column: String) -> Int? { rows.value(index, column).flatMap { Int($0) } }
            let extremities = int("extremities") ?? 0
            let membersRead = int("members_read") ?? 0
            return Room(roomId: rows.value(index, "room_id") ?? "", name: rows.value(index, "name"),
                        canonicalAlias: rows.value(index, "canonical_alias"),
                        roomVersion: rows.value(index, "room_version"),
                        forwardExtremities: min(extremities, extremityCap),
                        forwardExtremitiesCapped: extremities > extremityCap,
                        joinedMembers: int("joined_members"), localMembers: int("local_users_in_room"),
                        servers: int("servers"), serversCapped: membersRead >= memberCap,
                        stateEvents: int("current_state_events"),
                        serverInRoom: rows.value(index, "server_in_room") == "t",
                        newestEventAt: rows.value(index, "newest_ts").flatMap { Double($0) }.map { $0 / 1000 },
                        hasAuthChainIndex: rows.value(index, "has_auth_chain_index").map { $0 == "t" })
        }
    }
}
