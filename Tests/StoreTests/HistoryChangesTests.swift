import Testing
@testable import Store

/// The History screen reads what changed, not the whole page again: whatever happens in the
/// database, a page kept up to date by reads of changes must be the page a whole read gives.
@Suite struct HistoryChangesTests {
    /// A database of memberships small enough to answer each of the history's statements the
    /// way PostgreSQL would.
    struct Database {
        struct Membership {
            var eventId: String
            var ordering: Int64
            var room: String
            var user: String
            var membership: String
            var sender: String
            var displayName: String?
        }

        struct Local {
            var room: String
            var user: String
            var membership: String
            var ordering: Int64
        }

        var memberships: [Membership] = []
        var local: [Local] = []
        var roomNames: [String: String] = [:]
        var newest: Int64 = 0
        /// Device-list pokes waiting, by destination.
        var pokes: [String: Int] = [:]

        /// The servers of the room's joined members.
        func servers(of room: String) -> Set<String> {
            var latest: [String: String] = [:]
            for row in memberships.filter({ $0.room == room }).sorted(by: { $0.ordering < $1.ordering }) {
                latest[row.user] = row.membership
            }
            return Set(latest.filter { $0.value == "join" }.keys.map { String($0.split(separator: ":")[1]) })
        }

        func serverInRoom(_ room: String) -> String { local.contains { $0.room == room && $0.membership == "join" } ? "t" : "f" }

        func historyRows(_ chosen: [Membership], limit: Int) -> PGRows {
            PGRows(columns: ["event_id", "event_stream_ordering", "room_id", "membership", "sender", "display_name",
                             "state_key", "origin_server_ts", "room_name", "room_version", "server_in_room"],
                   rows: chosen.sorted { $0.ordering > $1.ordering }.prefix(limit).map { row in
                       [row.eventId, String(row.ordering), row.room, row.membership, row.sender, row.displayName,
                        row.user, String(row.ordering * 1000), roomNames[row.room], "10", serverInRoom(row.room)]
                   })
        }

        func currentRows(_ chosen: [Local], limit: Int) -> PGRows {
            PGRows(columns: ["room_id", "membership", "event_stream_ordering", "room_name", "server_in_room"],
                   rows: chosen.sorted { $0.ordering > $1.ordering }.prefix(limit).map { row in
                       [row.room, row.membership, String(row.ordering), roomNames[row.room], serverInRoom(row.room)]
                   })
        }

        static func array(_ literal: String?) -> Set<String> {
            Set((literal ?? "{}").dropFirst().dropLast().split(separator: ",").map { String($0.dropFirst().dropLast()) })
        }

        func answer(_ statement: Statement) -> PGRows {
            let p = statement.parameters
            switch statement.query {
            case .history:
                let before = p[1].flatMap { Int64($0) }
                return historyRows(memberships.filter { row in row.user == p[0] && before.map { row.ordering < $0 } ?? true },
                                   limit: Int(p[2]!)!)
            case .historySince:
                return historyRows(memberships.filter { $0.user == p[0] && $0.ordering > Int64(p[1]!)! }, limit: Int(p[2]!)!)
            case .current:
                return currentRows(local.filter { $0.user == p[0] }, limit: Int(p[1]!)!)
            case .currentSince:
                return currentRows(local.filter { $0.user == p[0] && $0.ordering > Int64(p[1]!)! }, limit: Int(p[2]!)!)
            case .historyRooms:
                return PGRows(columns: ["room_id", "room_name", "room_version", "server_in_room"],
                              rows: Database.array(p[0]).sorted().map { [$0, roomNames[$0], "10", serverInRoom($0)] })
            case .historyKept:
                let events = Database.array(p[0]), rooms = Database.array(p[2])
                let since = Int64(p[3]!)!, limit = Int(p[4]!)!
                return PGRows(columns: ["events", "current", "changed", "changed_current", "newest"], rows: [[
                    String(memberships.filter { events.contains($0.eventId) }.count),
                    String(local.filter { $0.user == p[1] && rooms.contains($0.room) }.count),
                    String(min(limit, memberships.filter { $0.ordering > since }.count)),
                    String(min(limit, local.filter { $0.ordering > since }.count)), String(newest)]])
            case .roomMemberships, .roomMembershipsSince:
                let since = statement.query == .roomMembershipsSince ? Int64(p[1]!)! : .min
                let chosen = memberships.filter { $0.room == p[0] && $0.ordering > since }.sorted { $0.ordering > $1.ordering }
                return PGRows(columns: ["event_id", "event_stream_ordering", "room_id", "user_id", "membership", "sender",
                                        "display_name", "state_key"],
                              rows: chosen.prefix(Int(p.last!!)!).map { row in
                                  [row.eventId, String(row.ordering), row.room, row.user, row.membership, row.sender,
                                   row.displayName, row.user]
                              })
            case .roomDestinations, .roomDestinationsHeld:
                let servers = statement.query == .roomDestinationsHeld ? Database.array(p[0]) : servers(of: p[0]!)
                return PGRows(columns: ["destination", "pending"], rows: servers.sorted().map { [$0, String(pokes[$0] ?? 0)] })
            case .oneRoom, .oneRoomHeld, .roomExtremities:
                return PGRows(columns: [], rows: [])
            default:
                Issue.record("unexpected statement \(statement.query)")
                return PGRows(columns: [], rows: [])
            }
        }

        func read<Answer>(_ plan: ReadPlan<Answer>) -> (page: Answer, statements: [Query]) {
            let (page, sent) = drive(plan, answer)
            return (page, sent)
        }

        /// A new membership event: its row, and the local user's current membership.
        mutating func add(user: String, room: String, membership: String, sender: String, name: String? = nil) {
            newest += 1
            memberships.append(Membership(eventId: "$\(newest)", ordering: newest, room: room, user: user,
                                          membership: membership, sender: sender, displayName: name))
            local.removeAll { $0.user == user && $0.room == room }
            local.append(Local(room: room, user: user, membership: membership, ordering: newest))
        }
    }

    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    func same(_ kept: MembershipStore.Page, _ whole: MembershipStore.Page) -> Bool {
        kept.events == whole.events && kept.current == whole.current && kept.nextBefore == whole.nextBefore
    }

    @Test(arguments: 0..<40)
    func changesReadOnAPageGiveTheWholeReadsPage(seed: Int) {
        var random = Generator(state: UInt64(seed))
        var database = Database()
        let users = ["@u:x", "@v:x", "@w:x"], rooms = (0..<12).map { "!r\($0):x" }
        for room in rooms { database.roomNames[room] = "room \(room)" }
        func step() {
            let user = users.randomElement(using: &random)!, room = rooms.randomElement(using: &random)!
            let membership = ["join", "join", "leave", "invite", "ban"].randomElement(using: &random)!
            database.add(user: user, room: room, membership: membership,
                         sender: Bool.random(using: &random) ? user : "@mod:x", name: ["A", "B", nil].randomElement(using: &random)!)
        }
        for _ in 0..<Int.random(in: 0..<40, using: &random) { step() }
        let limit = [5, 20].randomElement(using: &random)!
        var now = 1000.0
        var page = database.read(MembershipStore.page(user: "@u:x", before: nil, limit: limit)).page.marked(at: now)
        for _ in 0..<30 {
            for _ in 0..<Int.random(in: 0..<5, using: &random) { step() }
            now += 2
            guard let start = page.cursor.start else {
                Issue.record("a page just read has no start")
                return
            }
            let (changed, sent) = database.read(MembershipStore.changes(to: page, since: start))
            // A page that is not full is read whole: it is cheap, and backfill can only join it.
            #expect(sent.contains(.history) == (page.events.count < limit))
            page = changed.marked(at: now)
            let whole = database.read(MembershipStore.page(user: "@u:x", before: nil, limit: limit)).page
            #expect(same(page, whole), "seed \(seed)")
        }
    }

    @Test(arguments: 0..<20)
    func aRoomsMembershipsReadByTheirChangesAreTheWholeReadsToo(seed: Int) {
        var random = Generator(state: UInt64(seed) + 1000)
        var database = Database()
        let users = (0..<8).map { "@u\($0):s\($0 % 4)" }
        func step() {
            let user = users.randomElement(using: &random)!
            database.add(user: user, room: ["!a:x", "!b:x"].randomElement(using: &random)!,
                         membership: ["join", "join", "leave", "invite", "ban"].randomElement(using: &random)!,
                         sender: Bool.random(using: &random) ? user : "@mod:x", name: ["A", nil].randomElement(using: &random)!)
        }
        for _ in 0..<Int.random(in: 0..<240, using: &random) { step() }
        var now = 1000.0
        var detail = database.read(RoomDetailStore.read(room: "!a:x")).page
        detail.cursor.mark(at: now)
        for server in ["s0", "s1", "s2", "s3"] { database.pokes[server] = Int.random(in: 0..<3, using: &random) }
        for _ in 0..<30 {
            for _ in 0..<Int.random(in: 0..<6, using: &random) { step() }
            database.pokes["s\(Int.random(in: 0..<4, using: &random))"] = Int.random(in: 0..<3, using: &random)
            now += 2
            // Every other read keeps the pokes counted by the one before.
            let keepPokes = Bool.random(using: &random)
            let reuse = RoomDetailStore.Reuse(difference: detail.difference, memberships: detail.memberships,
                                              cursor: detail.cursor, since: detail.cursor.start, servers: detail.servers,
                                              destinations: keepPokes ? detail.destinations : nil)
            let counted = detail.destinations
            let (changed, sent) = database.read(RoomDetailStore.read(room: "!a:x", reuse: reuse))
            #expect(sent.contains(.roomMemberships) == (detail.memberships.count < RoomStore.membershipRows))
            // The servers held are probed; they are read from the members only with the page.
            #expect(sent.contains(.roomDestinations) == sent.contains(.roomMemberships))
            #expect(sent.contains(.roomDestinationsHeld) == (!keepPokes && !sent.contains(.roomDestinations)))
            // Nor does the room's row walk them to count its servers.
            #expect(sent.contains(.oneRoom) == (reuse.since == nil || detail.memberships.count < RoomStore.membershipRows))
            let before = detail.servers
            detail = changed
            detail.cursor.mark(at: now)
            let whole = database.read(RoomDetailStore.read(room: "!a:x")).page
            #expect(detail.memberships == whole.memberships, "seed \(seed)")
            // Held, the servers are every server with a member, and those whose members have
            // all left since they were read from the members (gone at the next such read);
            // a server that joined since the last read is counted from the next one.
            let joined = database.servers(of: "!a:x")
            #expect(joined.isSubset(of: Set(detail.servers)), "seed \(seed)")
            if keepPokes && !sent.contains(.roomDestinations) {
                #expect(detail.destinations == counted)
                continue
            }
            let probed = sent.contains(.roomDestinations) ? joined : Set(before)
            #expect(whole.destinations.filter { probed.contains($0.destination) }
                        == detail.destinations.filter { joined.contains($0.destination) }, "seed \(seed)")
        }
    }

    @Test func aPurgedRoomIsReadWhole() {
        var database = Database()
        database.add(user: "@u:x", room: "!a:x", membership: "join", sender: "@u:x")
        database.add(user: "@u:x", room: "!b:x", membership: "join", sender: "@u:x")
        let page = database.read(MembershipStore.page(user: "@u:x", before: nil, limit: 2)).page.marked(at: 0)
        // The Admin API's purge of !a deletes its rows: nothing newer says so.
        database.memberships.removeAll { $0.room == "!a:x" }
        database.local.removeAll { $0.room == "!a:x" }
        let (changed, sent) = database.read(MembershipStore.changes(to: page, since: page.cursor.start))
        #expect(sent.contains(.history))
        #expect(changed.events.map(\.roomId) == ["!b:x"] && changed.current.map(\.roomId) == ["!b:x"])
        #expect(changed.cursor.marks == page.cursor.marks && changed.cursor.wholeAt == nil)
    }

    @Test func theServerLeavingARoomIsSeenOnTheRowsHeld() {
        var database = Database()
        database.add(user: "@u:x", room: "!a:x", membership: "join", sender: "@u:x")
        database.add(user: "@u:x", room: "!a:x", membership: "leave", sender: "@u:x")
        database.add(user: "@v:x", room: "!a:x", membership: "join", sender: "@v:x")
        var page = database.read(MembershipStore.page(user: "@u:x", before: nil, limit: 2)).page.marked(at: 0)
        #expect(page.events.map(\.serverInRoom) == [true, true])
        // The last local user leaves: no event of @u's, but the server is out of the room.
        database.add(user: "@v:x", room: "!a:x", membership: "leave", sender: "@v:x")
        let (changed, sent) = database.read(MembershipStore.changes(to: page, since: page.cursor.start))
        #expect(!sent.contains(.history))
        #expect(changed.events.map(\.serverInRoom) == [false, false] && changed.current.map(\.serverInRoom) == [false])
    }

    @Test func whereAReadOfChangesStarts() {
        var cursor = ChangeCursor()
        cursor.newest = 500
        cursor.mark(at: 100)
        // Until a mark has settled, well below the first one.
        #expect(cursor.start == 500 - ChangeCursor.settleOrderings)
        for (at, newest) in [(110.0, 600 as Int64), (125, 700), (131, 800), (140, 900)] {
            cursor.newest = newest
            cursor.mark(at: at)
        }
        // The newest mark at least 30 s older than the last read starts it; older ones are gone.
        #expect(cursor.start == 600)
        #expect(cursor.marks.map(\.newest) == [600, 700, 800, 900])
        // A whole read keeps the marks; a read that found no position is followed by a whole one.
        #expect(cursor.readingWhole(newest: 950).marks == cursor.marks)
        cursor.newest = nil
        cursor.mark(at: 142)
        #expect(cursor.start == nil)
    }

    @Test func readsFarApartStartASettleTimeBeforeTheLastOne() {
        var cursor = ChangeCursor()
        for (at, newest) in [(100.0, 500 as Int64), (160, 600), (220, 700)] {
            cursor.newest = newest
            cursor.mark(at: at)
        }
        // A minute apart: what committed after the read at 220 may stand below 700, and below
        // 600 too (its transaction open at 200), but not below 600's read at 160.
        #expect(cursor.start == 600)
    }
}
