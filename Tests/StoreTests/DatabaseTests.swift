import EventLoop
import Foundation
import Testing
import Postgres
@testable import Store

/// A Synapse database made by real Synapse: scripts/test-stack points this at its stack.
let testDatabase = ProcessInfo.processInfo.environment["SYNTOP_TEST_DB"]

/// Runs statements as one round of a read plan, as the console and the commands do.
func run(_ queries: [(String, [String?])], timeoutMS: Int = 2000) -> [Result<PGRows, PGError>] {
    let plan = ReadPlan<QueryResults>.round(queries.map { Statement($0.0, $0.1) }) { $0 }
    do throws(PGError) {
        return try PGConnection.read(plan, conninfo: testDatabase!, timeoutMS: timeoutMS).0.results
    } catch {
        return queries.map { _ in .failure(error) }
    }
}

@Suite(.serialized, .enabled(if: testDatabase != nil, "needs SYNTOP_TEST_DB (scripts/test-stack sets it)"))
struct DatabaseTests {
    @Test func theSessionCannotWrite() {
        let results = run([
            ("INSERT INTO stream_positions VALUES ('x', 'y', 1)", []),
            ("CREATE TABLE syntop_probe (x int)", []),
            ("SELECT current_setting('application_name') AS name, current_setting('transaction_read_only') AS ro", []),
        ])
        for result in results.prefix(2) {
            guard case .failure(let error) = result else {
                Issue.record("a write went through")
                continue
            }
            #expect(error.sqlstate == "25006", "\(error)")
        }
        guard case .success(let rows) = results[2] else {
            Issue.record("settings query failed")
            return
        }
        #expect(rows.value(0, "name") == "syntop")
        #expect(rows.value(0, "ro") == "on")
    }

    @Test func aReadWriteTransactionIsStoppedByTheRole() {
        // default_transaction_read_only is only a default; the SELECT-only role is the wall.
        let results = run([("BEGIN READ WRITE", []), ("INSERT INTO stream_positions VALUES ('x', 'y', 1)", []),
                           ("ROLLBACK", [])])
        guard case .failure(let error) = results[1] else {
            Issue.record("the role could write")
            return
        }
        #expect(error.sqlstate == "42501", "\(error)")
    }

    @Test func theStatementTimeoutHolds() {
        let results = run([("SELECT pg_sleep(2)", [])], timeoutMS: 300)
        guard case .failure(let error) = results[0] else {
            Issue.record("no timeout")
            return
        }
        #expect(error.sqlstate == "57014")
    }

    @Test func aSyntaxErrorLeavesTheConnectionUsable() {
        let results = run([("SELEC 1", []), ("SELECT 1 AS one", [])])
        #expect((try? results[1].get())?.value(0, "one") == "1")
    }

    /// With sequential scans priced out, a Seq Scan left in a plan means no index serves it.
    @Test(arguments: [
        ("history", MembershipStore.historySQL, MembershipStore.historyParameters(user: "@a:x", before: 1000, limit: 100)),
        ("current", MembershipStore.currentSQL, MembershipStore.currentParameters(user: "@a:x")),
        ("maxima", StreamPositionStore.maximaSQL, []),
        ("destinations", DeviceListStore.destinationsSQL, ["1000"]),
        ("pending", DeviceListStore.pendingSQL, ["a.example", "1000"]),
        ("unconverted", DeviceListStore.unconvertedSQL, ["0", "10000"]),
        ("destination users", DeviceListStore.destinationUsersSQL, ["a.example", "1000"]),
        ("down destinations", DeviceListStore.downSQL, ["50"]),
        ("devices", DeviceListStore.devicesSQL, ["@a:x"]),
        ("user changes", DeviceListStore.userChangesSQL, ["@a:x"]),
        ("roles: locks", RoleStore.locksSQL, []),
        ("user search", UserStore.searchSQL, UserStore.searchParameters(prefix: "@ali", limit: 20)),
        ("session", SessionStore.sessionSQL, SessionStore.sessionParameters),
        ("schema", SessionStore.schemaSQL, []),
        ("rooms, worst first", RoomStore.roomsSQL(chosen: RoomStore.worstChosen), ["200", "1000"]),
        ("rooms matching", RoomStore.roomsSQL(chosen: RoomStore.matchingChosen), ["200", "1000", "lounge"]),
        ("one room", RoomStore.roomsSQL(chosen: RoomStore.oneChosen), ["!r:x", "20000"]),
        ("rooms over extremities", RoomStore.extremitiesSQL, ["10", "50"]),
        ("room extremities", RoomDetailStore.extremitiesSQL, ["!r:x", "500"]),
        ("room memberships", RoomDetailStore.membershipsSQL, ["!r:x", "50"]),
        ("room destinations", RoomDetailStore.destinationsSQL, ["!r:x", "20000", "1000"]),
        ("state chains", RoomDetailStore.stateChainsSQL, ["1", "50001"]),
        ("state events", RoomDetailStore.stateEventsSQL, ["1", "50001"]),
        ("chain links", RoomDetailStore.linksSQL, ["{1,2}", "200001"]),
        ("gap events", RoomDetailStore.gapEventsSQL, ["{1,2}", "{0,3}", "{4,9}"]),
        ("auth events", RoomDetailStore.authEventsSQL, ["{\"$a\",\"$b\"}"]),
    ] as [(String, String, [String?])])
    func everyQueryIsIndexBacked(name: String, sql: String, parameters: [String?]) {
        let results = run([("SET enable_seqscan = off", []), ("EXPLAIN " + sql, parameters)])
        guard case .success(let plan) = results[1] else {
            Issue.record("\(name): EXPLAIN failed: \(results[1])")
            return
        }
        let lines = plan.rows.compactMap { $0.first ?? nil }
        let big = ["room_memberships", "events", "event_json", "local_current_membership", "device_lists_stream", "devices",
                   "device_lists_outbound_pokes", "device_lists_changes_in_room", "user_signature_stream",
                   "device_inbox", "receipts_linearized", "presence_stream", "account_data", "room_account_data",
                   "event_forward_extremities", "current_state_events", "state_groups_state", "state_group_edges",
                   "event_to_state_groups", "event_auth", "event_auth_chains", "event_auth_chain_links"]
        for line in lines where line.contains("Seq Scan") {
            #expect(!big.contains { line.contains("on \($0) ") || line.hasSuffix("on \($0)") }, "\(name): \(line)")
        }
    }
}
