import ArgumentParser
import Config
import Console
import EventLoop
import Foundation
import Glibc
import Replication
import Settings
import Store
import Wire

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    FileHandle.standardOutput.write(try encoder.encode(value))
    FileHandle.standardOutput.write(Data("\n".utf8))
}

func failOnWire(_ error: Error) -> Error {
    if let failure = error as? WireRunFailure {
        FileHandle.standardError.write(Data("syntop: \(failure)\n".utf8))
        return ExitCode(2)
    }
    return error
}

/// A wire report with the database's side beside it under `database`, as one JSON object.
struct MergedOutput<WireSide: Encodable, DatabaseSide: Encodable>: Encodable {
    var wire: WireSide?
    var database: DatabaseSide?

    enum Keys: String, CodingKey { case database }

    func encode(to encoder: Encoder) throws {
        try wire?.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encodeIfPresent(database, forKey: .database)
    }
}

/// What a screen's JSON command runs with: its options, then the context and the file.
struct ScreenSettings {
    var wire: WireSourceSettings
    var database: DatabaseSource
    var listen: Double

    init(_ source: WireSourceOptions, _ database: DatabaseOptions, _ output: OutputOptions,
         _ context: ContextOption) throws {
        let settings = try context.settings(source.given(), database.given(), output.given(),
                                            replaying: source.replay != nil)
        settings.reportProblems()
        wire = source.resolved(settings)
        self.database = DatabaseSource(settings: settings)
        listen = output.listenSeconds(settings)
    }
}

/// What a JSON command that merges wire and database has to read.
struct MergedSources {
    var config: SynapseConfig?
    var database: (conninfo: String, display: String)?
    var hasWire: Bool

    init(_ source: WireSourceSettings, _ database: DatabaseSource) throws {
        config = source.loadConfig()
        self.database = database.resolve(config)
        hasWire = source.replay != nil || source.hasRedis(config)
        guard hasWire || self.database != nil else {
            throw ValidationError("nothing to read: give Redis (--redis, -c, $SYNTOP_REDIS), --replay FILE, or --db")
        }
    }
}

/// The options every non-interactive screen command shares.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON and exit instead of opening the console.")
    var json = false

    @Option(help: "Seconds to listen to Redis before printing (0 with roles: configuration only; default: 5).")
    var listen: Double?

    /// `--listen 0` is roles' "configuration only", which no config file can make a default.
    func given() throws -> [SettingKey: SettingValue] {
        guard let listen, listen != 0 else { return [:] }
        return try SettingKey.listen.given(listen).map { [.listen: $0] } ?? [:]
    }

    func validate() throws {
        _ = try given()
    }

    func listenSeconds(_ settings: Settings) -> Double {
        listen == 0 ? 0 : settings.number(.listen) ?? 5
    }

    /// The console is where the interactive screen is; these commands only print JSON.
    func requireJSON(screen: String, key: Int) throws {
        guard json else { throw ValidationError("the console's \(screen) screen is `syntop` then \(key); use --json here") }
    }
}

/// A screen's JSON command: the wire side (listened to, or a whole replay) when a source is
/// known, the database side when one is, printed as one document. `feeds`: what the wire side
/// shows of the rows beyond positions and processes.
func printMerged<WireSide: Encodable, DatabaseSide: Encodable>(
    _ settings: ScreenSettings, feeds: WireState.Feeds,
    wire: (WireState, WireSourceReport, Double, SynapseConfig?) -> WireSide,
    database side: ((conninfo: String, display: String)) throws -> DatabaseSide
) throws {
    let sources = try MergedSources(settings.wire, settings.database)
    do {
        var merged = MergedOutput<WireSide, DatabaseSide>()
        if sources.hasWire {
            let (state, report, now) = try collectWire(settings.wire, config: sources.config, seconds: settings.listen,
                                                     feeds: feeds)
            merged.wire = wire(state, report, now, sources.config)
        }
        if let target = sources.database { merged.database = try side(target) }
        try printJSON(merged)
    } catch {
        throw failOnWire(error)
    }
}

extension OutputOptions {
    static let mergedDiscussion = """
        With --json: listens for --listen seconds (or reads a whole --replay file) when a Redis is known, \
        reads the database when one is known, and prints one JSON document.
        """
}

/// A config problem as the JSON commands print it: never the value, as ConfigProblem keeps none.
struct ProblemReport: Encodable {
    var severity: String
    var file: String
    var line: Int?
    var key: String?
    var message: String

    init(_ problem: ConfigProblem) {
        severity = problem.severity == .critical ? "error" : "warning"
        file = problem.file
        line = problem.line
        key = problem.key
        message = problem.message
    }
}
