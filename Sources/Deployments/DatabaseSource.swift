import Config
import Foundation
import Settings

/// The database, with every setting resolved.
public struct DatabaseSource {
    public var settings: Settings

    public init(settings: Settings) {
        self.settings = settings
    }

    public var statementTimeout: Int { Int(settings.number(.statementTimeout) ?? 2000) }

    /// The connection string and a name for it without the password; nil when none is known.
    public func resolve(_ config: SynapseConfig?) -> (conninfo: String, display: String)? {
        if let db = settings.text(.db) { return (db, settings.sourceName(.db)) }
        if let database = config?.databases.first(where: { $0.dataStores.contains("main") }) {
            return (database.conninfo, database.displayName)
        }
        if let db = ProcessInfo.processInfo.environment["SYNTOP_DB"] { return (db, "$SYNTOP_DB") }
        return nil
    }
}

