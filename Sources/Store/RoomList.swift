/// The Rooms list, read whole once and then by what changed. Choosing its rooms is what costs:
/// the worst by forward extremities walk the whole extremities index, the largest by members
/// the whole of room_stats_current (which has no index on them), a match the whole of
/// room_stats_state. A room moves up any of those orders only with a new event (Synapse adds
/// extremities, members and names only as it persists one), so after one whole read each read
/// counts again only the rooms it holds and the rooms with an event since, and reads a row again
/// only for a room with an event since or newly listed. A room's state can also change with no
/// event: when a faster join's partial state is completed, its members arrive as state deltas
/// only; those are read beside the events.
extension RoomStore {
    /// The Rooms list: the rooms `match` found (all rooms when empty), worst first.
    public struct RoomList: Equatable, Sendable {
        public var match: String
        public var rooms: [Room]
        /// The planner's estimate of the rooms the server knows (no count over 200,000 rows).
        public var roomsKnown: Int?
        /// Rooms shown.
        public var limit: Int
        /// The orders the rooms were chosen from, each with more rooms held than shown, so that
        /// one falling back has its successor at hand: by forward extremities and by joined
        /// members, or the rooms matching. Nil where their read failed.
        public var worst: Ranking?
        public var largest: Ranking?
        public var matching: Ranking?
        public var cursor = ChangeCursor()
        /// Where Synapse's room statistics (members, names) stood when the list was read: a
        /// room's statistics are written after its event, so a read of changes starts no later.
        public var statsPosition: Int64?
        /// When the rooms held were last counted again. Only a purge or an admin's clear of
        /// extremities moves a room with no event, so they are counted once a minute, and the
        /// rooms with an event at every read.
        public var heldCountedAt: Double?
        /// This read counted the rooms held; `marked` stamps it.
        var countsHeld = false

        public init(match: String, rooms: [Room], roomsKnown: Int?, limit: Int = RoomStore.listLimit) {
            self.match = match
            self.rooms = rooms
            self.roomsKnown = roomsKnown
            self.limit = limit
        }

        /// The answer once its read at `at` is done.
        public func marked(at: Double) -> RoomList {
            var list = self
            list.cursor.mark(at: at)
            if countsHeld { list.heldCountedAt = at }
            list.countsHeld = false
            return list
        }

        /// Where the next read of changes at `now` starts, nil for a whole read: the cursor's
        /// start, or the statistics' position where they lag behind it. A statistics writer
        /// further behind than the settle range (stalled, or turned off) would make every range
        /// long: then what it writes late is read by a whole read once a minute.
        public func changesStart(now: Double) -> Int64? {
            guard let start = cursor.start else { return nil }
            guard let stats = statsPosition else { return start }
            if stats >= start - ChangeCursor.settleOrderings { return min(start, stats) }
            return now - (cursor.wholeAt ?? now) >= RoomStore.heldRecountSeconds ? nil : start
        }

        /// Every room held in an order.
        var heldRooms: [String] {
            var seen = Set<String>()
            return [worst, largest, matching].compactMap { $0 }.flatMap(\.entries).map(\.roomId).filter { seen.insert($0).inserted }
        }
    }

    /// The first rooms of one order (a figure, highest first, then the room's ID), as a whole
    /// read found them and reads of changes kept them. A room not held comes after `cutoff`,
    /// and can pass it only with an event, which has it counted again.
    public struct Ranking: Equatable, Sendable {
        public struct Entry: Equatable, Sendable {
            public var roomId: String
            public var figure: Int64
        }

        public var entries: [Entry]
        /// The last room held when more were left out; nil when every room of the order is held.
        public var cutoff: Entry?

        static func precedes(_ a: Entry, _ b: Entry) -> Bool {
            a.figure != b.figure ? a.figure > b.figure : a.roomId < b.roomId
        }

        /// A whole read's rows (room_id, figure), `limit` asked for.
        init(_ rows: PGRows, limit: Int) {
            entries = rows.rows.indices.compactMap { index in
                guard let room = rows.value(index, "room_id"), let figure = rows.value(index, "figure").flatMap({ Int64($0) })
                else { return nil }
                return Entry(roomId: room, figure: figure)
            }
            cutoff = entries.count >= limit ? entries.last : nil
        }

        init(entries: [Entry], cutoff: Entry?) {
            self.entries = entries
            self.cutoff = cutoff
        }

        /// The order again from the rooms counted again (`counted`: every room with an event
        /// since, and the rooms held when they are due), with their figures now (none: not in the
        /// order), the other rooms held as they were; nil when fewer than `needed` of them can be
        /// placed for certain, which takes a whole read.
        func recounted(_ figures: [String: Int64], counted: Set<String>, limit: Int, needed: Int) -> Ranking? {
            var placed = (entries.filter { !counted.contains($0.roomId) }
                + figures.map { Entry(roomId: $0.key, figure: $0.value) }).sorted(by: Ranking.precedes)
            if let cutoff {
                placed = placed.filter { !Ranking.precedes(cutoff, $0) }
                if placed.count < needed { return nil }
            }
            guard placed.count > limit else { return Ranking(entries: placed, cutoff: cutoff) }
            let kept = Array(placed.prefix(limit))
            return Ranking(entries: kept, cutoff: kept.last)
        }
    }

    /// Rooms held per order: twice those shown.
    public static func rankingLimit(_ limit: Int) -> Int { 2 * limit }

    /// Seconds between counts of the rooms held with no event since.
    public static let heldRecountSeconds = 60.0

    /// The rooms with more than one forward extremity, worst first ($1 of them, counted up to
    /// $2): the extremities' index read in order and grouped as it is read.
    public static let worstRankedSQL = """
        SELECT room_id, least(count(*), $2) AS figure FROM event_forward_extremities
        GROUP BY room_id HAVING count(*) > 1
        ORDER BY least(count(*), $2) DESC, room_id LIMIT $1
        """

    /// The rooms with the most joined members ($1 of them): room_stats_current, a row per room
    /// with no index on its members, read whole.
    public static let largestRankedSQL = """
        SELECT room_id, joined_members AS figure FROM room_stats_current
        ORDER BY joined_members DESC, room_id LIMIT $1
        """

    /// A room ID, name or alias holding the text ($2, with LIKE's wildcards escaped):
    /// room_stats_state, a row per room, read until $1 match.
    public static let matchingRankedSQL = """
        SELECT room_id, 0 AS figure FROM room_stats_state s WHERE \(matches(text: "$2"))
        ORDER BY room_id LIMIT $1
        """

    /// Whether room_stats_state's row `s` holds the text in its room ID, name or alias: the
    /// same test for a whole read and a read of changes.
    static func matches(text: String) -> String {
        "(s.room_id LIKE '%' || \(text) || '%' OR s.name ILIKE '%' || \(text) || '%' OR s.canonical_alias ILIKE '%' || \(text) || '%')"
    }

    /// The rows of the rooms listed ($1), their members read up to $2.
    public static let listedChosen = "SELECT unnest($1::text[]) AS room_id"

    /// The planner's row estimate of `rooms`: a count would read every row.
    public static let roomsKnownSQL = "SELECT reltuples::bigint AS rooms FROM pg_class WHERE oid = 'rooms'::regclass"

    /// How far Synapse's room statistics are written, as a position of the events stream.
    public static let statsPositionSQL = "SELECT stream_id FROM stats_incremental_position"

    /// The state deltas after a position $1 (counted up to $2): current_state_delta_stream's
    /// stream index.
    public static let stateDeltasChangedSQL = """
        SELECT count(*) AS changed FROM (SELECT 1 FROM current_state_delta_stream WHERE stream_id > $1
                                         ORDER BY stream_id LIMIT $2) c
        """

    /// Each order's figures now for the rooms held ($3) and those with an event or a state
    /// delta after a position ($1, at most $2 of each read), and whether they match the text ($4, NULL for none) as the
    /// whole read does, which reads only rooms with a row in room_stats_state: each
    /// room one probe of the extremities' index and of the statistics' rows.
    public static let roomsRecountSQL = """
        WITH changed AS MATERIALIZED (
            (SELECT room_id FROM events WHERE stream_ordering > $1 ORDER BY stream_ordering LIMIT $2)
            UNION ALL
            (SELECT room_id FROM current_state_delta_stream WHERE stream_id > $1 ORDER BY stream_id LIMIT $2)
        ), chosen AS (
            SELECT room_id, bool_or(changed) AS changed FROM (
                SELECT room_id, true AS changed FROM changed
                UNION ALL SELECT unnest($3::text[]), false
            ) u GROUP BY room_id
        )
        SELECT c.room_id, c.changed,
               (SELECT count(*) FROM (SELECT 1 FROM event_forward_extremities f
                                      WHERE f.room_id = c.room_id LIMIT \(extremityCap + 1)) x) AS extremities,
               st.joined_members, st.local_users_in_room, st.current_state_events,
               $4::text IS NOT NULL AND s.room_id IS NOT NULL AND \(matches(text: "$4")) AS matches
        FROM chosen c
        LEFT JOIN room_stats_current st ON st.room_id = c.room_id
        LEFT JOIN room_stats_state s ON s.room_id = c.room_id
        """

    /// The Rooms list: worst first, or the rooms whose ID, name or alias holds `match`. With the
    /// list `held` from the last read and a position `since` of the events stream, only what
    /// changed is read, once the range since is known to be short; the rooms held are counted
    /// again when `now` is a minute past their last count.
    public static func list(match: String, limit: Int = listLimit, held: RoomList? = nil, since: Int64? = nil,
                            now: Double = 0) -> ReadPlan<RoomList> {
        let whole = wholeList(match: match, limit: limit, cursor: held?.cursor ?? ChangeCursor())
        guard let held, let since, held.match == match, held.limit == limit,
              match.isEmpty ? held.worst != nil && held.largest != nil : held.matching != nil else { return whole }
        let first = [Statement(.eventsChanged, [String(since), String(MembershipStore.changedLimit)]),
                     Statement(.stateDeltasChanged, [String(since), String(MembershipStore.changedLimit)]),
                     Statement(.statsPosition), Statement(.roomsKnown)]
        return ReadPlan(first) { first in
            let events = first[.eventsChanged].value(0, "changed").flatMap { Int($0) }
            let deltas = first[.stateDeltasChanged].value(0, "changed").flatMap { Int($0) }
            guard first.errors.isEmpty, let events, let deltas, events < MembershipStore.changedLimit,
                  deltas < MembershipStore.changedLimit else { return .more(whole) }
            let due = held.heldCountedAt.map { now - $0 >= heldRecountSeconds } ?? true
            let recount = Statement(.roomsRecount, [String(since), String(MembershipStore.changedLimit),
                                                    Statement.array(due ? held.heldRooms : []), match.isEmpty ? nil : likeEscaped(match)])
            return .more(ReadPlan([recount]) { results in
                guard results.errors.isEmpty else { return .more(whole) }
                var list = RoomList(match: match, rooms: [], roomsKnown: nil, limit: limit)
                list.cursor = held.cursor
                list.cursor.newest = newest(first)
                list.statsPosition = first[.statsPosition].value(0, "stream_id").flatMap { Int64($0) }
                list.heldCountedAt = held.heldCountedAt
                list.countsHeld = due
                let recount = Recount(results[.roomsRecount])
                let ranked = rankingLimit(limit)
                func order(_ held: Ranking?, _ figure: (Room) -> Int64?) -> Ranking? {
                    held?.recounted(recount.figures(figure), counted: Set(recount.rooms.keys), limit: ranked, needed: limit)
                }
                if match.isEmpty {
                    // Counted as the whole read counts them: past the cap, the cap and one.
                    list.worst = order(held.worst) { room in
                        room.forwardExtremities > 1 ? Int64(room.forwardExtremitiesCapped ? extremityCap + 1 : room.forwardExtremities) : nil
                    }
                    list.largest = order(held.largest) { $0.joinedMembers.map(Int64.init) }
                    guard list.worst != nil, list.largest != nil else { return .more(whole) }
                } else {
                    list.matching = order(held.matching) { recount.matching.contains($0.roomId) ? 0 : nil }
                    guard list.matching != nil else { return .more(whole) }
                }
                // A row that no event touched keeps what it showed but for the figures just counted.
                let shown = Dictionary(held.rooms.map { ($0.roomId, $0) }, uniquingKeysWith: { first, _ in first })
                var kept: [Room] = []
                var unread: [String] = []
                for room in chosenRooms(list, limit: limit) {
                    if let row = shown[room], !recount.changed.contains(room) {
                        kept.append(recount.rooms[room].map(row.recounted) ?? row)
                    } else {
                        unread.append(room)
                    }
                }
                return listed(list, first, kept: kept, reading: unread)
            })
        }
    }

    /// What a read of changes counted: each room's figures (the row's shape, its other columns
    /// empty), which had an event or a delta, and which match the filter.
    struct Recount {
        var rooms: [String: Room] = [:]
        var changed = Set<String>()
        var matching = Set<String>()

        init(_ rows: PGRows) {
            for room in RoomStore.rooms(rows, memberCap: listMemberCap) { rooms[room.roomId] = room }
            for index in rows.rows.indices {
                guard let room = rows.value(index, "room_id") else { continue }
                if rows.value(index, "changed") == "t" { changed.insert(room) }
                if rows.value(index, "matches") == "t" { matching.insert(room) }
            }
        }

        /// One order's figure for each room counted that is in it.
        func figures(_ figure: (Room) -> Int64?) -> [String: Int64] {
            rooms.compactMapValues(figure)
        }
    }

    /// The whole read: each order from the start, then the rows of the rooms chosen. The
    /// stream's and the statistics' positions first: what commits while the orders are read
    /// is read again.
    static func wholeList(match: String, limit: Int, cursor: ChangeCursor) -> ReadPlan<RoomList> {
        let ranked = rankingLimit(limit)
        let orders = match.isEmpty
            ? [Statement(.roomsWorstRanked, [String(ranked), String(extremityCap + 1)]), Statement(.roomsLargestRanked, [String(ranked)])]
            : [Statement(.roomsMatchingRanked, [String(ranked), likeEscaped(match)])]
        let first = [Statement(.eventsChanged, [String(Int64.max), String(MembershipStore.changedLimit)]),
                     Statement(.statsPosition)] + orders + [Statement(.roomsKnown)]
        return ReadPlan(first) { first in
            var list = RoomList(match: match, rooms: [], roomsKnown: nil, limit: limit)
            list.cursor = cursor.readingWhole(newest: newest(first))
            list.countsHeld = true
            list.statsPosition = first[.statsPosition].value(0, "stream_id").flatMap { Int64($0) }
            func ranking(_ query: Query) -> Ranking? {
                first.failure(query) == nil ? Ranking(first[query], limit: ranked) : nil
            }
            if match.isEmpty {
                list.worst = ranking(.roomsWorstRanked)
                list.largest = ranking(.roomsLargestRanked)
            } else {
                list.matching = ranking(.roomsMatchingRanked)
            }
            return listed(list, first, kept: [], reading: chosenRooms(list, limit: limit))
        }
    }

    /// The list with the rows kept and those of `reading` read.
    static func listed(_ list: RoomList, _ first: QueryResults, kept: [Room], reading: [String]) -> ReadPlan<RoomList>.Step {
        // An estimate below what is listed is stale (a table never analyzed): none then.
        let estimate = first[.roomsKnown].value(0, "rooms").flatMap { Int($0) }
        @Sendable func done(_ rooms: [Room]) -> RoomList {
            var list = list
            list.rooms = Array(worstFirst(rooms).prefix(list.limit))
            list.roomsKnown = estimate.flatMap { $0 >= list.rooms.count ? $0 : nil }
            return list
        }
        guard !reading.isEmpty else { return .done(done(kept)) }
        return .more(.round([Statement(.roomsListed, [Statement.array(reading), String(listMemberCap)])]) { results in
            done(kept + rooms(results[.roomsListed], memberCap: listMemberCap))
        })
    }

    /// The rooms shown: the first of each order, worst first by forward extremities (1 where
    /// the order by them does not hold the room), then by joined members.
    static func chosenRooms(_ list: RoomList, limit: Int) -> [String] {
        if let matching = list.matching { return matching.entries.prefix(limit).map(\.roomId) }
        var extremities: [String: Int64] = [:], joined: [String: Int64] = [:]
        for entry in list.worst?.entries.prefix(limit) ?? [] { extremities[entry.roomId] = entry.figure }
        for entry in list.largest?.entries.prefix(limit) ?? [] { joined[entry.roomId] = entry.figure }
        let rooms = Set(extremities.keys).union(joined.keys)
        return rooms.sorted { a, b in
            let (ea, eb) = (extremities[a] ?? 1, extremities[b] ?? 1)
            if ea != eb { return ea > eb }
            let (ja, jb) = (joined[a] ?? 0, joined[b] ?? 0)
            return ja != jb ? ja > jb : a < b
        }.prefix(limit).map { $0 }
    }
}

extension RoomStore.Room {
    /// This row with the figures counted again of the same room.
    func recounted(_ count: RoomStore.Room) -> RoomStore.Room {
        RoomStore.Room(roomId: roomId, name: name, canonicalAlias: canonicalAlias, roomVersion: roomVersion,
                       forwardExtremities: count.forwardExtremities, forwardExtremitiesCapped: count.forwardExtremitiesCapped,
                       joinedMembers: count.joinedMembers, localMembers: count.localMembers, servers: servers,
                       serversCapped: serversCapped, stateEvents: count.stateEvents, serverInRoom: serverInRoom,
                       newestEventAt: newestEventAt, hasAuthChainIndex: hasAuthChainIndex)
    }
}
