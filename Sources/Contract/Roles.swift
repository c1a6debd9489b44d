import Config
import Observation
import Redis
import Store
import Wire

/// `syntop roles --json`: the configured processes beside what the wire shows.
public struct RolesReport: Encodable {
    struct Process: Encodable {
        var instance: String
        var app: String?
        var file: String?
        var configuredWrites: [String]
        var duties: [String]
        var replicationAddress: String?
        var seenWriting: [String]?
        var seenIn: [String]?
        var firstSeen: Double?
        var lastSeen: Double?
        var flags: [RoleFlag]
        var listeners: [String]
        var health: ProcessReport.Health
        /// null where the process serves no metrics.
        var metrics: Nullable<ProcessReport.Metrics>
    }

    struct DatabaseSide: Encodable {
        var database: String
        var session: SessionStore.Session
        var instances: [RoleStore.Instance]
        var errors: [String]
    }

    var configFiles: [String]
    var serverName: String?
    var problems: [ProblemReport]
    var wire: WireSourceReport?
    var processes: [Process]
    /// Redis's count of the replication channels' subscribers (syntop's own left out).
    var redisSubscribers: SubscribersReport?
    /// What the database says: writers with persisted positions, federation senders, locks.
    var database: DatabaseSide?

    public static let reads: [DatabaseRead] = [.roles]

    /// `listenedSeconds`: how long a live source was listened to; the wire is compared with the
    /// configuration only where there was one.
    public init(_ observation: Observation, listenedSeconds: Double) {
        let config = observation.config
        let processes = observation.processes
        let probes = observation.probes
        let report = WireSourceReport(observation, listenedSeconds: listenedSeconds)
        var roles = RoleComparison.compare(config: config, wire: observation.wire, listened: report != nil)
        if let config {
            roles = ProcessRole.flagging(roles, with: Alerts.processAlerts(config: config, processes: processes,
                                                                           now: observation.databaseNow, ownSubscriptions: 0))
        }
        configFiles = config?.files ?? []
        serverName = config?.serverName
        problems = (config?.problems ?? []).map(ProblemReport.init)
        wire = report
        self.processes = roles.map { role in
            let probe = probes.first { $0.instance == role.instance }
            return Process(
                instance: role.instance, app: role.configured?.app, file: role.configured?.file,
                configuredWrites: role.configured?.writes ?? [], duties: role.configured?.duties ?? [],
                replicationAddress: role.configured?.replicationAddress,
                seenWriting: role.observed.map { $0.streams.map(\.rawValue).sorted() },
                seenIn: role.observed.map { $0.seenIn.sorted() },
                firstSeen: role.observed?.firstSeen, lastSeen: role.observed?.lastSeen, flags: role.flags,
                listeners: probe.map { probe in
                    Array(Set(probe.health.map(\.listener) + (probe.metrics.map { [$0.listener] } ?? []))).sorted()
                } ?? [],
                health: ProcessReport.health(role.instance, processes, probe: probe),
                metrics: Nullable(ProcessReport.metrics(role.instance, processes)))
        }
        redisSubscribers = processes.subscribers.map { count in
            SubscribersReport(channels: count.channels, configuredProcesses: config?.processes.count ?? 0,
                              addresses: count.addresses, addressesRefused: count.addressesRefused, error: count.error)
        }
        database = Documents.database(observation).map { display, session in
            let roles = observation.database.roles
            return DatabaseSide(database: display, session: session, instances: roles?.value ?? [],
                                errors: Documents.errors(observation, roles?.errors ?? []))
        }
    }

    /// A critical problem in Synapse's config: the command exits 1.
    public var configBroken: Bool { problems.contains { $0.severity == "error" } }
}

/// A process's health and figures as the JSON commands print them.
public struct ProcessReport: Encodable {
    struct Health: Encodable {
        var state: String
        var checkedAt: Double?
        var responseMs: Double?
        var error: String?
        var listener: String?
        var downSince: Double?
    }

    struct Metrics: Encodable {
        var version: String?
        var build: String?
        var startTime: Double?
        var uptimeSeconds: Double?
        var cpuSecondsTotal: Double?
        var residentMemoryBytes: Double?
        var openFds: Double?
        var maxFds: Double?
        var reactorTickSeconds: Double?
        var replicationInboundCommands: Double?
        var replicationOutboundCommands: Double?
        var replicationInboundRows: Double?
        var eventPersistedPosition: Double?
        var eventProcessingPositions: [String: Double]
    }

    static func health(_ instance: String, _ processes: ProcessesState, probe: ProcessProbe?) -> Health {
        guard let health = processes.health[instance] else {
            return Health(state: "unknown", error: probe?.health.isEmpty ?? true ? "not reachable from here: no listener known" : nil)
        }
        return Health(state: health.state.rawValue, checkedAt: health.checkedAt, responseMs: health.responseMS,
                      error: health.error, listener: health.deciding?.target.listener, downSince: health.downSince)
    }

    static func metrics(_ instance: String, _ processes: ProcessesState) -> Metrics? {
        guard let reading = processes.metrics[instance]?.reading else { return nil }
        let tick = reading.tickCount.flatMap { count in count > 0 ? reading.tickSum.map { $0 / count } : nil }
        return Metrics(version: reading.version, build: reading.build, startTime: reading.startTime,
                       uptimeSeconds: reading.startTime.map { reading.at - $0 }, cpuSecondsTotal: reading.cpuSeconds,
                       residentMemoryBytes: reading.residentBytes, openFds: reading.openFDs, maxFds: reading.maxFDs,
                       reactorTickSeconds: tick, replicationInboundCommands: reading.inboundCommands,
                       replicationOutboundCommands: reading.outboundCommands, replicationInboundRows: reading.inboundRows,
                       eventPersistedPosition: reading.persistedPosition,
                       eventProcessingPositions: reading.processingPositions)
    }
}

/// Redis's count of the replication channels' subscribers, as the JSON commands print it.
struct SubscribersReport: Encodable {
    var channels: [String: Int]
    var configuredProcesses: Int
    var addresses: [String]?
    var addressesRefused: String?
    var error: String?
}
