import Testing
@testable import Store

/// The alerts' read of rooms with many forward extremities counts only the rooms held and the
/// rooms with a new event: whatever Synapse does (persists events, some committing late, deletes
/// extremities with no event, backfills), the rooms kept this way must be a whole read's.
@Suite struct ExtremitiesChangesTests {
    /// event_forward_extremities and the events stream, small enough to answer each statement
    /// of the read as PostgreSQL would.
    struct Database {
        var extremities: [String: Int] = [:]
        /// Each event's room and position.
        var events: [(room: String, ordering: Int64)] = []
        var newest: Int64 = 100

        func over(_ rooms: [String], threshold: Int, limit: Int) -> PGRows {
            let counted = rooms.map { ($0, extremities[$0] ?? 0) }.filter { $0.1 >= threshold }
                .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(limit)
            return PGRows(columns: ["room_id", "extremities", "name"], rows: counted.map { [$0.0, String($0.1), nil] })
        }

        func answer(_ statement: Statement) -> PGRows {
            let p = statement.parameters
            switch statement.query {
            case .roomsOverExtremities:
                return over(Array(extremities.keys), threshold: Int(p[0]!)!, limit: Int(p[1]!)!)
            case .roomsOverExtremitiesSince:
                let since = Int64(p[2]!)!
                let changed = events.filter { $0.ordering > since }.sorted { $0.ordering < $1.ordering }.prefix(Int(p[3]!)!).map(\.room)
                let held = HistoryChangesTests.Database.array(p[4])
                return over(Array(Set(changed).union(held)), threshold: Int(p[0]!)!, limit: Int(p[1]!)!)
            case .eventsChanged:
                let since = Int64(p[0]!)!
                let changed = min(events.filter { $0.ordering > since }.count, Int(p[1]!)!)
                return PGRows(columns: ["changed", "newest"], rows: [[String(changed), String(events.map(\.ordering).max() ?? 0)]])
            default:
                Issue.record("not a statement of the extremities read: \(statement.query)")
                return PGRows(columns: [], rows: [])
            }
        }

        func read(_ plan: ReadPlan<RoomStore.OverExtremities>, at now: Double) -> RoomStore.OverExtremities {
            var plan = plan
            while true {
                let results = QueryResults(statements: plan.statements, results: plan.statements.map { .success(answer($0)) })
                switch plan.next(results) {
                case .done(let over): return over.marked(at: now)
                case .more(let next): plan = next
                }
            }
        }

        /// An event persisted in `room`: its forward extremities become `count`.
        mutating func persist(_ room: String, extremities count: Int) {
            newest += 1
            events.append((room, newest))
            extremities[room] = count
        }

        /// An event of a second persister committing after newer ones: a position among the
        /// last few, though not before `floor`, the newest a read found a minute ago (no
        /// transaction stays open that long).
        mutating func persistLate(_ room: String, extremities count: Int, back: Int64, floor: Int64) {
            newest += 2
            events.append((room, max(floor + 1, newest - back * 2 - 1)))
            extremities[room] = count
        }
    }

    static let rooms = (0..<12).map { "!r\($0):x" }

    @Test(arguments: 0..<40)
    func keptRoomsAreTheWholeReads(seed: Int) {
        var random = HistoryChangesTests.Generator(state: UInt64(seed) + 2000)
        var database = Database()
        for room in Self.rooms { database.persist(room, extremities: Int.random(in: 1..<30, using: &random)) }
        let threshold = 10
        let limit = [4, 50].randomElement(using: &random)!
        var now = 5000.0
        var held = database.read(RoomStore.extremities(threshold: threshold, limit: limit), at: now)
        for _ in 0..<60 {
            // The alerts read once a minute; events come in between.
            for _ in 0..<Int.random(in: 0..<6, using: &random) {
                let room = Self.rooms.randomElement(using: &random)!
                switch Int.random(in: 0..<8, using: &random) {
                case 0: database.extremities[room] = 1  // an admin's clear, a purge: no event
                case 1: database.persistLate(room, extremities: Int.random(in: 1..<30, using: &random),
                                             back: Int64.random(in: 0..<3, using: &random), floor: held.cursor.newest ?? 0)
                case 2: database.events.append((room, -Int64(database.events.count)))  // backfilled: nothing else moves
                default: database.persist(room, extremities: Int.random(in: 1..<30, using: &random))
                }
            }
            now += 60
            held = database.read(RoomStore.extremities(threshold: threshold, limit: limit, held: held,
                                                       since: held.cursor.start(now: now)), at: now)
            let whole = database.read(RoomStore.extremities(threshold: threshold, limit: limit), at: now)
            #expect(held.rooms == whole.rooms && held.held == whole.held, "seed \(seed) at \(now)")
        }
    }

    @Test func aShortListReadsOnlyWhatChanged() {
        var database = Database()
        for room in Self.rooms { database.persist(room, extremities: 2) }
        database.persist("!r0:x", extremities: 20)
        let first = database.read(RoomStore.extremities(threshold: 10), at: 1000)
        #expect(first.rooms.map(\.roomId) == ["!r0:x"])
        let plan = RoomStore.extremities(threshold: 10, held: first, since: first.cursor.start(now: 1060))
        #expect(plan.statements.map(\.query) == [.roomsOverExtremitiesSince, .eventsChanged])
        // The threshold changed: whole.
        #expect(RoomStore.extremities(threshold: 5, held: first, since: 90).statements.first?.query == .roomsOverExtremities)
        // A range longer than the limit: whole, in the same read.
        let long = Array(repeating: ("!r1:x", Int64(0)), count: MembershipStore.changedLimit).enumerated().map { ($0.element.0, Int64(200 + $0.offset)) }
        database.events += long
        var sent: [Query] = []
        var step = plan
        while true {
            sent += step.statements.map(\.query)
            let results = QueryResults(statements: step.statements, results: step.statements.map { .success(database.answer($0)) })
            guard case .more(let next) = step.next(results) else { break }
            step = next
        }
        #expect(sent == [.roomsOverExtremitiesSince, .eventsChanged, .roomsOverExtremities, .eventsChanged])
    }
}
