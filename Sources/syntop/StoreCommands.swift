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
/// Runs one store read on a read-only connection of its own. Throws only when the database
/// cannot be reached.
func read<Answer>(_ plan: ReadPlan<Answer>, _ target: (conninfo: String, display: String),
                  timeoutMS: Int) throws -> (Answer, [String]) {
    do {
        return try PGConnection.read(plan, conninfo: target.conninfo, timeoutMS: timeoutMS)
    } catch {
        throw WireRunFailure(description: "database: \(error)")
    }
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
            let ((session, page), found) = try read(
                SessionStore.read.then(MembershipStore.page(user: user, before: before, limit: limit)), target,
                timeoutMS: database.statementTimeout)
            // Users whose ID starts with the one asked for, when it has no history.
            let (matches, searched) = page.events.isEmpty
                ? try read(UserStore.search(prefix: user, limit: 20), target, timeoutMS: database.statementTimeout)
                : (nil, [])
            try printJSON(HistoryReport(
                user: user, database: target.display, session: session, matches: matches, limit: limit,
                before: before, nextBefore: page.nextBefore, history: page.events, current: page.current,
                errors: found + searched))
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
