import Deployments
import ArgumentParser
import Contract
import Feeds
import Foundation
import Observation
import Settings
import Wire

func printJSON<T: Encodable>(_ value: T) throws {
    FileHandle.standardOutput.write(try JSONDocument.encode(value))
}

/// What is wrong with how a deployment is named is a usage error, said with the usage.
func resolving<Value>(_ body: () throws -> Value) throws -> Value {
    do {
        return try body()
    } catch let error as DeploymentError {
        throw ValidationError(error.description)
    }
}

/// A command that prints once and could not read its sources: it says why on stderr and exits 2.
func printingOnce(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let failure as SourceFailure {
        FileHandle.standardError.write(Data("syntop: \(failure)\n".utf8))
        throw ExitCode(2)
    }
}

/// What a screen's JSON command runs with: its options, then the context and the file.
struct ScreenSettings {
    var settings: Settings
    var wire: WireSourceSettings
    var database: DatabaseSource
    var listen: Double

    init(_ source: WireSourceOptions, _ database: DatabaseOptions, _ output: OutputOptions,
         _ context: ContextOption) throws {
        settings = try context.settings(source.given(), database.given(), output.given(),
                                        replaying: source.replay != nil)
        settings.reportProblems()
        wire = source.resolved(settings)
        self.database = DatabaseSource(settings: settings)
        listen = output.listenSeconds(settings)
    }

    /// The deployment, with a recording that cannot be read as a failure to say; `listen`:
    /// whether to subscribe where a Redis is known.
    func deployment(listen: Bool = true) throws -> Deployment {
        do {
            return try resolving { try Deployment(wire, database, config: wire.loadConfig(), settings: settings, listen: listen) }
        } catch let failure as RecordingFile.Failure {
            throw SourceFailure(description: failure.description)
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

    static let mergedDiscussion = """
        With --json: listens for --listen seconds (or reads a whole --replay file) when a Redis is known, \
        reads the database when one is known, and prints one JSON document.
        """
}

/// The observation a command that prints once drove: the wire listened to (or a recording
/// read), `reads` of the database, and the processes when `processes`; the database that
/// cannot be read is a failure to say.
func observeOnce(_ deployment: Deployment, feeds: WireState.Feeds, reads: [DatabaseRead], listen: Double,
                 processes: Bool = false) throws -> Observation {
    let collect = Collect(deployment, listen: listen, askProcesses: processes)
    let observation = try collect.run(deployment.setup(feeds: feeds, reads: reads))
    if let (failure, _) = collect.databaseFailure { throw SourceFailure(description: failure) }
    return observation
}

/// A screen's JSON command with a wire side and a database side: one of them is needed.
func observeMerged(_ settings: ScreenSettings, feeds: WireState.Feeds, reads: [DatabaseRead]) throws -> Observation {
    let deployment = try settings.deployment()
    guard deployment.hasWire || deployment.database != nil else {
        throw ValidationError("nothing to read: give Redis (--redis, -c, $SYNTOP_REDIS), --replay FILE, or --db")
    }
    return try observeOnce(deployment, feeds: feeds, reads: reads, listen: settings.listen)
}
