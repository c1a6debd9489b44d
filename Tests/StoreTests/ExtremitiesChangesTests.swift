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
            drive(plan, answer).answer.marked(at: now)
        }

        /// An event persisted in `room`: its forward extremities become `count`.
        mutating func persist(_ room: String, extremities count: Int) {
            newest += 1
            events.append((room, newest))
            extremities[room] = count
        }

        /// Events whose positions are taken but which have not committed yet: a read sees none
        /// of them, and they may commit after it with positions below what it found.
        var inFlight: [(room: String, ordering: Int64, extremities: Int)] = []

        mutating func begin(_ room: String, extremities count: Int) {
            newest += 1
            inFlight.append((room, newest, count))
        }

        mutating func commitInFlight() {
            for event in inFlight {
                events.append((event.room, event.ordering))
                extremities[event.room] = event.extremities
            }
            inFlight = []
        }
    }

    static let rooms = (0..<12).map { "!r\($0):x" }

    @Test(arguments: 0..<40)
    func keptRoomsAreTheWholeReads(seed: Int) {
        var random = HistoryChangesTests.Generator(state: UInt64(seed) + 2000)
        var database = Database()
        for room in Self.rooms { database.persist(room, extremities: Int.random(in: 1..<30, using: &random)) }
        let threshold = 10
        // Shown 4 or 50, held 8 (so that the held list fills) or all.
        let limit = [4, 50].randomElement(using: &random)!
        let heldLimit = [8, RoomStore.heldLimit].randomElement(using: &random)!
        var now = 5000.0
        var held = database.read(RoomStore.extremities(threshold: threshold, limit: limit, heldLimit: heldLimit), at: now)
        for _ in 0..<60 {
            // What a persister had under way at the last read commits now, below what it found.
            database.commitInFlight()
            // The alerts read once a minute; events come in between.
            for _ in 0..<Int.random(in: 0..<6, using: &random) {
                let room = Self.rooms.randomElement(using: &random)!
                switch Int.random(in: 0..<8, using: &random) {
                case 0: database.extremities[room] = 1  // an admin's clear, a purge: no event
                case 1: database.events.append((room, -Int64(database.events.count)))  // backfilled: nothing else moves
                case 2: database.begin(room, extremities: Int.random(in: 1..<30, using: &random))
                default: database.persist(room, extremities: Int.random(in: 1..<30, using: &random))
                }
            }
            // Another event still under way as the read is made, with a newer one committed.
            if Bool.random(using: &random) {
                database.begin(Self.rooms.randomElement(using: &random)!, extremities: Int.random(in: 1..<30, using: &random))
                database.persist(Self.rooms.randomElement(using: &random)!, extremities: Int.random(in: 1..<30, using: &random))
            }
            now += 60
            let since = held.cursor.start
            held = database.read(RoomStore.extremities(threshold: threshold, limit: limit, heldLimit: heldLimit, held: held,
                                                       since: since), at: now)
            let whole = database.read(RoomStore.extremities(threshold: threshold, limit: limit, heldLimit: heldLimit), at: now)
            #expect(held.rooms == whole.rooms && held.held == whole.held, "seed \(seed) at \(now)")
        }
    }

    @Test func aShortListReadsOnlyWhatChanged() {
        var database = Database()
        for room in Self.rooms { database.persist(room, extremities: 2) }
        database.persist("!r0:x", extremities: 20)
        let first = database.read(RoomStore.extremities(threshold: 10), at: 1000)
        #expect(first.rooms.map(\.roomId) == ["!r0:x"])
        let plan = RoomStore.extremities(threshold: 10, held: first, since: first.cursor.start)
        #expect(sent(plan, database) == [.eventsChanged, .roomsOverExtremitiesSince])
        // The threshold changed: whole.
        #expect(RoomStore.extremities(threshold: 5, held: first, since: 90).statements.map(\.query)
                    == [.eventsChanged, .roomsOverExtremities])
        // A range longer than the limit: whole, without counting what changed first.
        database.events += (0..<MembershipStore.changedLimit).map { ("!r1:x", Int64(200 + $0)) }
        #expect(sent(plan, database) == [.eventsChanged, .eventsChanged, .roomsOverExtremities])
    }

    @Test func aFailedCountKeepsWhatWasHeldAndReadsWholeNext() {
        var database = Database()
        for room in Self.rooms { database.persist(room, extremities: 12) }
        let first = database.read(RoomStore.extremities(threshold: 10), at: 1000)
        var plan = RoomStore.extremities(threshold: 10, held: first, since: first.cursor.start)
        var answer: RoomStore.OverExtremities?
        while answer == nil {
            let results = QueryResults(statements: plan.statements, results: plan.statements.map {
                $0.query == .roomsOverExtremitiesSince ? .failure(PGError(sqlstate: "57014", message: "canceling statement"))
                    : .success(database.answer($0))
            })
            switch plan.next(results) {
            case .done(let over): answer = over.marked(at: 1060)
            case .more(let next): plan = next
            }
        }
        #expect(answer?.held == first.held && answer?.cursor.start == nil)
    }

    /// The statements a plan sends, round after round, to the end.
    func sent(_ plan: ReadPlan<RoomStore.OverExtremities>, _ database: Database) -> [Query] {
        drive(plan, database.answer).sent
    }
}
