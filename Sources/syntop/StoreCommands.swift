import ArgumentParser
import Config
import Console
import EventLoop
import Foundation
import Glibc
import Postgres
import Store

/// How the database is reached: --db, else the main database of the -c config, else $SYNTOP_DB.
struct DatabaseOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "PostgreSQL, as a libpq connection string or URI (PG* variables and .pgpass apply).",
        valueName: "conninfo"))
    var db: String?

    @Option(help: ArgumentHelp("Longest a query may run, in milliseconds.", valueName: "ms"))
    var statementTimeout = 2000

    /// The connection string and a name for it without the password; nil when none is known.
    func resolve(_ config: SynapseConfig?) -> (conninfo: String, display: String)? {
        if let db { return (db, "--db") }
        if let database = config?.databases.first(where: { $0.dataStores.contains("main") }) {
            return (database.conninfo, database.displayName)
        }
        if let db = ProcessInfo.processInfo.environment["SYNTOP_DB"] { return (db, "$SYNTOP_DB") }
        return nil
    }
}

/// The results of queries run together: rows, or nothing and an error, per query.
struct QueryResults {
    var results: [Result<PGRows, PGError>]

    /// The rows of query `index`, empty when it failed (its error is in `errors`).
    subscript(index: Int) -> PGRows {
        (try? results[index].get()) ?? PGRows(columns: [], rows: [])
    }

    /// Every query's rows, a failed one's empty.
    var rows: [PGRows] { results.indices.map { self[$0] } }

    /// What failed, for the report: a missing grant empties one part, not the whole answer.
    var errors: [String] {
        results.compactMap { if case .failure(let error) = $0 { return error.description } else { return nil } }
    }
}

/// Runs queries on one read-only connection. Throws only when the database cannot be reached.
func runQueries(_ conninfo: String, timeoutMS: Int, _ queries: [(String, [String?])]) throws -> QueryResults {
    let loop = EventLoop()
    var results: [Result<PGRows, PGError>?] = Array(repeating: nil, count: queries.count)
    let connection = PGConnection(conninfo: conninfo, statementTimeoutMS: timeoutMS, loop: loop)
    for (index, query) in queries.enumerated() {
        connection.query(query.0, query.1) { result in
            results[index] = result
            if results.allSatisfy({ $0 != nil }) { loop.stop() }
        }
    }
    loop.schedule(after: timeoutMS + 10_000) { loop.stop() }
    if results.contains(where: { $0 == nil }) { loop.run() }
    connection.close()
    if case .failed(let error) = connection.state {
        throw WireRunFailure(description: "database: \(error)")
    }
    return QueryResults(results: results.map { $0 ?? .failure(PGError(sqlstate: nil, message: "no answer in time")) })
}

struct HistoryReport: Encodable {
    var user: String
    var database: String
    var session: SessionStore.Session
    /// Users whose ID starts with the one asked for, when it has no history.
    var matches: [UserStore.Match]?
    var limit: Int
    var before: Int64?
    /// The next page: pass it as --before.
    var nextBefore: Int64?
    var history: [MembershipStore.Event]
    var current: [MembershipStore.Current]
    var errors: [String]
}

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "A user's joins, leaves, invites, bans and kicks, newest first, including rooms the server has left.")

    @Argument(help: "The full user ID, e.g. @alice:example.com.")
    var user: String

    @OptionGroup var database: DatabaseOptions

    @Option(name: [.customShort("c"), .customLong("config-path")], help: ArgumentHelp(
        "Synapse's config (for the database): file or folder; repeatable.", valueName: "path"))
    var configPaths: [String] = []

    @Flag(help: "Print JSON and exit instead of opening the console.")
    var json = false

    @Option(help: "Membership events per page.")
    var limit = 100

    @Option(help: ArgumentHelp("Only events older than this stream ordering (the next_before of a page).",
                               valueName: "ordering"))
    var before: Int64?

    func run() throws {
        guard json else { throw ValidationError("the console's History screen is `syntop` then 4; use --json here") }
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit takes 1 to 10000") }
        let config = configPaths.isEmpty ? nil : ConfigLoader.load(paths: configPaths)
        guard let target = database.resolve(config) else {
            throw ValidationError("no database: give --db CONNINFO, -c homeserver.yaml or $SYNTOP_DB")
        }
        do {
            let rows = try runQueries(target.conninfo, timeoutMS: database.statementTimeout, [
                (SessionStore.sessionSQL, SessionStore.sessionParameters), (SessionStore.schemaSQL, []),
                (MembershipStore.historySQL, MembershipStore.historyParameters(user: user, before: before, limit: limit)),
                (MembershipStore.currentSQL, MembershipStore.currentParameters(user: user)),
                (UserStore.searchSQL, UserStore.searchParameters(prefix: user, limit: 20)),
            ])
            let history = MembershipStore.history(rows[2], user: user)
            let matches = UserStore.matches(rows[4])
            try printJSON(HistoryReport(
                user: user, database: target.display, session: SessionStore.session(rows[0], schema: rows[1]),
                matches: history.isEmpty ? matches : nil, limit: limit, before: before,
                nextBefore: history.count == limit ? history.last?.streamOrdering : nil,
                history: history, current: MembershipStore.current(rows[3]), errors: rows.errors))
        } catch {
            throw failOnWire(error)
        }
    }
}

/// When findings become warnings or critical, for the console's alerts and `syntop check`.
struct AlertOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Seconds a writer may stay silent while its stream moves on (database or other writers).",
                               valueName: "s"))
    var staleAfter: Double = 60

    @Option(help: ArgumentHelp("Stream ids the other writers of a stream may get ahead of a silent writer.",
                               valueName: "n"))
    var behind: Int64 = 100

    @Option(help: ArgumentHelp("Waiting pokes for one destination: warning, critical.", valueName: "n,n"))
    var pokes = "1000,10000"

    @Option(help: ArgumentHelp("Age of a destination's oldest waiting poke in seconds: warning, critical.", valueName: "s,s"))
    var pokeAge = "3600,86400"

    @Option(help: ArgumentHelp("Room device-list changes not yet turned into pokes: warning, critical.", valueName: "n,n"))
    var unconverted = "1000,10000"

    func validate() throws {
        _ = try pair(pokes, "--pokes")
        _ = try pair(pokeAge, "--poke-age")
        _ = try pair(unconverted, "--unconverted")
        guard staleAfter > 0 else { throw ValidationError("--stale-after takes seconds above 0") }
        guard behind > 0 else { throw ValidationError("--behind takes a number above 0") }
    }

    private func pair(_ text: String, _ option: String) throws -> (Double, Double) {
        let parts = text.split(separator: ",").compactMap { Double($0) }
        guard parts.count == 2, parts[0] >= 0, parts[0] <= parts[1] else {
            throw ValidationError("\(option) takes WARNING,CRITICAL with WARNING <= CRITICAL, e.g. 1000,10000")
        }
        return (parts[0], parts[1])
    }

    var thresholds: AlertThresholds {
        var thresholds = AlertThresholds()
        thresholds.staleAfter = staleAfter
        thresholds.behindWarning = behind
        if let (warning, critical) = try? pair(pokes, "") {
            (thresholds.pendingWarning, thresholds.pendingCritical) = (Int(warning), Int(critical))
        }
        if let (warning, critical) = try? pair(pokeAge, "") {
            (thresholds.oldestPendingWarning, thresholds.oldestPendingCritical) = (warning, critical)
        }
        if let (warning, critical) = try? pair(unconverted, "") {
            (thresholds.unconvertedWarning, thresholds.unconvertedCritical) = (Int(warning), Int(critical))
        }
        return thresholds
    }
}

/// The session and the waiting pokes per destination, as the Pokes screen reads them.
func readPokes(_ conninfo: String, timeoutMS: Int, cap: Int) throws -> (SessionStore.Session, PokesData, [String]) {
    let first = try runQueries(conninfo, timeoutMS: timeoutMS, DeviceListStore.Read.first
        + [(SessionStore.sessionSQL, SessionStore.sessionParameters), (SessionStore.schemaSQL, [])])
    let read = DeviceListStore.Read(first: first.rows, cap: cap)
    let second = try runQueries(conninfo, timeoutMS: timeoutMS, read.second)
    let (destinations, conversion) = read.result(first: first.rows, second: second.rows)
    let count = DeviceListStore.Read.first.count
    return (SessionStore.session(first[count], schema: first[count + 1]),
            PokesData(destinations: destinations, conversion: conversion), first.errors + second.errors)
}
