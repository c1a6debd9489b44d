import Findings
import Observation
import Wire

/// `syntop check`'s verdict, as a monitoring plugin reports it: a summary line with performance
/// data, a line per finding, and the exit status Nagios and Icinga read.
public struct CheckVerdict: Equatable, Sendable {
    /// What the check could not read, said as findings of its own.
    public struct Failures: Equatable, Sendable {
        /// The database could not be read: before listening, or after.
        public var database: String?
        public var databaseAfterListening = false
        /// Nothing was subscribed to, or the recording could not be read.
        public var wire: String?

        public init(database: String? = nil, databaseAfterListening: Bool = false, wire: String? = nil) {
            self.database = database
            self.databaseAfterListening = databaseAfterListening
            self.wire = wire
        }
    }

    public var findings: [Alert]
    public var summary: String

    /// 0 ok, 1 warning, 2 critical.
    public var exitStatus: Int32 {
        if findings.contains(where: { $0.level == .critical }) { return 2 }
        return findings.isEmpty ? 0 : 1
    }

    public var lines: [String] {
        [summary] + findings.sorted { $0.level > $1.level }.map {
            "\($0.level == .critical ? "CRITICAL" : "WARNING") \($0.subject): \($0.message)"
        }
    }

    /// Nothing to check: no Redis, no recording, no database.
    public static let nothingToCheck = "SYNTOP UNKNOWN - nothing to check: give -c homeserver.yaml, --redis and/or --db, or a context"
    public static let nothingToCheckStatus: Int32 = 3

    /// `before`: the writers' positions the database held before listening; `listenSeconds`
    /// how long the wire was listened to; `replay` whether the wire is a recording.
    /// `settingsProblems`: what is wrong with syntop's own config file, a warning each.
    public init(_ observation: Observation, before: [WriterKey: Int64], failures: Failures, settingsProblems: [String],
                listenSeconds: Double, replay: Bool) {
        // A monitoring system sees its check's own config going wrong as a warning.
        var findings = settingsProblems.map { Alert(.warning, "config", $0) }
        let databaseFailure = failures.database.map { Alert(.critical, "postgres", $0) }
        if let databaseFailure, !failures.databaseAfterListening { findings.append(databaseFailure) }
        if let wire = failures.wire { findings.append(Alert(.critical, "redis", wire)) }
        let hasDatabase = observation.database.display != nil
        let listened = failures.wire == nil && observation.listened
        let database = observation.database
        if hasDatabase && failures.database == nil {
            // What failed in the session or the pokes is a finding (a missing grant); the
            // positions' errors stay with them.
            if listened && !replay, let after = database.positions {
                findings += Alerts.stalled(before: before, after: Alerts.storedPositions(after.value), wire: observation.wire,
                                           listenedSince: observation.now - listenSeconds)
            }
            let errors = database.sessionErrors + (database.pokes?.errors ?? []) + (database.extremities?.errors ?? [])
            findings += errors.map { Alert(.warning, "postgres", $0) }
        }
        if let databaseFailure, failures.databaseAfterListening { findings.append(databaseFailure) }
        // The database's unreachability is said once, above, as check has always said it.
        findings += Alerts.evaluate(
            wire: listened ? observation.wire : WireState(), listened: listened, database: database,
            config: observation.config, now: observation.now, thresholds: observation.thresholds,
            probedAt: observation.probe.at, clock: observation.clock, processes: observation.processes,
            databaseStatus: false)
        let critical = findings.filter { $0.level == .critical }.count
        let warning = findings.count - critical
        let status = critical > 0 ? "CRITICAL" : (warning > 0 ? "WARNING" : "OK")
        let wire = listened ? observation.wire : WireState()
        let summary = findings.isEmpty
            ? "no findings (\(listened ? "wire \(Int(listenSeconds)) s" : "no wire"), \(hasDatabase ? "database read" : "no database"))"
            : "\(critical) critical, \(warning) warning"
        self.findings = findings
        self.summary = "SYNTOP \(status) - \(summary) | critical=\(critical) warning=\(warning) "
            + "writers=\(wire.positions.count) lines=\(wire.lines) "
            + "rooms_over_extremities=\(database.extremities?.value.rooms.count ?? 0) "
            + "processes_down=\(observation.processes.health.values.filter { $0.state == .down }.count)"
    }
}
