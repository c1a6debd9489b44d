import ArgumentParser
import Config
import Console
import EventLoop
import Foundation
import Glibc
import Postgres
import Settings
import Store

/// How the database is reached: --db (or the config file's db), else the main database of the
/// -c config, else $SYNTOP_DB.
struct DatabaseOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "PostgreSQL, as a libpq connection string or URI (PG* variables and .pgpass apply).",
        valueName: "conninfo"))
    var db: String?

    @Option(help: ArgumentHelp("Longest a query may run, in milliseconds (default: 2000).", valueName: "ms"))
    var statementTimeout: Int?

    func given() throws -> [SettingKey: SettingValue] {
        var given: [SettingKey: SettingValue] = [:]
        given[.db] = try SettingKey.db.given(db)
        given[.statementTimeout] = try SettingKey.statementTimeout.given(statementTimeout)
        return given
    }

    func validate() throws {
        _ = try given()
    }
}

/// The database, with every setting resolved.
struct DatabaseSource {
    var settings: Settings

    var statementTimeout: Int { Int(settings.number(.statementTimeout) ?? 2000) }

    /// The connection string and a name for it without the password; nil when none is known.
    func resolve(_ config: SynapseConfig?) -> (conninfo: String, display: String)? {
        if let db = settings.text(.db) { return (db, settings.sourceName(.db)) }
        if let database = config?.databases.first(where: { $0.dataStores.contains("main") }) {
            return (database.conninfo, database.displayName)
        }
        if let db = ProcessInfo.processInfo.environment["SYNTOP_DB"] { return (db, "$SYNTOP_DB") }
        return nil
    }
}

/// The database of a command that reads nothing else: `--db`, else the database of the `-c`
/// config, else the context's or the environment's.
struct DatabaseOnlyOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions

    @Option(name: [.customShort("c"), .customLong("config-path")], help: ArgumentHelp(
        "Synapse's config (for the database): file or folder; repeatable.", valueName: "path"))
    var configPaths: [String] = []

    /// The database's settings, and where it is when one is named.
    func resolve(_ context: ContextOption) throws -> (DatabaseSource, (conninfo: String, display: String)?) {
        let settings = try context.settings(database.given(), configPaths.isEmpty ? [:] : [.configPaths: .paths(configPaths)])
        settings.reportProblems()
        let database = DatabaseSource(settings: settings)
        let paths = settings.paths(.configPaths)
        return (database, database.resolve(paths.isEmpty ? nil : ConfigLoader.load(paths: paths)))
    }

    /// The same, for the commands that read nothing else: no database is a usage error.
    func required(_ context: ContextOption) throws -> (DatabaseSource, (conninfo: String, display: String)) {
        let (database, found) = try resolve(context)
        guard let target = found else {
            throw ValidationError("no database: give --db CONNINFO, -c homeserver.yaml, a context, or $SYNTOP_DB")
        }
        return (database, target)
    }
}

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
