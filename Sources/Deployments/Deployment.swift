import Config
import Feeds
import Foundation
import Observation
import Redis
import Replication
import Settings
import Wire

/// A deployment as a command resolved it from its options, syntop's config file and Synapse's
/// config: where its replication traffic comes from, its database, its processes. Every command
/// sets its sources up from one of these, the one way.
public struct Deployment {
    public enum Wire {
        case none
        case live(endpoint: RedisEndpoint, serverName: String)
        /// The recording, open where the replay starts.
        case replay(file: String, reader: RecordingReader<RecordingFile>, span: RecordingSpan)
    }

    public var config: SynapseConfig?
    public var wire: Wire
    public var userIP: Bool
    public var probe: Bool
    public var database: (conninfo: String, display: String, timeoutMS: Int)?
    public var thresholds: AlertThresholds
    public var processHosts: [String: String]
    /// Where Redis is asked to count the channels' subscribers: wherever it is known, unless
    /// the wire is a recording.
    public var counted: (endpoint: RedisEndpoint, serverName: String)?

    /// `listen`: whether to subscribe where a Redis is known (`roles --listen 0` does not).
    /// Throws what is wrong with the Redis options (a usage error) or `RecordingFile.Failure`.
    public init(_ source: WireSourceSettings, _ database: DatabaseSource, config: SynapseConfig?, settings: Settings,
         listen: Bool = true) throws {
        self.config = config
        userIP = source.userIp
        probe = source.probe
        processHosts = source.processHosts
        thresholds = AlertThresholds.from(settings)
        self.database = database.resolve(config).map { ($0.conninfo, $0.display, database.statementTimeout) }
        if let file = source.replay {
            let (reader, span) = try source.window.open(file, utcOffset: utcOffset())
            wire = .replay(file: file, reader: reader, span: span)
            return
        }
        guard source.hasRedis(config) else {
            wire = .none
            return
        }
        if listen {
            let live = (try source.endpoint(config), try source.resolvedServerName(config))
            wire = .live(endpoint: live.0, serverName: live.1)
            counted = live
        } else {
            wire = .none
            if let endpoint = try? source.endpoint(config), let serverName = try? source.resolvedServerName(config) {
                counted = (endpoint, serverName)
            }
        }
    }

    /// A deployment of which only the database is read (`history`, `rooms`, `room`, `token`).
    public init(database target: (conninfo: String, display: String)?, _ source: DatabaseSource) {
        config = nil
        wire = .none
        userIP = false
        probe = false
        thresholds = AlertThresholds()
        processHosts = [:]
        database = target.map { ($0.conninfo, $0.display, source.statementTimeout) }
    }

    public var hasWire: Bool {
        if case .none = wire { false } else { true }
    }

    /// What the observation starts with; `speed` for a replay the console plays.
    public func setup(feeds: WireState.Feeds, reads: [DatabaseRead], refreshSeconds: Double = 2, repeating: Bool = false,
               speed: ReplaySpeed = .max, configSearch: String? = nil) -> ObservationSetup {
        let input: ObservationSetup.WireInput = switch wire {
        case .none: .none
        case .live(let endpoint, let serverName): .live(endpoint: endpoint.description, serverName: serverName, probe: probe)
        case .replay(let file, _, let span): .replay(file: file, span: span, speed: speed)
        }
        var setup = ObservationSetup(
            config: config, configSearch: configSearch, thresholds: thresholds, database: database?.display,
            wire: input, feeds: feeds, reads: reads, refreshSeconds: refreshSeconds, repeating: repeating,
            processHosts: processHosts, subscribers: counted.map { ReplicationChannels.all(serverName: $0.serverName) })
        // A replay is of another time than the processes' answers.
        if case .replay = wire { setup.askProcesses = false }
        return setup
    }

    /// The sources to start; `retryDatabase`: whether a database that fails is tried again.
    public func sources(retryDatabase: Bool) -> Feeds.Sources {
        var sources = Feeds.Sources(redis: counted?.endpoint, serverName: counted?.serverName, userIP: userIP,
                                    database: database.map { ($0.conninfo, $0.timeoutMS) }, retryDatabase: retryDatabase)
        switch wire {
        case .none: break
        case .live: sources.subscribe = true
        case .replay(_, let reader, _): sources.recording = reader
        }
        return sources
    }
}

/// The local time zone's offset from UTC, in seconds, for clock times and `--from`.
public func utcOffset() -> Int {
    var now = time(nil)
    var local = tm()
    localtime_r(&now, &local)
    return local.tm_gmtoff
}
