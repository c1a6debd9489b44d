import Deployments
import ArgumentParser
import Contract
import Feeds
import Observation
import Settings

/// `syntop check`: the console's alerts, evaluated once, as a monitoring plugin reports them.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Evaluate the alerts once and exit 0 (ok), 1 (warning) or 2 (critical), as Nagios and Icinga expect.",
        discussion: """
            Reads the database, listens to the replication channels for --listen seconds, reads the database \
            again, and prints one summary line with performance data, then one line per finding. A stream \
            whose database position moved while its writer said nothing on the wire is critical: replication \
            of that stream has stopped. With --probe, every configured process must answer REPLICATE. \
            Exit 3 (unknown) when there is nothing to check.
            """)

    @OptionGroup var source: WireSourceOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var alerts: AlertOptions

    @OptionGroup var context: ContextOption

    @Option(help: "Seconds to listen to Redis (default: 10).")
    var listen: Double?

    func run() throws {
        let settings = try context.settings(source.given(), database.given(), alerts.given(),
                                            SettingKey.listen.given(listen).map { [.listen: $0] } ?? [:],
                                            replaying: self.source.replay != nil)
        var source = self.source.resolved(settings)
        let listen = settings.number(.listen) ?? 10
        var failures = CheckVerdict.Failures()
        var deployment: Deployment
        do {
            deployment = try Deployment(source, DatabaseSource(settings: settings), config: source.loadConfig(), settings: settings)
        } catch {
            // A wire that cannot be listened to (a recording not there, a Redis named wrongly) is a
            // finding: the rest is still checked.
            guard error is RecordingFile.Failure || error is DeploymentError else { throw error }
            failures.wire = "\(error)"
            source.replay = nil
            deployment = try resolving {
                try Deployment(source, DatabaseSource(settings: settings), config: source.loadConfig(), settings: settings, listen: false)
            }
        }
        guard deployment.hasWire || deployment.database != nil || failures.wire != nil else {
            print(CheckVerdict.nothingToCheck)
            throw ExitCode(CheckVerdict.nothingToCheckStatus)
        }
        var observation = Observation()
        // A recording is of another time than the processes' answers, read or not.
        let collect = Collect(deployment, listen: listen, readBeforeListening: true, askProcesses: self.source.replay == nil)
        var setup = deployment.setup(feeds: [], reads: [.positions, .pokes(cap: max(deployment.thresholds.pendingCritical, 1))])
        setup.roomAlerts = true
        do {
            observation = try collect.run(setup)
        } catch let failure as SourceFailure {
            failures.wire = failure.description
            observation = collect.observation
        }
        if let (failure, after) = collect.databaseFailure {
            failures.database = failure
            failures.databaseAfterListening = after
        }
        let verdict = CheckVerdict(observation, before: Alerts.storedPositions(collect.firstPositions?.value ?? []),
                                   failures: failures, settingsProblems: settings.problems.map(\.description),
                                   listenSeconds: listen, replay: self.source.replay != nil)
        for line in verdict.lines { print(line) }
        if verdict.exitStatus != 0 { throw ExitCode(verdict.exitStatus) }
    }
}
