/// A user's membership history: every membership event of the user, newest first, and the last
/// membership of a local user per room, which survives the server leaving the room.
public enum MembershipStore {
    /// Membership events a page of the History screen holds.
    public static let pageSize = 200

    /// One page of a user's history, newest first; `user` and `before` say which, so a page for
    /// another user is never shown as this one's. It also keeps where a later read continues.
    public struct Page: Equatable, Sendable {
        public var user: String
        public var before: Int64?
        public var limit: Int
        public var events: [Event]
        public var current: [Current]
        /// Where the next (older) page starts, when there is one.
        public var nextBefore: Int64?
        /// Where the next read of what changed starts.
        public var cursor = ChangeCursor()

        public init(user: String, before: Int64?, limit: Int = MembershipStore.pageSize, events: [Event],
                    current: [Current], nextBefore: Int64?) {
            self.user = user
            self.before = before
            self.limit = limit
            self.events = events
            self.current = current
            self.nextBefore = nextBefore
        }

        /// The page once its read at `at` is done.
        public func marked(at: Double) -> Page {
            var page = self
            page.cursor.mark(at: at)
            return page
        }
    }

    /// A page of `limit` events below `before` (keyset paging on the stream ordering), with the
    /// user's current memberships, read whole.
    public static func page(user: String, before: Int64?, limit: Int = pageSize) -> ReadPlan<Page> {
        .round([Statement(.history, historyParameters(user: user, before: before, limit: limit)),
                Statement(.current, currentParameters(user: user)),
                Statement(.historyKept, keptParameters(events: [], user: user, rooms: [], since: nil))]) { results in
            let events = history(results[.history], user: user)
            var page = Page(user: user, before: before, limit: limit, events: events, current: current(results[.current]),
                            nextBefore: events.count == limit ? events.last?.streamOrdering : nil)
            page.cursor.newest = results[.historyKept].value(0, "newest").flatMap { Int64($0) }
            return page
        }
    }

    /// A page held, read again: whole when `since` is nil or when the page is not full (a
    /// user with fewer membership events than a page is cheap to read whole, and a membership
    /// backfilled into old history, at a negative position, can only join such a page); else
    /// only its changes since that position (see `ChangeCursor`): the user's membership events
    /// and current memberships after it, what each room held is now (whether the server is
    /// still in it, its name and version), and whether every row held is still there. A purge
    /// or a failed statement is read whole instead.
    public static func changes(to held: Page, since start: Int64?) -> ReadPlan<Page> {
        let user = held.user
        let cursor = held.cursor
        let whole = page(user: held.user, before: held.before, limit: held.limit).map { page in
            var page = page
            page.cursor = cursor.readingWhole(newest: page.cursor.newest)
            return page
        }
        guard let start, held.events.count == held.limit else { return whole }
        let heldEvents = held.events.compactMap(\.eventId)
        let heldRooms = held.current.map(\.roomId)
        var rooms = held.events.map(\.roomId) + heldRooms
        var seen = Set<String>()
        rooms.removeAll { !seen.insert($0).inserted }
        return ReadPlan([Statement(.historySince, [user, String(start), String(held.limit), String(changedLimit)]),
                         Statement(.currentSince, [user, String(start), String(currentLimit), String(changedLimit)]),
                         Statement(.historyRooms, [Statement.array(rooms)]),
                         Statement(.historyKept, keptParameters(events: heldEvents, user: user, rooms: heldRooms,
                                                                since: start))]) { results in
            if !results.errors.isEmpty { return .more(whole) }
            let kept = results[.historyKept]
            let newEvents = history(results[.historySince], user: user)
            // A full page of new events is the newest page itself; an older page may miss some.
            guard kept.value(0, "events").flatMap({ Int($0) }) == heldEvents.count,
                  kept.value(0, "current").flatMap({ Int($0) }) == heldRooms.count,
                  (kept.value(0, "changed").flatMap({ Int($0) }) ?? changedLimit) < changedLimit,
                  (kept.value(0, "changed_current").flatMap({ Int($0) }) ?? changedLimit) < changedLimit,
                  held.before == nil || newEvents.count < held.limit else {
                return .more(whole)
            }
            var page = held
            page.cursor.newest = kept.value(0, "newest").flatMap { Int64($0) }
            merge(&page, events: newEvents, current: current(results[.currentSince]), rooms: roomStates(results[.historyRooms]))
            return .done(page)
        }
    }

    /// What a room is now, for the rows a page holds in it.
    struct RoomState {
        var name: String?
        var version: String?
        var serverInRoom: Bool
    }

    static func roomStates(_ rows: PGRows) -> [String: RoomState] {
        var rooms: [String: RoomState] = [:]
        for index in rows.rows.indices {
            guard let room = rows.value(index, "room_id") else { continue }
            rooms[room] = RoomState(name: rows.value(index, "room_name"), version: rows.value(index, "room_version"),
                                    serverInRoom: rows.value(index, "server_in_room") == "t")
        }
        return rooms
    }

    /// The page a whole read would give, from the page held and what changed: new events in
    /// order (an event read again replaces its row), the page cut at its size, each event's
    /// change read again against the one before it, current memberships by room, newest
    /// first, and the rooms' state where a local membership changed.
    static func merge(_ page: inout Page, events: [Event], current: [Current], rooms: [String: RoomState]) {
        let fresh = events.filter { event in page.before.map { before in (event.streamOrdering ?? .min) < before } ?? true }
        var merged = merged(page.events, fresh: fresh, limit: page.limit) { events in
            for index in events.indices {
                if let room = rooms[events[index].roomId] {
                    events[index].roomName = room.name
                    events[index].roomVersion = room.version
                    events[index].serverInRoom = room.serverInRoom
                }
            }
        }
        readChanges(&merged, threads: merged.map(\.roomId), users: merged.map { _ in page.user })
        page.events = merged
        page.nextBefore = merged.count == page.limit ? merged.last?.streamOrdering : nil

        let movedRooms = Set(current.map(\.roomId))
        var memberships = current + page.current.filter { !movedRooms.contains($0.roomId) }
        memberships.sort { ($0.streamOrdering ?? .min) > ($1.streamOrdering ?? .min) }
        if memberships.count > currentLimit { memberships.removeLast(memberships.count - currentLimit) }
        for index in memberships.indices {
            if let room = rooms[memberships[index].roomId] {
                memberships[index].roomName = room.name
                memberships[index].serverInRoom = room.serverInRoom
            }
        }
        page.current = memberships
    }

    /// Membership events newest first, as a whole read would give them: `fresh` (new, or read
    /// again in place of the rows they replace) among those held, cut at `limit`, what each
    /// changed to be read again (`update` may change the rows first).
    static func merged(_ held: [Event], fresh: [Event], limit: Int, update: (inout [Event]) -> Void = { _ in }) -> [Event] {
        let replaced = Set(fresh.compactMap(\.eventId))
        var merged = fresh + held.filter { !replaced.contains($0.eventId ?? "") }
        merged.sort { ($0.streamOrdering ?? .min) > ($1.streamOrdering ?? .min) }
        if merged.count > limit { merged.removeLast(merged.count - limit) }
        for index in merged.indices {
            merged[index].change = ""
            merged[index].previousMembership = nil
            merged[index].profileChange = nil
        }
        update(&merged)
        return merged
    }

    /// A room's membership events after what changed, each read against the one before it for
    /// the same user.
    public static func roomChanges(held: [Event], fresh: [Event], limit: Int) -> [Event] {
        var events = merged(held, fresh: fresh, limit: limit)
        let users = events.map { $0.stateKey ?? "" }
        readChanges(&events, threads: users, users: users)
        return events
    }

    /// One page, newest first, below `before` (an event stream ordering). The page is chosen
    /// first and only its rows are joined: there is no index on (user_id, stream ordering), so
    /// the sort covers the user's rows and nothing more.
    public static let historySQL = historySQL(
        from: "room_memberships WHERE user_id = $1 AND ($2::bigint IS NULL OR event_stream_ordering < $2)")

    /// The user's membership events after a position. The range of the stream ordering's index
    /// is read first, whoever's rows it holds (at most $4 of them; `historyKeptSQL` says when
    /// there were more): asked for both conditions at once, the planner takes the user's index
    /// and reads every membership the user ever had.
    public static let historySinceSQL = changedMemberships + historySQL(from: "changed WHERE user_id = $1")

    /// The membership events after a position $2, newest first, at most $4.
    static let changedMemberships = """
        WITH changed AS MATERIALIZED (
            SELECT event_id, event_stream_ordering, room_id, user_id, membership, sender, display_name, avatar_url
            FROM room_memberships WHERE event_stream_ordering > $2
            ORDER BY event_stream_ordering DESC LIMIT $4)

        """

    static func historySQL(from: String) -> String {
        """
        SELECT p.event_id, p.event_stream_ordering, p.room_id, p.membership, p.sender, p.display_name,
               p.avatar_url, e.state_key, e.origin_server_ts, j.json::jsonb -> 'content' ->> 'reason' AS reason,
               s.name AS room_name, r.room_version,
               EXISTS (SELECT 1 FROM local_current_membership x
                       WHERE x.room_id = p.room_id AND x.membership = 'join') AS server_in_room
        FROM (
            SELECT event_id, event_stream_ordering, room_id, membership, sender, display_name, avatar_url
            FROM \(from)
            ORDER BY event_stream_ordering DESC NULLS LAST
            LIMIT $3
        ) p
        LEFT JOIN events e ON e.event_id = p.event_id
        LEFT JOIN event_json j ON j.event_id = p.event_id
        LEFT JOIN room_stats_state s ON s.room_id = p.room_id
        LEFT JOIN rooms r ON r.room_id = p.room_id
        ORDER BY p.event_stream_ordering DESC NULLS LAST
        """
    }

    /// Whether the server is still in a room is whether a local user is joined: after the
    /// server leaves, a late federation event can put current_state_events rows back.
    public static let currentSQL = currentSQL(from: "local_current_membership", limit: "$2")

    /// The user's current memberships that changed after a position, the index's range read
    /// first as for `historySinceSQL`.
    public static let currentSinceSQL = """
        WITH changed AS MATERIALIZED (
            SELECT room_id, user_id, membership, event_stream_ordering FROM local_current_membership
            WHERE event_stream_ordering > $2 ORDER BY event_stream_ordering DESC LIMIT $4)

        """ + currentSQL(from: "changed", limit: "$3")

    static func currentSQL(from: String, limit: String) -> String {
        """
        SELECT l.room_id, l.membership, l.event_stream_ordering, s.name AS room_name,
               EXISTS (SELECT 1 FROM local_current_membership x
                       WHERE x.room_id = l.room_id AND x.membership = 'join') AS server_in_room
        FROM \(from) l
        LEFT JOIN room_stats_state s ON s.room_id = l.room_id
        WHERE l.user_id = $1
        ORDER BY l.event_stream_ordering DESC NULLS LAST
        LIMIT \(limit)
        """
    }

    /// Rows of a range of the stream ordering's index read at most; a range with more (a
    /// burst of joins, or the first 30 seconds on a busy server) is read whole instead.
    public static let changedLimit = 20_000

    /// What each room of a page is now: the server may have left or joined it, and its name
    /// and version may be new. One probe of each index a room.
    public static let historyRoomsSQL = """
        SELECT c.room_id, s.name AS room_name, r.room_version,
               EXISTS (SELECT 1 FROM local_current_membership x
                       WHERE x.room_id = c.room_id AND x.membership = 'join') AS server_in_room
        FROM unnest($1::text[]) AS c(room_id)
        LEFT JOIN room_stats_state s ON s.room_id = c.room_id
        LEFT JOIN rooms r ON r.room_id = c.room_id
        """

    /// How many of the membership events and current memberships a page holds are still
    /// there (a purge deletes them), how many rows the ranges after the position $4 hold (up
    /// to $5), and the events stream's newest position.
    public static let historyKeptSQL = """
        SELECT (SELECT count(*) FROM room_memberships WHERE event_id = ANY($1::text[])) AS events,
               (SELECT count(*) FROM local_current_membership WHERE user_id = $2 AND room_id = ANY($3::text[])) AS current,
               (SELECT count(*) FROM (SELECT 1 FROM room_memberships WHERE event_stream_ordering > $4 LIMIT $5) c)
                   AS changed,
               (SELECT count(*) FROM (SELECT 1 FROM local_current_membership WHERE event_stream_ordering > $4 LIMIT $5) c)
                   AS changed_current,
               (SELECT max(stream_ordering) FROM events) AS newest
        """

    /// The parameters of `historyKeptSQL`; no position (a whole read) counts nothing.
    public static func keptParameters(events: [String], user: String, rooms: [String], since: Int64?) -> [String?] {
        [Statement.array(events), user, Statement.array(rooms), String(since ?? .max), String(changedLimit)]
    }

    /// The most current memberships read: a bot can be in tens of thousands of rooms.
    public static let currentLimit = 500

    public static func currentParameters(user: String) -> [String?] {
        [user, String(currentLimit)]
    }

    public static func historyParameters(user: String, before: Int64?, limit: Int) -> [String?] {
        [user, before.map(String.init), String(limit)]
    }

    public struct Event: Equatable, Sendable, Codable {
        public var streamOrdering: Int64?
        /// Unix seconds, from the event's origin_server_ts.
        public var time: Double?
        public var roomId: String
        public var roomName: String?
        /// What the event is in the room's membership: join, leave, invite, ban, knock.
        public var membership: String
        /// What happened, reading the event with the one before it in the same room: join,
        /// leave, kick, invite, invite rejected, invite withdrawn, ban, unban, knock.
        public var change: String
        public var sender: String
        public var reason: String?
        public var displayName: String?
        /// False when no local user is joined any more: the server has left the room.
        public var serverInRoom: Bool
        /// What an operator takes to the Admin API, the logs or the room's timeline.
        public var eventId: String?
        /// The user the event is about (for a membership event, always the user).
        public var stateKey: String?
        public var avatarUrl: String?
        /// The room's version, from `rooms`; nil for a room the server only heard of.
        public var roomVersion: String?
        /// The membership before this event in the same room, when this page holds it.
        public var previousMembership: String?
        /// For a join after a join: what the user changed in their profile (`display name`,
        /// `avatar`, both, or `nothing`). Nil for a change of membership.
        public var profileChange: String?
    }

    public struct Current: Equatable, Sendable, Codable {
        public var roomId: String
        public var roomName: String?
        public var membership: String
        public var streamOrdering: Int64?
        /// False when no local user is joined any more: the server has left the room.
        public var serverInRoom: Bool
    }

    /// Shapes a page of history rows (newest first) for `user`.
    public static func history(_ rows: PGRows, user: String) -> [Event] {
        var events = rows.rows.indices.map { event(rows, $0) }
        readChanges(&events, threads: events.map(\.roomId), users: events.map { _ in user })
        return events
    }

    /// A join after a join changes no membership: it is the user's display name or avatar.
    static func profileChange(from before: Event, to after: Event) -> String {
        let name = before.displayName != after.displayName
        let avatar = before.avatarUrl != after.avatarUrl
        switch (name, avatar) {
        case (true, true): return "display name and avatar"
        case (true, false): return "display name"
        case (false, true): return "avatar"
        case (false, false): return "nothing"
        }
    }

    static func change(_ membership: String, before: String?, byTheUser: Bool) -> String {
        switch (membership, before) {
        case ("leave", "ban"): return "unban"
        case ("leave", "invite"): return byTheUser ? "invite rejected" : "invite withdrawn"
        case ("leave", _): return byTheUser ? "leave" : "kick"
        default: return membership
        }
    }

    /// A room's membership events (newest first), each read against the one before it for the
    /// same user in the page: the History screen's changes, for a room.
    public static func roomChanges(_ rows: PGRows) -> [Event] {
        var events = rows.rows.indices.map { event(rows, $0) }
        let users = events.indices.map { events[$0].stateKey ?? rows.value($0, "user_id") ?? "" }
        readChanges(&events, threads: users, users: users)
        return events
    }

    /// One row of a membership read, its change not yet known.
    static func event(_ rows: PGRows, _ index: Int) -> Event {
        Event(streamOrdering: rows.value(index, "event_stream_ordering").flatMap { Int64($0) },
              time: rows.value(index, "origin_server_ts").flatMap { Double($0) }.map { $0 / 1000 },
              roomId: rows.value(index, "room_id") ?? "",
              roomName: rows.value(index, "room_name"),
              membership: rows.value(index, "membership") ?? "",
              change: "",
              sender: rows.value(index, "sender") ?? "",
              reason: rows.value(index, "reason"),
              displayName: rows.value(index, "display_name"),
              serverInRoom: rows.value(index, "server_in_room") == "t",
              eventId: rows.value(index, "event_id"),
              stateKey: rows.value(index, "state_key"),
              avatarUrl: rows.value(index, "avatar_url"),
              roomVersion: rows.value(index, "room_version"))
    }

    /// What each event (newest first) changed, read with the one before it in its thread (the
    /// room, in one user's history; the user, in one room's): kick, unban, invite rejected, a
    /// profile change. `users[i]`: whose membership event `i` is.
    static func readChanges(_ events: inout [Event], threads: [String], users: [String]) {
        var previous: [String: Event] = [:]
        for index in events.indices.reversed() {
            let event = events[index]
            let before = previous[threads[index]]
            events[index].change = change(event.membership, before: before?.membership,
                                          byTheUser: event.sender == users[index])
            events[index].previousMembership = before?.membership
            if let before, before.membership == "join", event.membership == "join" {
                events[index].profileChange = profileChange(from: before, to: event)
            }
            previous[threads[index]] = event
        }
    }

    public static func current(_ rows: PGRows) -> [Current] {
        (0..<rows.rows.count).map { index in
            Current(roomId: rows.value(index, "room_id") ?? "", roomName: rows.value(index, "room_name"),
                    membership: rows.value(index, "membership") ?? "",
                    streamOrdering: rows.value(index, "event_stream_ordering").flatMap { Int64($0) },
                    serverInRoom: rows.value(index, "server_in_room") == "t")
        }
    }
}
