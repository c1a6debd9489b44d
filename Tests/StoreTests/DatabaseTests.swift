import EventLoop
import Foundation
import Testing
import Postgres
@testable import Store

/// A Synapse database made by real Synapse: scripts/test-stack points this at its stack.
let testDatabase = ProcessInfo.processInfo.environment["SYNTOP_TEST_DB"]

/// Runs statements one after the other on a read-only connection of syntop's, as it sends its
/// own: the tests' own SQL too (a write it must refuse, a sleep past the timeout).
func run(_ queries: [(String, [String?])], timeoutMS: Int = 2000) -> [Result<PGRows, PGError>] {
    let loop = EventLoop()
    var failure: PGError?
    let connection = PGConnection(conninfo: testDatabase!, statementTimeoutMS: timeoutMS, loop: loop) { state in
        switch state {
        case .ready: loop.stop()
        case .failed(let error):
            failure = error
            loop.stop()
        case .connecting: break
        }
    }
    defer { connection.close() }
    if connection.state != .ready && failure == nil { loop.run() }
    if let failure { return queries.map { _ in .failure(failure) } }
    var results: [Result<PGRows, PGError>] = []
    for (sql, parameters) in queries {
        connection.query(sql, parameters) { result in
            results.append(result)
            if results.count == queries.count { loop.stop() }
        }
    }
    loop.run()
    return results
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

    /// A bounded read the planner overestimates would compile for longer than it runs.
    @Test func theSessionCompilesNothing() {
        #expect((try? run([("SHOW jit", [])])[0].get())?.value(0, "jit") == "off")
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
    /// Every query a store can send is one of `Query`'s cases, so none is left out.
    @Test(arguments: Query.allCases)
    func everyQueryIsIndexBacked(query: Query) {
        let (name, sql, parameters) = (query.rawValue, query.sql, query.example)
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
