import Findings
import Config
import NaturalOrder
import Redis
import Store
import Wire

/// When a writer, a stream or a backlog becomes an alert. `syntop check` takes them as options.
public struct AlertThresholds: Equatable, Sendable {
    /// Seconds a writer may stay silent on the wire while its stream moves on elsewhere.
    public var staleAfter: Double = 60
    /// How far (in stream ids) the other writers of its stream may get ahead of a silent writer.
    public var behindWarning: Int64 = 100
    public var pendingWarning = 1000
    public var pendingCritical = 10000
    /// Seconds the oldest waiting poke of a destination may wait.
    public var oldestPendingWarning: Double = 3600
    public var oldestPendingCritical: Double = 86400
    public var unconvertedWarning = 1000
    public var unconvertedCritical = 10000
    /// Forward extremities of one room: each new event there resolves that many states.
    public var extremitiesWarning = 10
    public var extremitiesCritical = 50

    public init() {}
}

/// One finding: what is wrong, where, and how bad.
public struct Alert: Equatable, Sendable, Codable {
    public var level: Severity
    /// What it is about: a stream and writer, a destination, a process, a connection.
    public var subject: String
    public var message: String

    public init(_ level: Severity, _ subject: String, _ message: String) {
        self.level = level
        self.subject = subject
        self.message = message
    }
}

/// The alerts of the status line and of `syntop check`, from what the wire, the database and
/// the configuration say. A pure function: the same inputs give the same findings.
public enum Alerts {
    /// `clock`: the wall clock, where it differs from the wire's `now` (a replay); the
    /// database's ages are measured against it.
    /// `ownSubscriptions`: syntop's own subscriptions to the main channel, which Redis counts
    /// among the processes'. `databaseStatus`: whether a database that cannot be reached is an
    /// alert here (`check` says so in its own words).
    public static func evaluate(wire: WireState, listened: Bool, database: DatabaseState, config: SynapseConfig?,
                                now: Double, thresholds: AlertThresholds, probedAt: Double? = nil,
                                clock: Double? = nil, processes: ProcessesState = ProcessesState(),
                                ownSubscriptions: Int = 0, databaseStatus: Bool = true) -> [Alert] {
        var alerts: [Alert] = []
        let databaseNow = clock ?? now
        if let config {
            alerts += processAlerts(config: config, processes: processes, now: databaseNow,
                                    ownSubscriptions: ownSubscriptions)
        }
        if let probedAt, let config {
            alerts += unanswered(config: config, wire: wire, probedAt: probedAt, now: now)
        }
        if let since = wire.disconnectedSince {
            alerts.append(Alert(.critical, "redis", "replication connection lost \(TimeText.age(now - since)) ago"))
        }
        alerts += writerAlerts(wire: wire, database: database, now: now, thresholds: thresholds)
        let malformed = wire.malformed.values.reduce(0, +)
        if malformed > 0 {
            alerts.append(Alert(.warning, "wire", "\(malformed) malformed replication line(s)"))
        }
        if databaseStatus, case .waiting(let since, _, let error) = database.status {
            alerts.append(Alert(.critical, "postgres", "unreachable for \(TimeText.age(databaseNow - since)): \(error)"))
        }
        if let pokes = database.pokes?.value {
            alerts += pokeAlerts(pokes, now: databaseNow, thresholds: thresholds)
        }
        if let rooms = database.extremities?.value.rooms {
            alerts += extremityAlerts(rooms, thresholds: thresholds)
        }
        for warning in database.session?.warnings ?? [] {
            alerts.append(Alert(.warning, "postgres", warning))
        }
        for problem in config?.problems ?? [] where problem.severity == .critical {
            alerts.append(Alert(.warning, "config", problem.description))
        }
        for role in RoleComparison.compare(config: config, wire: wire, listened: listened) {
            for flag in role.flags where flag.level == .critical {
                alerts.append(Alert(.critical, role.instance, flag.message))
            }
        }
        return alerts.sorted { $0.level > $1.level }
    }

    /// A configured process that is down: critical when it writes a stream or holds a duty,
    /// which then stops; a version unlike the others' (an upgrade half done); fewer
    /// subscribers on the main channel than configured processes (each one subscribes to it).
    public static func processAlerts(config: SynapseConfig, processes: ProcessesState, now: Double,
                              ownSubscriptions: Int) -> [Alert] {
        var alerts: [Alert] = []
        let configured = config.processes
        for process in configured {
            guard let health = processes.health[process.instance], health.state == .down else { continue }
            let writes = process.writes.filter { $0 != "caches" }
            let holds = process.duties + writes
            // Seen down once (check, roles --json), it has no "for" yet.
            let since = health.downSince.flatMap { now - $0 >= 1 ? " for \(TimeText.age(now - $0))" : nil } ?? ""
            alerts.append(Alert(holds.isEmpty ? .warning : .critical, process.instance,
                                "down\(since): \(health.error ?? "no answer")"
                                    + (holds.isEmpty ? "" : " (" + holds.joined(separator: ", ") + ")")))
        }
        let versions = processes.metrics.compactMapValues(\.reading.version)
        let counted = Dictionary(grouping: versions.values, by: { $0 }).mapValues(\.count)
        // Most processes' version, the newest on a tie: the one an upgrade goes to.
        if counted.count > 1, let common = counted.max(by: {
            $0.value != $1.value ? $0.value < $1.value : NaturalOrder.less($0.key, $1.key)
        })?.key {
            for (instance, version) in versions.sorted(by: { $0.key < $1.key }) where version != common {
                alerts.append(Alert(.warning, instance, "runs Synapse \(version) where most run \(common): an upgrade half done?"))
            }
        }
        // The channel asked for: the one without /USER_IP.
        if let count = processes.subscribers, count.error == nil,
           let (serverName, subscribers) = count.channels.first(where: { ReplicationChannels.isMain($0.key) }) {
            let theirs = subscribers - ownSubscriptions
            if theirs < configured.count {
                alerts.append(Alert(.warning, "redis", "\(theirs) process(es) subscribed to \(serverName), "
                                    + "\(configured.count) configured"))
            }
        }
        return alerts
    }

    /// What is wrong with one writer, as the alerts and the exporter's gauges say it.
    public struct WriterFinding: Equatable, Sendable {
        public enum Kind: Equatable, Sendable {
            /// Its token went backwards this many times.
            case restarted(Int)
            /// The database moved past what the wire said while the wire stayed silent.
            case stalled(database: Int64)
            /// Silent while `ahead` writes the same stream, `behind` ids ahead of it.
            case silent(ahead: InstanceName, behind: Int64)
        }
        public var key: WriterKey
        public var kind: Kind
        public var writer: WriterPosition
    }

    /// Restarts, stalled streams (the database moved on while the wire stayed silent: the
    /// failure nothing else shows) and writers silent while their stream moves on elsewhere
    /// (a stopped event persister, for one).
    public static func writerFindings(wire: WireState, database: DatabaseState, now: Double,
                                      thresholds: AlertThresholds) -> [WriterFinding] {
        var findings: [WriterFinding] = []
        let listenedFor = wire.firstLineAt.map { now - $0 } ?? 0
        let stored = database.positions.map { storedPositions($0.value) } ?? [:]
        for (key, writer) in wire.positions.sorted(by: { $0.key < $1.key }) {
            if writer.restarts > 0 {
                findings.append(WriterFinding(key: key, kind: .restarted(writer.restarts), writer: writer))
            }
            let silent = now - writer.lastSeen
            guard silent > thresholds.staleAfter, listenedFor > thresholds.staleAfter else { continue }
            if let position = stored[key], position > writer.token {
                findings.append(WriterFinding(key: key, kind: .stalled(database: position), writer: writer))
                continue
            }
            // The stream moved on without it: other writers took `behindWarning` ids or more
            // since it last spoke. Rooms are spread over event persisters, so a writer that
            // is merely idle falls behind by little; and the alert stays until it speaks.
            // Every process writes its own cache invalidations: no stream to fall behind on.
            guard key.stream != "caches" else { continue }
            let others = wire.positions.filter { $0.key.stream == key.stream && $0.key.instance != key.instance }
            if let ahead = others.max(by: { $0.value.token < $1.value.token }),
               ahead.value.token - writer.token >= thresholds.behindWarning {
                findings.append(WriterFinding(key: key, kind: .silent(ahead: ahead.key.instance,
                                                                      behind: max(0, ahead.value.token - writer.token)),
                                              writer: writer))
            }
        }
        return findings
    }

    static func writerAlerts(wire: WireState, database: DatabaseState, now: Double,
                             thresholds: AlertThresholds) -> [Alert] {
        writerFindings(wire: wire, database: database, now: now, thresholds: thresholds).map { finding in
            let subject = "\(finding.key.stream)/\(finding.key.instance)"
            let silent = TimeText.age(now - finding.writer.lastSeen)
            switch finding.kind {
            case .restarted(let times):
                return Alert(.warning, subject, "restarted ×\(times): its token went backwards")
            case .stalled(let position):
                return Alert(.critical, subject,
                             "stalled: database at \(position), wire at \(finding.writer.token), nothing heard for \(silent)")
            case .silent(let ahead, let behind):
                return Alert(.warning, subject, "silent for \(silent) while \(ahead) writes (\(behind) behind it)")
            }
        }
    }

    /// How long every process has to answer REPLICATE.
    public static let probeGrace = 5.0

    /// Configured processes that did not answer REPLICATE: every running process connected to
    /// Redis answers with the positions of what it writes (at least its caches). Critical for
    /// a process that writes streams: nothing is written to them while it is gone.
    public static func unanswered(config: SynapseConfig, wire: WireState, probedAt: Double, now: Double) -> [Alert] {
        guard now - probedAt >= probeGrace else { return [] }
        return config.processes.filter { $0.app != "?" }.compactMap { process in
            if let seen = wire.instances[InstanceName(rawValue: process.instance)], seen.lastSeen >= probedAt - 1 {
                return nil
            }
            let writes = process.writes.filter { $0 != "caches" }
            return Alert(writes.isEmpty ? .warning : .critical, process.instance,
                         "did not answer REPLICATE: not running, or not on this Redis"
                             + (writes.isEmpty ? "" : " (writes \(writes.joined(separator: ", ")))"))
        }
    }

    /// `syntop check`'s stall test over one listening window: writers whose database position
    /// moved while they published nothing on the wire (Synapse announces every advance it
    /// persists), so the stream stopped replicating.
    public static func stalled(before: [WriterKey: Int64], after: [WriterKey: Int64], wire: WireState,
                               listenedSince: Double) -> [Alert] {
        after.sorted { $0.key < $1.key }.compactMap { key, position in
            guard let old = before[key], position > old else { return nil }
            if let heard = wire.positions[key], heard.lastSeen >= listenedSince { return nil }
            return Alert(.critical, "\(key.stream)/\(key.instance)",
                         "stalled: the database moved \(old) -> \(position) while the wire said nothing of it")
        }
    }

    public static func storedPositions(_ streams: [StreamPositionStore.Stream]) -> [WriterKey: Int64] {
        var positions: [WriterKey: Int64] = [:]
        for stream in streams {
            for writer in stream.writers {
                positions[WriterKey(StreamName(rawValue: stream.stream), InstanceName(rawValue: writer.instance))] = writer.streamId
            }
        }
        return positions
    }

    /// Rooms with many forward extremities: an event sent there takes the ten newest as its
    /// prev events and pays for resolving their states, until the room has one again.
    public static func extremityAlerts(_ rooms: [RoomStore.Extremities], thresholds: AlertThresholds) -> [Alert] {
        rooms.compactMap { room in
            guard room.forwardExtremities >= thresholds.extremitiesWarning else { return nil }
            let level: Severity = room.forwardExtremities >= thresholds.extremitiesCritical ? .critical : .warning
            let name = room.name.map { " (\($0))" } ?? ""
            return Alert(level, room.roomId, "\(room.forwardExtremities) forward extremities\(name): "
                         + "each event sent there resolves their states")
        }
    }

    static func pokeAlerts(_ pokes: DeviceListStore.Pokes, now: Double, thresholds: AlertThresholds) -> [Alert] {
        var alerts: [Alert] = []
        for destination in pokes.destinations {
            guard let pending = destination.pending, pending > 0 else { continue }
            let age = destination.oldestPendingAt.map { now - $0 } ?? 0
            let level: Severity?
            if pending >= thresholds.pendingCritical || age >= thresholds.oldestPendingCritical {
                level = .critical
            } else if pending >= thresholds.pendingWarning || age >= thresholds.oldestPendingWarning {
                level = .warning
            } else {
                level = nil
            }
            guard let level else { continue }
            let count = destination.pendingCapped ? "\(pending)+" : "\(pending)"
            let down = destination.downSince.map { ", down for \(TimeText.age(now - $0))" } ?? ""
            alerts.append(Alert(level, destination.destination,
                                "\(count) device-list pokes waiting, oldest \(TimeText.age(age))\(down)"))
        }
        let unconverted = pokes.conversion.unconverted
        if unconverted >= thresholds.unconvertedWarning {
            let count = pokes.conversion.unconvertedCapped ? "\(unconverted)+" : "\(unconverted)"
            alerts.append(Alert(unconverted >= thresholds.unconvertedCritical ? .critical : .warning, "device_lists",
                                "\(count) room device-list changes not yet turned into pokes"))
        }
        return alerts
    }
}
