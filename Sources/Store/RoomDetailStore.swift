/// One room in depth: its forward extremities, what a state resolution over them would have to
/// consider (the auth-chain difference of the states after them), its recent membership
/// changes, and the destinations among its servers with pokes waiting.
public enum RoomDetailStore {
    /// Distinct states resolved at most, from the deepest extremities: a new event takes the
    /// ten deepest as its prev events, so this is what the next event sent there resolves.
    public static let maxStateSets = 10
    /// Chains one state set may span, and links read, before the room answers "over".
    public static let chainCap = 50_000
    public static let linkCap = 200_000
    /// Events the walk over event_auth visits before it answers "over".
    public static let walkCap = 20_000
    /// Destinations listed, and waiting pokes counted per destination.
    public static let destinationRows = 100
    public static let pokeCap = 1000
    /// Seconds a room's servers are held before they are read again from its members: a join
    /// adds its server at once, and a server whose last member left goes at the next read.
    public static let serversRereadSeconds = 600.0
    /// Seconds the servers' waiting pokes are held before they are counted again: a backlog
    /// that matters is hours old, and the biggest rooms have thousands of servers to probe.
    public static let pokesRecountSeconds = 10.0

    public struct Extremity: Equatable, Sendable, Codable {
        public var eventId: String
        public var type: String?
        public var stateKey: String?
        public var sender: String?
        /// The server its sender belongs to: where the branch came from.
        public var server: String?
        public var depth: Int64?
        /// Unix seconds of origin_server_ts and received_ts.
        public var sentAt: Double?
        public var receivedAt: Double?
        /// The state group of the state after the event: what a resolution takes from it.
        public var stateGroup: Int64?
    }

    public struct Destination: Equatable, Sendable, Codable {
        public var destination: String
        public var pending: Int
        public var pendingCapped: Bool
        /// Unix seconds of the oldest of the waiting pokes counted.
        public var oldestAt: Double?
        /// Milliseconds, as Synapse keeps it; 0 or nil when the destination is not backed off.
        public var retryInterval: Int64?
        public var downSince: Double?
    }

    public struct RoomDetail: Equatable, Sendable, Codable {
        public var roomId: String
        /// Nil when the server knows nothing of the room.
        public var room: RoomStore.Room?
        public var extremities: [Extremity]
        public var difference: AuthChainDifference.Result
        public var memberships: [MembershipStore.Event]
        public var destinations: [Destination]
        /// Where the next read of the room's membership changes starts; not part of the answer.
        public var cursor = ChangeCursor()
        /// Every server of the room (of its first joined members), held for the next read, and
        /// when they were read from the members; not part of the answer.
        public var servers: [String] = []
        /// When the servers were read from the members, and their pokes counted; nil when this
        /// read did it (the read's time stamps it).
        public var serversReadAt: Double?
        public var pokesCountedAt: Double?

        enum CodingKeys: String, CodingKey {
            case roomId, room, extremities, difference, memberships, destinations
        }
    }

    /// What the next read of a room's drill-down takes from the last one.
    public struct Reuse: Equatable, Sendable {
        /// The auth-chain difference, which holds while the room's extremities stay the same.
        public var difference: AuthChainDifference.Result?
        /// The membership events held, and where a read of what changed starts (nil: whole).
        public var memberships: [MembershipStore.Event]
        public var cursor: ChangeCursor
        public var since: Int64?
        /// The room's servers, probed for waiting pokes without walking its members again, while
        /// its membership changes are read (nil: read from the members).
        public var servers: [String]?
        public var serversReadAt: Double?
        /// The servers were counted over the first members only, when they were read.
        public var serversCapped: Bool
        /// The servers with pokes waiting, kept while they are young enough (nil: counted again).
        public var destinations: [Destination]?
        public var pokesCountedAt: Double?

        public init(difference: AuthChainDifference.Result?, memberships: [MembershipStore.Event] = [],
                    cursor: ChangeCursor = ChangeCursor(), since: Int64? = nil, servers: [String]? = nil,
                    serversReadAt: Double? = nil, serversCapped: Bool = false, destinations: [Destination]? = nil,
                    pokesCountedAt: Double? = nil) {
            self.difference = difference
            self.memberships = memberships
            self.cursor = cursor
            self.since = since
            self.servers = servers
            self.serversReadAt = serversReadAt
            self.serversCapped = serversCapped
            self.destinations = destinations
            self.pokesCountedAt = pokesCountedAt
        }
    }

    public static let extremitiesSQL = """
        SELECT f.event_id, e.type, e.state_key, e.sender, e.depth, e.origin_server_ts, e.received_ts, g.state_group
        FROM event_forward_extremities f
        LEFT JOIN events e ON e.event_id = f.event_id
        LEFT JOIN event_to_state_groups g ON g.event_id = f.event_id
        WHERE f.room_id = $1
        ORDER BY e.depth DESC NULLS LAST, f.event_id LIMIT $2
        """

    /// The room's newest membership events; the page is chosen before anything is joined.
    /// There is no index on (room_id, stream ordering): a large room sorts all its rows, so
    /// this is read once, and then only what changed (`membershipsSinceSQL`).
    public static let membershipsSQL = membershipsSQL(chosen: "room_id = $1", limit: "$2")

    /// The room's membership events after a position: the range of the stream ordering's index
    /// first, at most $4 rows (see `MembershipStore.historySinceSQL`).
    public static let membershipsSinceSQL = MembershipStore.changedMemberships
        + membershipsSQL(chosen: "room_id = $1", limit: "$3", from: "changed")

    static func membershipsSQL(chosen: String, limit: String, from: String = "room_memberships") -> String {
        """
        SELECT p.event_id, p.event_stream_ordering, p.room_id, p.user_id, p.membership, p.sender, p.display_name,
               p.avatar_url, e.state_key, e.origin_server_ts, j.json::jsonb -> 'content' ->> 'reason' AS reason
        FROM (
            SELECT event_id, event_stream_ordering, room_id, user_id, membership, sender, display_name, avatar_url
            FROM \(from) WHERE \(chosen)
            ORDER BY event_stream_ordering DESC NULLS LAST LIMIT \(limit)
        ) p
        LEFT JOIN events e ON e.event_id = p.event_id
        LEFT JOIN event_json j ON j.event_id = p.event_id
        ORDER BY p.event_stream_ordering DESC NULLS LAST
        """
    }

    /// Every server of the room (from its first $2 joined members), with its device-list pokes
    /// waiting counted up to $3 newest, and the retry state of those with some.
    public static let destinationsSQL = destinationsSQL(servers: """
        SELECT DISTINCT substring(m.state_key FROM position(':' IN m.state_key) + 1) AS destination
        FROM (SELECT state_key FROM current_state_events
              WHERE room_id = $1 AND type = 'm.room.member' AND membership = 'join' LIMIT $2) m
        """, cap: "$3")

    /// The same for the servers held ($1), counted up to $2.
    public static let heldDestinationsSQL = destinationsSQL(servers: "SELECT DISTINCT unnest($1::text[]) AS destination", cap: "$2")

    static func destinationsSQL(servers: String, cap: String) -> String {
        """
        WITH servers AS (\(servers))
        SELECT s.destination, w.pending, w.oldest_ts, t.retry_interval, t.failure_ts
        FROM servers s
        CROSS JOIN LATERAL (
            SELECT count(*) AS pending, min(p.ts) AS oldest_ts FROM (
                SELECT p.ts FROM device_lists_outbound_pokes p
                WHERE p.destination = s.destination AND NOT p.sent
                ORDER BY p.stream_id DESC LIMIT \(cap)) p
        ) w
        LEFT JOIN destinations t ON t.destination = s.destination AND w.pending > 0
        """
    }

    /// The full state of a state group: its own rows and its predecessors' (state_group_edges),
    /// the newest group's row winning for each (type, state_key). Each group's rows are read
    /// through the (state_group, type, state_key) index one group at a time: with an IN list
    /// the planner may choose to scan the whole table, which Synapse works around by turning
    /// sequential scans off.
    public static let stateCTE = """
        WITH RECURSIVE groups(state_group) AS (
            SELECT $1::bigint
            UNION ALL
            SELECT e.prev_state_group FROM state_group_edges e JOIN groups g ON e.state_group = g.state_group
        ), state AS (
            SELECT DISTINCT ON (s.type, s.state_key) s.event_id
            FROM groups g
            CROSS JOIN LATERAL (SELECT r.type, r.state_key, r.event_id, r.state_group FROM state_groups_state r
                                WHERE r.state_group = g.state_group) s
            ORDER BY s.type, s.state_key, s.state_group DESC
        )
        """

    /// A state set as chain positions: per chain, its highest sequence number in the set. The
    /// row without a chain counts the events the index does not hold.
    public static let stateChainsSQL = stateCTE + """
        SELECT c.chain_id, max(c.sequence_number) AS sequence_number, count(*) AS events
        FROM state s LEFT JOIN event_auth_chains c ON c.event_id = s.event_id
        GROUP BY c.chain_id LIMIT $2
        """

    /// A state set's events with their depth, for the walk.
    public static let stateEventsSQL = stateCTE + """
        SELECT s.event_id, e.depth FROM state s LEFT JOIN events e ON e.event_id = s.event_id LIMIT $2
        """

    /// Every link out of the chains reachable from the given ones: first the chains, then
    /// their links, which is cheaper than carrying links through the recursion.
    public static let linksSQL = """
        WITH RECURSIVE reachable(chain_id) AS (
            SELECT DISTINCT origin_chain_id FROM event_auth_chain_links WHERE origin_chain_id = ANY($1::bigint[])
            UNION
            SELECT l.target_chain_id FROM event_auth_chain_links l JOIN reachable r ON r.chain_id = l.origin_chain_id
        )
        SELECT l.origin_chain_id, l.origin_sequence_number, l.target_chain_id, l.target_sequence_number
        FROM reachable r JOIN event_auth_chain_links l ON l.origin_chain_id = r.chain_id
        LIMIT $2
        """

    /// How many events the index holds in the difference's chain ranges.
    public static let gapEventsSQL = """
        SELECT count(*) AS events
        FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS g(chain_id, low, high)
        JOIN event_auth_chains c ON c.chain_id = g.chain_id AND c.sequence_number > g.low AND c.sequence_number <= g.high
        """

    public static let authEventsSQL = """
        SELECT a.event_id, a.auth_id, e.depth FROM event_auth a JOIN events e ON e.event_id = a.auth_id
        WHERE a.event_id = ANY($1::text[])
        """

    /// The servers panel of a read: the servers with pokes waiting, every server of the room,
    /// and when they were read from the members and their pokes counted (nil: by this read).
    struct ServersPanel: Sendable {
        var destinations: [Destination]
        var servers: [String]
        var serversReadAt: Double?
        var pokesCountedAt: Double?

        /// Servers read from the members (`readAt` nil) or held, each probed for pokes.
        init(_ rows: PGRows, readAt: Double? = nil, adding joined: [String] = []) {
            destinations = RoomDetailStore.destinations(rows)
            servers = ServersPanel.unique(rows.rows.indices.compactMap { rows.value($0, "destination") } + joined)
            serversReadAt = readAt
        }

        /// Servers held with their pokes as last counted.
        init(servers: [String], readAt: Double?, destinations: [Destination], countedAt: Double?, adding joined: [String]) {
            self.destinations = destinations
            self.servers = ServersPanel.unique(servers + joined)
            serversReadAt = readAt
            pokesCountedAt = countedAt
        }

        static func unique(_ servers: [String]) -> [String] {
            var seen = Set<String>()
            return servers.filter { seen.insert($0).inserted }
        }
    }

    /// The room's detail. `reuse`: what the last read found: its difference, kept while the
    /// room's extremities are the same ones (a large room's states are not read every
    /// refresh), its membership events, of which only what changed is read, and its servers,
    /// probed for pokes without walking its members again while its membership changes are read.
    public static func read(room: String, reuse: Reuse? = nil) -> ReadPlan<RoomDetail> {
        let limit = RoomStore.membershipRows
        let held = reuse?.memberships ?? []
        // A room with fewer membership events than a page is cheap to read whole, and only its
        // page can take a membership backfilled into old history (a negative position).
        let since = held.count == limit ? reuse?.since : nil
        let heldIds = since == nil ? [] : held.compactMap(\.eventId)
        let memberships = since.map {
            Statement(.roomMembershipsSince, [room, String($0), String(limit), String(MembershipStore.changedLimit)])
        } ?? Statement(.roomMemberships, [room, String(limit)])
        let heldServers = since == nil ? nil : reuse?.servers
        let keptPokes = heldServers == nil ? nil : reuse?.destinations
        let serversRead = Statement(.roomDestinations, [room, String(RoomStore.detailMemberCap), String(pokeCap)])
        let destinations = keptPokes != nil ? [] : [heldServers.map {
            Statement(.roomDestinationsHeld, [Statement.array($0), String(pokeCap)])
        } ?? serversRead]
        let readAt = reuse?.serversReadAt
        // With the servers held, the room's row does not walk its members to count them.
        let summary = heldServers == nil ? Statement(.oneRoom, [room, String(RoomStore.detailMemberCap)])
            : Statement(.oneRoomHeld, [room])
        let capped = reuse?.serversCapped ?? false
        return ReadPlan([summary,
                         Statement(.roomExtremities, [room, String(RoomStore.extremityRows)]),
                         memberships,
                         Statement(.historyKept, MembershipStore.keptParameters(events: heldIds, user: "", rooms: [],
                                                                                since: since))] + destinations) { first in
            var cursor = since == nil ? (reuse?.cursor ?? ChangeCursor()).readingWhole(newest: nil) : reuse?.cursor ?? ChangeCursor()
            cursor.newest = first[.historyKept].value(0, "newest").flatMap { Int64($0) }
            guard since != nil else {
                return detailed(room, first, reuse?.difference, cursor, MembershipStore.roomChanges(first[.roomMemberships]),
                                ServersPanel(first[.roomDestinations]), capped)
            }
            // A purge deletes rows nothing newer announces, and a range too long was not read
            // whole: the page is read whole.
            let kept = first[.historyKept]
            guard first.errors.isEmpty, kept.value(0, "events").flatMap({ Int($0) }) == heldIds.count,
                  (kept.value(0, "changed").flatMap({ Int($0) }) ?? MembershipStore.changedLimit) < MembershipStore.changedLimit else {
                let whole = cursor.readingWhole(newest: cursor.newest)
                // The servers too, from the members, where they were held.
                let again = [Statement(.roomMemberships, [room, String(limit)])] + (heldServers == nil ? [] : [serversRead])
                return .more(ReadPlan(again) { results in
                    detailed(room, first, reuse?.difference, whole, MembershipStore.roomChanges(results[.roomMemberships]),
                             ServersPanel((heldServers == nil ? first : results)[.roomDestinations]), capped)
                })
            }
            let fresh = MembershipStore.roomChanges(first[.roomMembershipsSince])
            // A join brings its server now (its pokes are counted from the next read on).
            let joined = fresh.filter { $0.membership == "join" }.compactMap(\.stateKey).compactMap { user in
                user.firstIndex(of: ":").map { String(user[user.index(after: $0)...]) }
            }
            let panel = if let heldServers, let keptPokes {
                ServersPanel(servers: heldServers, readAt: readAt, destinations: keptPokes, countedAt: reuse?.pokesCountedAt,
                             adding: joined)
            } else if heldServers != nil {
                ServersPanel(first[.roomDestinationsHeld], readAt: readAt, adding: joined)
            } else {
                ServersPanel(first[.roomDestinations])
            }
            return detailed(room, first, reuse?.difference, cursor,
                            MembershipStore.roomChanges(held: held, fresh: fresh, limit: limit), panel, capped)
        }
    }

    /// The rest of the room's detail from its first round: the summary, the extremities and
    /// what resolving them costs.
    static func detailed(_ room: String, _ first: QueryResults, _ reuse: AuthChainDifference.Result?, _ cursor: ChangeCursor,
                         _ memberships: [MembershipStore.Event], _ panel: ServersPanel,
                         _ serversCapped: Bool) -> ReadPlan<RoomDetail>.Step {
        let summary: RoomStore.Room? = {
            guard first.statements.contains(where: { $0.query == .oneRoomHeld }) else {
                return RoomStore.rooms(first[.oneRoom], memberCap: RoomStore.detailMemberCap).first
            }
            // The servers held are the ones its members would count.
            var held = RoomStore.rooms(first[.oneRoomHeld], memberCap: RoomStore.detailMemberCap).first
            held?.servers = panel.servers.count
            held?.serversCapped = serversCapped
            return held
        }()
        let known = summary.map { $0.roomVersion != nil || $0.stateEvents != nil || $0.forwardExtremities > 0 } ?? false
        let extremities = extremities(first[.roomExtremities])
        @Sendable func detail(_ difference: AuthChainDifference.Result) -> RoomDetail {
            var detail = RoomDetail(roomId: room, room: known ? summary : nil, extremities: extremities, difference: difference,
                                    memberships: memberships, destinations: panel.destinations, cursor: cursor)
            detail.servers = panel.servers
            detail.serversReadAt = panel.serversReadAt
            detail.pokesCountedAt = panel.pokesCountedAt
            return detail
        }
        let ids = extremities.map(\.eventId).sorted()
        if let error = first.failure(.roomExtremities) {
            return .done(detail(AuthChainDifference.Result(method: nil, stateSets: 0,
                                                           note: "not computed: the extremities could not be read (\(error))",
                                                           extremities: ids, failed: true)))
        }
        // The same extremities have the same states: what was found for them still holds.
        if let reuse, reuse.extremities == ids { return .done(detail(reuse)) }
        if extremities.count >= RoomStore.extremityRows {
            return .done(detail(AuthChainDifference.Result(
                method: nil, stateSets: 0, note: "over \(RoomStore.extremityRows) extremities: not computed",
                extremities: ids)))
        }
        guard let plan = differencePlan(extremities: extremities, chainIndex: summary?.hasAuthChainIndex == true,
                                        ids: ids) else {
            let groups = Set(extremities.compactMap(\.stateGroup)).count
            if extremities.contains(where: { $0.stateGroup == nil }) && extremities.count > 1 {
                return .done(detail(AuthChainDifference.Result(
                    method: nil, stateSets: groups, note: "an extremity has no state group (an outlier): not computed",
                    extremities: ids)))
            }
            return .done(detail(AuthChainDifference.Result(method: nil, stateSets: groups, events: 0,
                                                           note: "one state: nothing to resolve", extremities: ids)))
        }
        return .more(plan.map(detail))
    }

    /// How a computation for one set of extremities ends: a figure, a cap passed (which
    /// stays true while they do), or a failed read (worth trying again).
    struct Outcomes: Sendable {
        var stateSets: Int
        var ids: [String]
        /// Said of a figure over fewer states than the room has.
        var partial: String

        func counted(_ method: AuthChainDifference.Result.Method, _ count: Int) -> AuthChainDifference.Result {
            partial.isEmpty
                ? AuthChainDifference.Result(method: method, stateSets: stateSets, events: count, extremities: ids)
                : AuthChainDifference.Result(method: method, stateSets: stateSets, over: count,
                                             note: "over \(count) events" + partial, extremities: ids)
        }

        func capped(_ method: AuthChainDifference.Result.Method, _ note: String, over: Int? = nil) -> AuthChainDifference.Result {
            AuthChainDifference.Result(method: method, stateSets: stateSets, over: over, note: note, extremities: ids)
        }

        func failed(_ method: AuthChainDifference.Result.Method, _ note: String) -> AuthChainDifference.Result {
            AuthChainDifference.Result(method: method, stateSets: stateSets, note: note, extremities: ids, failed: true)
        }
    }

    /// How the difference of these extremities' states is read; nil when there is nothing to
    /// resolve (one state) or no state to resolve with.
    static func differencePlan(extremities: [Extremity], chainIndex: Bool,
                               ids: [String]) -> ReadPlan<AuthChainDifference.Result>? {
        guard extremities.allSatisfy({ $0.stateGroup != nil }) else { return nil }
        var groups: [Int64] = []
        for group in extremities.compactMap(\.stateGroup) where !groups.contains(group) { groups.append(group) }
        guard groups.count > 1 else { return nil }
        let read = Array(groups.prefix(maxStateSets))
        let outcomes = Outcomes(stateSets: groups.count, ids: ids, partial: groups.count > read.count
            ? " (the \(read.count) deepest of \(groups.count) states, as many as a new event's prev events take)" : "")
        let walk = walkPlan(groups: read, outcomes)
        guard chainIndex else { return walk }
        return ReadPlan(read.map { Statement(.stateChains, [String($0), String(chainCap + 1)]) }) { results in
            if let note = failure(results) { return .done(outcomes.failed(.chainCover, note)) }
            var sets: [[Int64: Int64]] = []
            for rows in results.all(.stateChains) {
                if rows.rows.count > chainCap {
                    return .done(outcomes.capped(.chainCover, "a state spans over \(chainCap) chains: not computed"))
                }
                var set: [Int64: Int64] = [:]
                for index in rows.rows.indices {
                    guard let chain = rows.value(index, "chain_id").flatMap({ Int64($0) }) else {
                        // Events the index does not hold: Synapse patches these up; the walk is
                        // exact without the index, so it answers instead.
                        return .more(walk)
                    }
                    set[chain] = rows.value(index, "sequence_number").flatMap { Int64($0) } ?? 0
                }
                sets.append(set)
            }
            var chains = Set<Int64>()
            for set in sets { chains.formUnion(set.keys) }
            let starts = sets
            return .more(ReadPlan([Statement(.chainLinks, [Statement.array(chains.sorted()), String(linkCap + 1)])]) { links in
                if let note = failure(links) { return .done(outcomes.failed(.chainCover, note)) }
                let rows = links[.chainLinks]
                if rows.rows.count > linkCap {
                    return .done(outcomes.capped(.chainCover, "over \(linkCap) chain links: not computed"))
                }
                let gaps = AuthChainDifference.gaps(starts, links: self.links(rows))
                if gaps.isEmpty { return .done(outcomes.counted(.chainCover, 0)) }
                return .more(.round([Statement(.gapEvents, [Statement.array(gaps.map(\.chain)), Statement.array(gaps.map(\.low)),
                                                              Statement.array(gaps.map(\.high))])]) { counted in
                    if let note = failure(counted) { return outcomes.failed(.chainCover, note) }
                    let events = counted[.gapEvents]
                    return outcomes.counted(.chainCover, events.rows.isEmpty ? 0 : events.value(0, "events").flatMap { Int($0) } ?? 0)
                })
            })
        }
    }

    /// The walk over event_auth: the state sets' events, then rounds of auth events.
    static func walkPlan(groups: [Int64], _ outcomes: Outcomes) -> ReadPlan<AuthChainDifference.Result> {
        ReadPlan(groups.map { Statement(.stateEvents, [String($0), String(walkCap + 1)]) }) { results in
            if let note = failure(results) { return .done(outcomes.failed(.authWalk, note)) }
            var sets: [Set<String>] = []
            var depths: [String: Int64] = [:]
            for rows in results.all(.stateEvents) {
                if rows.rows.count > walkCap {
                    return .done(outcomes.capped(.authWalk, "over \(walkCap) events in a state: not computed"))
                }
                var set = Set<String>()
                for index in rows.rows.indices {
                    guard let event = rows.value(index, "event_id") else { continue }
                    set.insert(event)
                    if let depth = rows.value(index, "depth").flatMap({ Int64($0) }) { depths[event] = depth }
                }
                sets.append(set)
            }
            var walk = AuthChainDifference.Walk(stateSets: sets, depths: depths, cap: walkCap)
            return step(&walk, outcomes)
        }
    }

    static func step(_ walk: inout AuthChainDifference.Walk, _ outcomes: Outcomes) -> ReadPlan<AuthChainDifference.Result>.Step {
        if walk.exceeded {
            return .done(outcomes.capped(.authWalk, "over \(walk.cap) events walked: not computed", over: walk.cap))
        }
        guard let batch = walk.next() else { return .done(outcomes.counted(.authWalk, walk.count)) }
        let current = walk
        return .more(ReadPlan([Statement(.authEvents, [Statement.array(batch)])]) { results in
            if let note = failure(results) { return .done(outcomes.failed(.authWalk, note)) }
            var walk = current
            let rows = results[.authEvents]
            walk.take(rows.rows.indices.compactMap { index in
                guard let event = rows.value(index, "event_id"), let auth = rows.value(index, "auth_id") else { return nil }
                return (event, auth, rows.value(index, "depth").flatMap { Int64($0) } ?? 0)
            })
            return step(&walk, outcomes)
        })
    }

    /// Why a round gave no figure: a statement that failed (the statement timeout, mostly).
    static func failure(_ results: QueryResults) -> String? {
        for case .failure(let error) in results.results {
            return error.sqlstate == "57014"
                ? "the statement timeout ended the read: the room is too large to answer in time"
                : "not computed: \(error)"
        }
        return nil
    }

    static func links(_ rows: PGRows) -> [Int64: [AuthChainDifference.Link]] {
        var links: [Int64: [AuthChainDifference.Link]] = [:]
        for index in rows.rows.indices {
            guard let origin = rows.value(index, "origin_chain_id").flatMap({ Int64($0) }),
                  let originSequence = rows.value(index, "origin_sequence_number").flatMap({ Int64($0) }),
                  let target = rows.value(index, "target_chain_id").flatMap({ Int64($0) }),
                  let targetSequence = rows.value(index, "target_sequence_number").flatMap({ Int64($0) }) else { continue }
            links[origin, default: []].append(AuthChainDifference.Link(originSequence: originSequence, targetChain: target,
                                                                       targetSequence: targetSequence))
        }
        return links
    }

    static func extremities(_ rows: PGRows) -> [Extremity] {
        rows.rows.indices.map { index in
            let sender = rows.value(index, "sender")
            return Extremity(eventId: rows.value(index, "event_id") ?? "", type: rows.value(index, "type"),
                             stateKey: rows.value(index, "state_key"), sender: sender,
                             server: sender.flatMap { id in id.firstIndex(of: ":").map { String(id[id.index(after: $0)...]) } },
                             depth: rows.value(index, "depth").flatMap { Int64($0) },
                             sentAt: rows.value(index, "origin_server_ts").flatMap { Double($0) }.map { $0 / 1000 },
                             receivedAt: rows.value(index, "received_ts").flatMap { Double($0) }.map { $0 / 1000 },
                             stateGroup: rows.value(index, "state_group").flatMap { Int64($0) })
        }
    }

    /// The servers with pokes waiting, most first, at most `destinationRows`.
    static func destinations(_ rows: PGRows) -> [Destination] {
        let waiting: [Destination] = rows.rows.indices.compactMap { index in
            let pending = rows.value(index, "pending").flatMap { Int($0) } ?? 0
            guard pending > 0 else { return nil }
            let retry = rows.value(index, "retry_interval").flatMap { Int64($0) }
            return Destination(destination: rows.value(index, "destination") ?? "", pending: pending,
                               pendingCapped: pending >= pokeCap,
                               oldestAt: rows.value(index, "oldest_ts").flatMap { Double($0) }.map { $0 / 1000 },
                               retryInterval: retry,
                               downSince: (retry ?? 0) > 0
                                   ? rows.value(index, "failure_ts").flatMap { Double($0) }.map { $0 / 1000 } : nil)
        }
        return Array(waiting.sorted { $0.pending != $1.pending ? $0.pending > $1.pending : $0.destination < $1.destination }
            .prefix(destinationRows))
    }
}
