import Testing
@testable import Store

/// The Rooms list, read whole once and then by what changed, must show what a whole read
/// shows, whatever Synapse does: events that move a room up or down every order, events that
/// commit late, statistics written after their events, extremities cleared and rooms purged
/// without an event.
@Suite struct RoomListChangesTests {
    /// What a room's events made of it, and what the statistics writer copied of that.
    struct Facts: Equatable {
        var extremities = 1
        var joined = 1
        var name: String?
        var servers = 1
        var newest: Int64 = 0
    }

    struct Database {
        /// By room: what its events made (committed ones only).
        var rooms: [String: Facts] = [:]
        /// By room: the statistics (members, name), written up to `statsPosition`.
        var stats: [String: Facts] = [:]
        var events: [(room: String, ordering: Int64, facts: Facts)] = []
        /// State changed with no event (a faster join's partial state completed): a delta only.
        var deltas: [(room: String, ordering: Int64, facts: Facts)] = []
        var inFlight: [(room: String, ordering: Int64, facts: Facts)] = []
        var newest: Int64 = 100
        var statsPosition: Int64 = 100

        func rows(_ columns: [String], _ rows: [[String?]]) -> PGRows { PGRows(columns: columns, rows: rows) }

        func ranked(_ figures: [(String, Int64)], limit: Int) -> PGRows {
            let sorted = figures.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(limit)
            return rows(["room_id", "figure"], sorted.map { [$0.0, String($0.1)] })
        }

        func matches(_ room: String, _ text: String) -> Bool {
            stats[room] != nil && room.contains(text) || (stats[room]?.name?.lowercased().contains(text.lowercased()) ?? false)
        }

        func answer(_ statement: Statement) -> PGRows {
            let p = statement.parameters
            switch statement.query {
            case .eventsChanged:
                let since = Int64(p[0]!)!
                let changed = min(events.filter { $0.ordering > since }.count, Int(p[1]!)!)
                return rows(["changed", "newest"], [[String(changed), String(events.map(\.ordering).max() ?? 0)]])
            case .stateDeltasChanged:
                let since = Int64(p[0]!)!
                return rows(["changed"], [[String(min(deltas.filter { $0.ordering > since }.count, Int(p[1]!)!))]])
            case .statsPosition:
                return rows(["stream_id"], [[String(statsPosition)]])
            case .roomsKnown:
                return rows(["rooms"], [[String(rooms.count)]])
            case .roomsWorstRanked:
                let cap = Int64(p[1]!)!
                return ranked(rooms.filter { $0.value.extremities > 1 }.map { ($0.key, min(Int64($0.value.extremities), cap)) },
                              limit: Int(p[0]!)!)
            case .roomsLargestRanked:
                return ranked(stats.map { ($0.key, Int64($0.value.joined)) }, limit: Int(p[0]!)!)
            case .roomsMatchingRanked:
                return ranked(stats.keys.filter { matches($0, p[1]!) }.map { ($0, 0) }, limit: Int(p[0]!)!)
            case .roomsListed:
                return rows(["room_id", "name", "joined_members", "local_users_in_room", "current_state_events", "extremities",
                             "server_in_room", "newest_ts", "members_read", "servers"],
                            HistoryChangesTests.Database.array(p[0]).sorted().map { room in
                                let facts = rooms[room], stats = stats[room]
                                return [room, stats?.name, stats.map { String($0.joined) }, stats.map { String($0.joined / 2) },
                                        stats.map { String($0.joined + 5) }, String(facts?.extremities ?? 0),
                                        (facts?.joined ?? 0) > 0 ? "t" : "f", facts.map { String($0.newest) },
                                        String(facts?.joined ?? 0), facts.map { String($0.servers) }]
                            })
            case .roomsRecount:
                let since = Int64(p[0]!)!
                let changed = Set(events.filter { $0.ordering > since }.sorted { $0.ordering < $1.ordering }
                    .prefix(Int(p[1]!)!).map(\.room)
                    + deltas.filter { $0.ordering > since }.sorted { $0.ordering < $1.ordering }.prefix(Int(p[1]!)!).map(\.room))
                let held = HistoryChangesTests.Database.array(p[2])
                return rows(["room_id", "changed", "extremities", "joined_members", "local_users_in_room", "current_state_events",
                             "matches"],
                            changed.union(held).sorted().map { room in
                                let stats = stats[room]
                                return [room, changed.contains(room) ? "t" : "f", String(rooms[room]?.extremities ?? 0),
                                        stats.map { String($0.joined) }, stats.map { String($0.joined / 2) },
                                        stats.map { String($0.joined + 5) }, p[3].map { matches(room, $0) ? "t" : "f" } ?? "f"]
                            })
            default:
                Issue.record("not a statement of the Rooms list: \(statement.query)")
                return rows([], [])
            }
        }

        func read(_ plan: ReadPlan<RoomStore.RoomList>, at now: Double) -> RoomStore.RoomList {
            drive(plan, answer).answer.marked(at: now)
        }

        mutating func begin(_ room: String, _ facts: Facts) {
            newest += 1
            var facts = facts
            facts.newest = newest
            inFlight.append((room, newest, facts))
        }

        mutating func commit() {
            for event in inFlight {
                events.append(event)
                rooms[event.room] = event.facts
            }
            inFlight = []
        }

        /// A faster join's state completed: members and servers change with no event.
        mutating func resync(_ room: String, joined: Int, servers: Int) {
            guard var facts = rooms[room] else { return }
            newest += 1
            facts.joined = joined
            facts.servers = servers
            rooms[room] = facts
            deltas.append((room, newest, facts))
        }

        /// The statistics writer catches up with what committed below what is still under way.
        mutating func writeStats() {
            let upTo = (inFlight.map(\.ordering).min() ?? newest + 1) - 1
            for event in (events + deltas).sorted(by: { $0.ordering < $1.ordering }) where event.ordering > statsPosition && event.ordering <= upTo {
                stats[event.room] = event.facts
            }
            statsPosition = max(statsPosition, upTo)
        }
    }

    static let names = ["Lounge", "lobby", "Ops", nil, "offtopic"]

    @Test(arguments: 0..<40)
    func listedRoomsAreTheWholeReads(seed: Int) {
        var random = HistoryChangesTests.Generator(state: UInt64(seed) + 3000)
        var database = Database()
        var rooms = (0..<16).map { "!r\($0):x" }
        func facts() -> Facts {
            Facts(extremities: [1, 1, 2, 3, 5, 12, 20_000, 30_000].randomElement(using: &random)!, joined: Int.random(in: 0..<40, using: &random),
                  name: Self.names.randomElement(using: &random)!, servers: Int.random(in: 1..<9, using: &random))
        }
        for room in rooms { database.begin(room, facts()) }
        database.commit()
        database.writeStats()
        let match = ["", "", "lo", "r1"].randomElement(using: &random)!
        let limit = [3, 6, 40].randomElement(using: &random)!
        var now = 5000.0
        var held = database.read(RoomStore.list(match: match, limit: limit), at: now)
        var wholeReads = 0, compared = 0
        // A room changed with no event since the rooms held were last counted: the list may show
        // it as it was until their next count, a minute at most. Only some seeds have them, so
        // that the others compare every read.
        let purges = seed % 4 == 0
        var eventless = false
        for _ in 0..<120 {
            database.commit()
            // The statistics writer now and then falls behind by more than the settle time.
            if Int.random(in: 0..<(seed % 2 == 0 ? 2 : 25), using: &random) == 0 { database.writeStats() }
            for _ in 0..<Int.random(in: 0..<5, using: &random) {
                let room = rooms.randomElement(using: &random)!
                switch Int.random(in: 0..<10, using: &random) {
                case 0 where !purges, 1 where !purges:
                    database.resync(room, joined: Int.random(in: 0..<80, using: &random), servers: Int.random(in: 1..<9, using: &random))
                case 0:  // an admin's clear: no event
                    database.rooms[room]?.extremities = 1
                    eventless = true
                case 1:  // a purge: the room's rows go, with no event
                    database.rooms[room] = nil
                    database.stats[room] = nil
                    eventless = true
                case 2:  // a new room
                    rooms.append("!n\(rooms.count):x")
                    database.begin(rooms.last!, facts())
                default: database.begin(room, facts())
                }
                if Bool.random(using: &random) { database.commit() }
            }
            now += 2
            let plan = RoomStore.list(match: match, limit: limit, held: held, since: held.changesStart(now: now), now: now)
            let readWhole = sent(plan, database).contains { [.roomsWorstRanked, .roomsMatchingRanked].contains($0) }
            if readWhole { wholeReads += 1 }
            held = database.read(plan, at: now)
            if held.heldCountedAt == now { eventless = false }
            let whole = database.read(RoomStore.list(match: match, limit: limit), at: now)
            if !eventless {
                if !readWhole { compared += 1 }
                #expect(held.rooms == whole.rooms, "seed \(seed) at \(now): \(held.rooms.map(\.roomId)) \(whole.rooms.map(\.roomId))")
            }
        }
        // Most reads are of what changed: a held order runs short only where rooms fall out of it.
        #expect(wholeReads < 40, "seed \(seed): \(wholeReads) whole reads of 120")
        #expect(purges || compared >= 80, "seed \(seed): \(compared) reads of changes compared")
    }

    @Test func aQuietListReadsNoRowAgain() {
        var database = Database()
        for index in 0..<10 { database.begin("!r\(index):x", Facts(extremities: index % 3 + 1, joined: index)) }
        database.commit()
        database.writeStats()
        let first = database.read(RoomStore.list(match: "", limit: 5), at: 1000)
        #expect(first.rooms.count == 5)
        // Past the settle range every room is quiet: the orders are counted again, no row is read.
        let quiet = RoomStore.list(match: "", limit: 5, held: first, since: database.newest, now: 1040)
        #expect(sent(quiet, database) == [.eventsChanged, .stateDeltasChanged, .statsPosition, .roomsKnown, .roomsRecount])
        #expect(database.read(quiet, at: 1040).rooms == first.rooms)
        // The rooms held are counted again a minute after the whole read, not before.
        func counting(_ plan: ReadPlan<RoomStore.RoomList>) -> String? {
            var held: String?
            _ = drive(plan) { statement in
                if statement.query == .roomsRecount { held = statement.parameters[2] }
                return database.answer(statement)
            }
            return held
        }
        #expect(counting(quiet) == "{}")
        #expect(counting(RoomStore.list(match: "", limit: 5, held: first, since: database.newest, now: 1060))?.count ?? 0 > 2)
        // Another list, or another text: whole.
        #expect(RoomStore.list(match: "x", limit: 5, held: first, since: 90).statements.map(\.query).contains(.roomsMatchingRanked))
    }

    @Test func theStatisticsBehindHoldTheStartBack() {
        var list = RoomStore.RoomList(match: "", rooms: [], roomsKnown: nil)
        list.cursor.newest = 50_000
        list.cursor.mark(at: 1000)
        list.cursor.newest = 50_100
        list.cursor.mark(at: 1040)
        list.statsPosition = 49_000
        #expect(list.changesStart(now: 1042) == 49_000)
        // Further behind than the settle range, or stopped: from the cursor, and whole once a minute.
        list.statsPosition = 1
        #expect(list.changesStart(now: 1042) == 50_000)
        #expect(list.changesStart(now: 1000 + RoomStore.heldRecountSeconds) == nil)
        list.statsPosition = nil
        #expect(list.changesStart(now: 1042) == 50_000)
    }

    /// The statements a plan sends, round after round, to the end.
    func sent(_ plan: ReadPlan<RoomStore.RoomList>, _ database: Database) -> [Query] {
        drive(plan, database.answer).sent
    }
}
