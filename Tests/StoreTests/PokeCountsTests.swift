import Testing
@testable import Store

/// The Pokes panel counts a destination's waiting pokes again only where they may have changed:
/// whatever Synapse does to the pokes (adds them, commits a second writer's late, deletes the
/// sent ones, prunes day-old ones), the figures kept this way must be a whole read's, at once or,
/// after a prune, once the counts due again are made.
@Suite struct PokeCountsTests {
    /// device_lists_outbound_pokes and destinations, small enough to answer each statement of
    /// the Pokes read as PostgreSQL would.
    struct Database {
        struct Poke {
            var destination: String
            var streamId: Int64
            var user: String
            var sent: Bool
            var ts: Double
        }

        var pokes: [Poke] = []
        var retry: [String: (interval: Int64, failure: Double)] = [:]
        var nextId: Int64 = 10

        func rows(_ destination: String) -> [Poke] {
            pokes.filter { $0.destination == destination }.sorted { $0.streamId < $1.streamId }
        }

        func answer(_ statement: Statement) -> PGRows {
            let p = statement.parameters
            switch statement.query {
            case .destinations:
                let names = Set(pokes.map(\.destination)).sorted().prefix(Int(p[0]!)!)
                return PGRows(columns: ["destination", "newest_sent", "newest_id", "newest_ts", "oldest_ts", "oldest_id",
                                        "retry_interval", "failure_ts"],
                              rows: names.map { name in
                                  let rows = self.rows(name)
                                  return [name, rows.last!.sent ? "t" : "f", String(rows.last!.streamId), String(Int64(rows.last!.ts * 1000)),
                                          String(Int64(rows.first!.ts * 1000)), String(rows.first!.streamId),
                                          retry[name].map { String($0.interval) }, retry[name].map { String(Int64($0.failure * 1000)) }]
                              })
            case .down:
                let down = retry.filter { $0.value.interval > 0 }.sorted { ($0.value.failure, $0.key) < ($1.value.failure, $1.key) }
                return PGRows(columns: ["destination", "retry_interval", "failure_ts", "newest_id", "newest_ts", "oldest_id"],
                              rows: down.prefix(Int(p[0]!)!).map { name, retry in
                                  let rows = self.rows(name)
                                  return [name, String(retry.interval), String(Int64(retry.failure * 1000)),
                                          rows.last.map { String($0.streamId) }, rows.last.map { String(Int64($0.ts * 1000)) },
                                          rows.first.map { String($0.streamId) }]
                              })
            case .conversion:
                return PGRows(columns: ["stream_id", "room_id", "instance_name"], rows: [["5", "", "master"]])
            case .unconverted:
                return PGRows(columns: ["unconverted"], rows: [["0"]])
            case .pending:
                let cap = Int(p[1]!)!
                let rows = self.rows(p[0]!)
                let waiting = rows.filter { !$0.sent }
                let newest = waiting.suffix(cap)
                let newestSent = rows.suffix(cap).filter(\.sent).map(\.ts).max()
                return PGRows(columns: ["destination", "pending", "oldest_pending_ts", "users", "newest_sent_ts"],
                              rows: [[p[0]!, String(newest.count), waiting.first.map { String(Int64($0.ts * 1000)) },
                                      String(Set(newest.map(\.user)).count), newestSent.map { String(Int64($0 * 1000)) }]])
            case .destinationBounds:
                let rows = self.rows(p[0]!)
                return PGRows(columns: ["destination", "newest_id", "newest_ts", "oldest_id"],
                              rows: [[p[0]!, rows.last.map { String($0.streamId) }, rows.last.map { String(Int64($0.ts * 1000)) },
                                      rows.first.map { String($0.streamId) }]])
            case .destinationUsers:
                let newest = rows(p[0]!).filter { !$0.sent }.suffix(Int(p[1]!)!)
                let users = Dictionary(grouping: newest, by: \.user).sorted { ($1.value.count, $0.key) < ($0.value.count, $1.key) }
                return PGRows(columns: ["user_id", "pokes", "oldest_ts", "newest_stream_id"], rows: users.map { user, pokes in
                    [user, String(pokes.count), String(Int64(pokes.map(\.ts).min()! * 1000)), String(pokes.map(\.streamId).max()!)]
                })
            default:
                Issue.record("not a statement of the Pokes read: \(statement.query)")
                return PGRows(columns: [], rows: [])
            }
        }

        /// The drill-down's plan run to its end at `now`, with whether it read the users.
        func readUsers(_ plan: ReadPlan<([DeviceListStore.UserPokes], DeviceListStore.Basis)>,
                       at now: Double) -> (([DeviceListStore.UserPokes], DeviceListStore.Basis), Bool) {
            var plan = plan
            var read = false
            while true {
                read = read || plan.statements.contains { $0.query == .destinationUsers }
                let results = QueryResults(statements: plan.statements, results: plan.statements.map { .success(answer($0)) })
                switch plan.next(results) {
                case .done(var answer):
                    answer.1.mark(at: now)
                    return (answer, read)
                case .more(let next): plan = next
                }
            }
        }

        /// The plan run to its end at `now`; its answer as the observation keeps it, and the
        /// destinations it counted.
        func read(_ plan: ReadPlan<DeviceListStore.Pokes>, at now: Double) -> (DeviceListStore.Pokes, [String]) {
            var plan = plan
            var counted: [String] = []
            while true {
                counted += plan.statements.filter { $0.query == .pending }.compactMap { $0.parameters[0] ?? nil }
                let results = QueryResults(statements: plan.statements, results: plan.statements.map { .success(answer($0)) })
                switch plan.next(results) {
                case .done(let pokes): return (pokes.marked(at: now), counted)
                case .more(let next): plan = next
                }
            }
        }

        /// A poke with the next stream id.
        mutating func add(_ destination: String, user: String, sent: Bool = false, at now: Double) {
            nextId += 10
            pokes.append(Poke(destination: destination, streamId: nextId, user: user, sent: sent, ts: now))
        }

        /// A second writer's poke committing after newer ones: its stream id below the newest,
        /// made at most `ChangeCursor.settleSeconds` before.
        mutating func addLate(_ destination: String, user: String, at now: Double, ago: Double) {
            let below = pokes.filter { $0.ts < now - ago }.map(\.streamId).max() ?? 0
            let taken = Set(pokes.map(\.streamId))
            guard below + 1 < nextId, let id = (below + 1..<nextId).first(where: { !taken.contains($0) }) else { return }
            pokes.append(Poke(destination: destination, streamId: id, user: user, sent: false, ts: now - ago))
        }

        /// A send that succeeded: Synapse deletes the destination's pokes up to the one sent.
        mutating func sent(_ destination: String, upTo fraction: Double) {
            let rows = self.rows(destination)
            guard !rows.isEmpty else { return }
            let last = rows[min(rows.count - 1, Int(Double(rows.count) * fraction))].streamId
            pokes.removeAll { $0.destination == destination && $0.streamId <= last }
        }

        /// The hourly prune: each user's pokes to a destination but the newest go.
        mutating func prune(_ destination: String) {
            let newest = Dictionary(rows(destination).map { ($0.user, $0.streamId) }, uniquingKeysWith: max)
            pokes.removeAll { $0.destination == destination && newest[$0.user] != $0.streamId }
        }
    }

    static let cap = 6
    static let destinations = ["a.example", "b.example", "c.example", "d.example", "e.example"]

    func whole(_ database: Database, at now: Double) -> DeviceListStore.Pokes {
        database.read(DeviceListStore.pokes(cap: Self.cap), at: now).0
    }

    @Test(arguments: 0..<40)
    func keptCountsAreTheWholeReadsWithoutAPrune(seed: Int) {
        var random = HistoryChangesTests.Generator(state: UInt64(seed) + 500)
        var database = Database()
        var now = 1_000_000.0
        for name in Self.destinations where Bool.random(using: &random) {
            database.retry[name] = (600_000, now - Double.random(in: 0..<5000, using: &random))
        }
        for _ in 0..<30 {
            database.add(Self.destinations.randomElement(using: &random)!, user: ["@a:x", "@b:x", "@c:x"].randomElement(using: &random)!,
                         sent: Int.random(in: 0..<5, using: &random) == 0, at: now)
        }
        var held = whole(database, at: now)
        for _ in 0..<80 {
            now += 2
            let name = Self.destinations.randomElement(using: &random)!
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<3: database.add(name, user: ["@a:x", "@b:x", "@c:x", "@d:x"].randomElement(using: &random)!,
                                     sent: Int.random(in: 0..<5, using: &random) == 0, at: now)
            case 3: database.addLate(name, user: "@late:x", at: now, ago: Double.random(in: 0..<ChangeCursor.settleSeconds, using: &random))
            case 4: database.sent(name, upTo: Double.random(in: 0..<1, using: &random))
            case 5: database.retry[name] = database.retry[name] == nil ? (60_000, now) : nil
            default: break
            }
            held = database.read(DeviceListStore.pokes(cap: Self.cap, held: held, now: now), at: now).0
            #expect(held.destinations == whole(database, at: now).destinations, "seed \(seed) at \(now)")
        }
    }

    @Test(arguments: 0..<20)
    func aPruneIsCaughtUpByTheCountsDueAgain(seed: Int) {
        var random = HistoryChangesTests.Generator(state: UInt64(seed) + 900)
        var database = Database()
        var now = 1_000_000.0
        for name in Self.destinations { database.retry[name] = (600_000, now - 100) }
        for _ in 0..<60 {
            database.add(Self.destinations.randomElement(using: &random)!, user: ["@a:x", "@b:x", "@c:x"].randomElement(using: &random)!,
                         at: now - 100_000)
        }
        var held = whole(database, at: now)
        for name in Self.destinations where Bool.random(using: &random) { database.prune(name) }
        // Every count comes due again within the recount time and one refresh.
        for _ in 0...Int(DeviceListStore.recountSeconds / 2) + 1 {
            now += 2
            held = database.read(DeviceListStore.pokes(cap: Self.cap, held: held, now: now), at: now).0
        }
        #expect(held.destinations == whole(database, at: now).destinations)
    }

    @Test func nothingMovedNothingIsCountedAgain() {
        var database = Database()
        let start = 1_000_000.0
        for name in Self.destinations { database.retry[name] = (600_000, start - 100) }
        for name in Self.destinations { database.add(name, user: "@a:x", at: start - 100) }
        let first = database.read(DeviceListStore.pokes(cap: Self.cap), at: start)
        #expect(first.1.sorted() == Self.destinations)
        // Settled (the newest poke is 100 s old): nothing counted again until the counts are due.
        let second = database.read(DeviceListStore.pokes(cap: Self.cap, held: first.0, now: start + 2), at: start + 2)
        #expect(second.1.isEmpty && second.0.destinations == first.0.destinations)
        // Due when as old as the recount time, spread over the refreshes: one of five a refresh
        // of 2 s; all at once after a long while away (another screen, a long refresh).
        var held = second.0
        for at in stride(from: start + 4, to: start + DeviceListStore.recountSeconds, by: 2) {
            let round = database.read(DeviceListStore.pokes(cap: Self.cap, held: held, now: at), at: at)
            #expect(round.1.isEmpty)
            held = round.0
        }
        let due = database.read(DeviceListStore.pokes(cap: Self.cap, held: held, now: start + DeviceListStore.recountSeconds),
                                at: start + DeviceListStore.recountSeconds)
        #expect(due.1.count == 1)
        let away = database.read(DeviceListStore.pokes(cap: Self.cap, held: second.0, now: start + 2 * DeviceListStore.recountSeconds),
                                 at: start + 2 * DeviceListStore.recountSeconds)
        #expect(away.1.sorted() == Self.destinations)
        // A new poke: that destination alone, and again each round until its newest poke settles.
        database.add("c.example", user: "@b:x", at: start + 3)
        let moved = database.read(DeviceListStore.pokes(cap: Self.cap, held: second.0, now: start + 4), at: start + 4)
        #expect(moved.1 == ["c.example"] && moved.0.destinations == whole(database, at: start + 4).destinations)
        let settling = database.read(DeviceListStore.pokes(cap: Self.cap, held: moved.0, now: start + 6), at: start + 6)
        #expect(settling.1 == ["c.example"])
        let settled = database.read(DeviceListStore.pokes(cap: Self.cap, held: settling.0, now: start + 40), at: start + 40)
        let after = database.read(DeviceListStore.pokes(cap: Self.cap, held: settled.0, now: start + 42), at: start + 42)
        #expect(settled.1 == ["c.example"] && after.1.isEmpty)
    }

    @Test func anotherStatementFailingKeepsTheCountsHeld() {
        var database = Database()
        let start = 1_000_000.0
        for name in Self.destinations { database.retry[name] = (600_000, start - 100) }
        for name in Self.destinations { database.add(name, user: "@a:x", at: start - 100) }
        let first = database.read(DeviceListStore.pokes(cap: Self.cap), at: start).0
        database.add("a.example", user: "@b:x", at: start - 90)
        var plan = DeviceListStore.pokes(cap: Self.cap, held: first, now: start + 2)
        while true {
            let results = QueryResults(statements: plan.statements, results: plan.statements.map {
                $0.query == .unconverted ? .failure(PGError(sqlstate: "42501", message: "permission denied")) : .success(database.answer($0))
            })
            guard case .more(let next) = plan.next(results) else {
                if case .done(let pokes) = plan.next(results) {
                    #expect(pokes.destinations == whole(database, at: start + 2).destinations)
                }
                return
            }
            plan = next
        }
    }

    @Test func aCountThatFailedIsMadeAgain() {
        var database = Database()
        let start = 1_000_000.0
        database.retry["a.example"] = (600_000, start - 100)
        database.add("a.example", user: "@a:x", at: start - 100)
        var plan = DeviceListStore.pokes(cap: Self.cap)
        var answer: DeviceListStore.Pokes?
        while answer == nil {
            let results = QueryResults(statements: plan.statements, results: plan.statements.map {
                $0.query == .pending ? .failure(PGError(sqlstate: "57014", message: "canceling statement due to statement timeout")) : .success(database.answer($0))
            })
            switch plan.next(results) {
            case .done(let pokes): answer = pokes.marked(at: start)
            case .more(let next): plan = next
            }
        }
        let again = database.read(DeviceListStore.pokes(cap: Self.cap, held: answer, now: start + 2), at: start + 2)
        #expect(again.1 == ["a.example"])
    }

    @Test(arguments: 0..<20)
    func theDrillDownKeepsItsUsersWhileTheyStand(seed: Int) {
        var random = HistoryChangesTests.Generator(state: UInt64(seed) + 1300)
        var database = Database()
        var now = 1_000_000.0
        for _ in 0..<20 { database.add("a.example", user: ["@a:x", "@b:x", "@c:x"].randomElement(using: &random)!, at: now - 100) }
        var held = database.readUsers(DeviceListStore.destinationUsers("a.example"), at: now).0
        var kept = 0
        for _ in 0..<80 {
            now += 2
            switch Int.random(in: 0..<30, using: &random) {
            case 0: database.add("a.example", user: ["@a:x", "@d:x"].randomElement(using: &random)!, at: now)
            case 1: database.addLate("a.example", user: "@late:x", at: now, ago: Double.random(in: 0..<ChangeCursor.settleSeconds, using: &random))
            case 2: database.sent("a.example", upTo: Double.random(in: 0..<0.5, using: &random))
            default: break
            }
            let (answer, read) = database.readUsers(DeviceListStore.destinationUsers("a.example", held: held, now: now), at: now)
            if !read { kept += 1 }
            held = answer
            #expect(held.0 == database.readUsers(DeviceListStore.destinationUsers("a.example"), at: now).0.0, "seed \(seed) at \(now)")
        }
        #expect(kept > 0)
    }
}
