/// A user's membership history: every membership event of the user, newest first, and the last
/// membership of a local user per room, which survives the server leaving the room.
public enum MembershipStore {
    /// Membership events a page of the History screen holds.
    public static let pageSize = 200

    /// One page of a user's history, newest first; `user` and `before` say which, so a page for
    /// another user is never shown as this one's.
    public struct Page: Equatable, Sendable {
        public var user: String
        public var before: Int64?
        public var events: [Event]
        public var current: [Current]
        /// Where the next (older) page starts, when there is one.
        public var nextBefore: Int64?

        public init(user: String, before: Int64?, events: [Event], current: [Current], nextBefore: Int64?) {
            self.user = user
            self.before = before
            self.events = events
            self.current = current
            self.nextBefore = nextBefore
        }
    }

    /// A page of `limit` events below `before` (keyset paging on the stream ordering), with the
    /// user's current memberships.
    public static func page(user: String, before: Int64?, limit: Int = pageSize) -> ReadPlan<Page> {
        .round([Statement(.history, historyParameters(user: user, before: before, limit: limit)),
                Statement(.current, currentParameters(user: user))]) { results in
            let events = history(results[.history], user: user)
            return Page(user: user, before: before, events: events, current: current(results[.current]),
                        nextBefore: events.count == limit ? events.last?.streamOrdering : nil)
        }
    }

    /// One page, newest first, below `before` (an event stream ordering). The page is chosen
    /// first and only its rows are joined: there is no index on (user_id, stream ordering), so
    /// the sort covers the user's rows and nothing more.
    public static let historySQL = """
        SELECT p.event_id, p.event_stream_ordering, p.room_id, p.membership, p.sender, p.display_name,
               p.avatar_url, e.state_key, e.origin_server_ts, j.json::jsonb -> 'content' ->> 'reason' AS reason,
               s.name AS room_name, r.room_version,
               EXISTS (SELECT 1 FROM local_current_membership x
                       WHERE x.room_id = p.room_id AND x.membership = 'join') AS server_in_room
        FROM (
            SELECT event_id, event_stream_ordering, room_id, membership, sender, display_name, avatar_url
            FROM room_memberships
            WHERE user_id = $1 AND ($2::bigint IS NULL OR event_stream_ordering < $2)
            ORDER BY event_stream_ordering DESC NULLS LAST
            LIMIT $3
        ) p
        LEFT JOIN events e ON e.event_id = p.event_id
        LEFT JOIN event_json j ON j.event_id = p.event_id
        LEFT JOIN room_stats_state s ON s.room_id = p.room_id
        LEFT JOIN rooms r ON r.room_id = p.room_id
        ORDER BY p.event_stream_ordering DESC NULLS LAST
        """

    /// Whether the server is still in a room is whether a local user is joined: after the
    /// server leaves, a late federation event can put current_state_events rows back.
    public static let currentSQL = """
        SELECT l.room_id, l.membership, l.event_stream_ordering, s.name AS room_name,
               EXISTS (SELECT 1 FROM local_current_membership x
                       WHERE x.room_id = l.room_id AND x.membership = 'join') AS server_in_room
        FROM local_current_membership l
        LEFT JOIN room_stats_state s ON s.room_id = l.room_id
        WHERE l.user_id = $1
        ORDER BY l.event_stream_ordering DESC NULLS LAST
        LIMIT $2
        """

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
