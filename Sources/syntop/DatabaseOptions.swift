import Deployments
import ArgumentParser
import Config
import Foundation
import Settings

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

    /// The deployment of a command that reads nothing else: no database is a usage error.
    func deployment(_ context: ContextOption) throws -> Deployment {
        let (database, found) = try resolve(context)
        guard let target = found else {
            throw ValidationError("no database: give --db CONNINFO, -c homeserver.yaml, a context, or $SYNTOP_DB")
        }
        return Deployment(database: target, database)
    }
}
