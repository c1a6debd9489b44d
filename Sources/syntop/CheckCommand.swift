import ArgumentParser
import Config
import Console
import Foundation
import Replication
import Settings
import Store
import Wire

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
        let source = self.source.resolved(settings)
        let database = DatabaseSource(settings: settings)
        let listen = settings.number(.listen) ?? 10
        let config = source.loadConfig()
        let target = database.resolve(config)
        let hasWire = source.replay != nil || source.hasRedis(config)
        guard hasWire || target != nil else {
            print("SYNTOP UNKNOWN - nothing to check: give -c homeserver.yaml, --redis and/or --db, or a context")
            throw ExitCode(3)
        }
        let thresholds = AlertOptions.thresholds(settings)
        // A monitoring system sees its check's own config going wrong as a warning.
        var findings: [Alert] = settings.problems.map { Alert(.warning, "config", $0.description) }
        var databaseState = DatabaseState(display: target?.display)
        var before: [WriterKey: Int64] = [:]
        if let target {
            do {
                let (streams, _) = try read(StreamPositionStore.read, target, timeoutMS: database.statementTimeout)
                before = Alerts.storedPositions(streams)
            } catch {
                findings.append(Alert(.critical, "postgres", "\(error)"))
            }
        }
        var wire = WireState()
        var listened = false
        var now = unixTime()
        var probedAt: Double?
        if hasWire {
            do {
                let report: WireSourceReport
                (wire, report, now) = try collectWire(source, config: config, seconds: listen, feeds: [])
                probedAt = report.probedAt
                listened = true
            } catch {
                findings.append(Alert(.critical, "redis", "\(error)"))
            }
        }
        if let target, findings.allSatisfy({ $0.subject != "postgres" }) {
            do {
                // The same reads as the console's; what failed in the session or the pokes is a
                // finding (a missing grant), the positions' errors stay with them.
                let (streams, positionErrors) = try read(StreamPositionStore.read, target,
                                                         timeoutMS: database.statementTimeout)
                databaseState.positions = Fetched(streams, at: unixTime(), errors: positionErrors)
                let (((session, pokes), rooms), errors) = try read(
                    SessionStore.read.then(DeviceListStore.pokes(cap: max(thresholds.pendingCritical, 1)))
                        .then(RoomStore.extremities(threshold: thresholds.extremitiesWarning)), target,
                    timeoutMS: database.statementTimeout)
                databaseState.session = session
                databaseState.pokes = Fetched(pokes, at: unixTime(), errors: errors)
                databaseState.extremities = Fetched(rooms, at: unixTime(), errors: errors)
                if listened && source.replay == nil {
                    findings += Alerts.stalled(before: before, after: Alerts.storedPositions(streams), wire: wire,
                                                     listenedSince: now - listen)
                }
                findings += errors.map { Alert(.warning, "postgres", $0) }
            } catch {
                findings.append(Alert(.critical, "postgres", "\(error)"))
            }
        }
        // Each process's own listeners, and Redis's count of subscribers: no --probe needed,
        // nothing written.
        let processes = source.replay == nil
            ? collectProcesses(config, hosts: source.processHosts, subscribers: source.subscriberTarget(config))
            : ProcessesState()
        // A replay's time is the recording's; the database is read now.
        findings += Alerts.evaluate(wire: wire, listened: listened, database: databaseState, config: config,
                                    now: now, thresholds: thresholds, probedAt: probedAt,
                                    clock: source.replay != nil ? unixTime() : nil, processes: processes)
        let critical = findings.filter { $0.level == .critical }.count
        let warning = findings.count - critical
        let status = critical > 0 ? "CRITICAL" : (warning > 0 ? "WARNING" : "OK")
        let summary = findings.isEmpty
            ? "no findings (\(listened ? "wire \(Int(listen)) s" : "no wire"), \(target == nil ? "no database" : "database read"))"
            : "\(critical) critical, \(warning) warning"
        print("SYNTOP \(status) - \(summary) | critical=\(critical) warning=\(warning) "
              + "writers=\(wire.positions.count) lines=\(wire.lines) "
              + "rooms_over_extremities=\(databaseState.extremities?.value.count ?? 0) "
              + "processes_down=\(processes.health.values.filter { $0.state == .down }.count)")
        for finding in findings.sorted(by: { $0.level > $1.level }) {
            print("\(finding.level == .critical ? "CRITICAL" : "WARNING") \(finding.subject): \(finding.message)")
        }
        if critical > 0 { throw ExitCode(2) }
        if warning > 0 { throw ExitCode(1) }
    }

}
