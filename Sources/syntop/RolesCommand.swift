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

/// `syntop roles --json`: the configured processes beside what the wire shows.
struct RolesReport: Encodable {
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
}

struct RolesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roles",
        abstract: "Which process is main, which workers exist and which streams each writes: configured and seen.",
        discussion: """
            With --json: reads the -c config files, listens for --listen seconds when a Redis is known (or \
            reads a --replay file), and prints one JSON document. --listen 0 compares nothing with the wire.
            """)

    @OptionGroup var source: WireSourceOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var context: ContextOption

    func run() throws {
        try output.requireJSON(screen: "Roles", key: 2)
        let settings = try ScreenSettings(source, database, output, context)
        let (source, database, listen) = (settings.wire, settings.database, settings.listen)
        let config = source.loadConfig()
        var wire = WireState()
        var report: WireSourceReport?
        if source.replay != nil || (listen > 0 && source.hasRedis(config)) {
            do {
                (wire, report, _) = try collectWire(source, config: config, seconds: listen, feeds: [])
            } catch {
                throw failOnWire(error)
            }
        }
        let processes = collectProcesses(config, hosts: source.processHosts, subscribers: source.subscriberTarget(config))
        let probes = ProcessProbe.of(config, hosts: source.processHosts)
        var roles = RoleComparison.compare(config: config, wire: wire, listened: report != nil)
        if let config {
            roles = ProcessRole.flagging(roles, with: Alerts.processAlerts(config: config, processes: processes,
                                                                           now: unixTime(), ownSubscriptions: 0))
        }
        var databaseSide: RolesReport.DatabaseSide?
        if let target = database.resolve(config) {
            do {
                let ((session, instances), errors) = try read(SessionStore.read.then(RoleStore.read), target,
                                                              timeoutMS: database.statementTimeout)
                databaseSide = RolesReport.DatabaseSide(database: target.display, session: session, instances: instances,
                                                        errors: errors)
            } catch {
                throw failOnWire(error)
            }
        }
        try printJSON(RolesReport(
            configFiles: config?.files ?? [],
            serverName: config?.serverName,
            problems: (config?.problems ?? []).map(ProblemReport.init),
            wire: report,
            processes: roles.map { role in
                RolesReport.Process(
                    instance: role.instance, app: role.configured?.app, file: role.configured?.file,
                    configuredWrites: role.configured?.writes ?? [], duties: role.configured?.duties ?? [],
                    replicationAddress: role.configured?.replicationAddress,
                    seenWriting: role.observed.map { $0.streams.map(\.rawValue).sorted() },
                    seenIn: role.observed.map { $0.seenIn.sorted() },
                    firstSeen: role.observed?.firstSeen, lastSeen: role.observed?.lastSeen, flags: role.flags,
                    listeners: probes.first { $0.instance == role.instance }.map { probe in
                        Array(Set(probe.health.map(\.listener) + (probe.metrics.map { [$0.listener] } ?? []))).sorted()
                    } ?? [],
                    health: ProcessReport.health(role.instance, processes, probe: probes.first { $0.instance == role.instance }),
                    metrics: Nullable(value: ProcessReport.metrics(role.instance, processes)))
            },
            redisSubscribers: processes.subscribers.map { count in
                SubscribersReport(channels: count.channels, configuredProcesses: config?.processes.count ?? 0,
                                  addresses: count.addresses, addressesRefused: count.addressesRefused, error: count.error)
            },
            database: databaseSide))
        if config?.problems.contains(where: { $0.severity == .critical }) == true { throw ExitCode(1) }
    }
}
