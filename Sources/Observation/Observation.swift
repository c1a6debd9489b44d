import Config
import Connection
import Findings
import Redis
import Wire

/// What syntop knows of a deployment, as one value: what the replication channels said and
/// where they are heard from, the database's answers, the processes' own, the configuration and
/// the thresholds, each source's status and the clock. The console, the exporter, `check` and
/// every JSON command hold one and change it only through `ObservationReducer.reduce`; what they
/// show of it (screens, metric families, documents) is derived from it. Its stored properties
/// can be set only in this module, so a write from anywhere else does not compile.
public struct Observation: Sendable {
    public internal(set) var wire: WireState
    public internal(set) var source = WireSource.none
    /// The replay is held where it is (the console paused, or stepping).
    public internal(set) var replayHeld = false
    public internal(set) var database: DatabaseState
    public internal(set) var processes = ProcessesState()
    /// Synapse's configuration, when -c was given or found in Debian's place.
    public internal(set) var config: SynapseConfig?
    /// Without -c: where syntop looked for the config, and what it found.
    public internal(set) var configSearch: String?
    /// When a writer, a stream or a backlog becomes an alert.
    public internal(set) var thresholds: AlertThresholds
    /// The wire's time: the clock live, the last line played in a replay.
    public internal(set) var now: Double = 0
    /// The wall clock, when it differs from `now` (a replay): what the database's ages and retry
    /// times are measured against, since those are read live.
    public internal(set) var clock: Double?
    public internal(set) var probe = ProbeState()
    /// When the database and the processes are read, and what.
    public internal(set) var reads: ReadSchedule
    public internal(set) var processRounds: ProcessSchedule

    public init(_ setup: ObservationSetup = ObservationSetup()) {
        wire = WireState(feeds: setup.feeds)
        database = DatabaseState(display: setup.database)
        config = setup.config
        configSearch = setup.configSearch
        thresholds = setup.thresholds
        reads = ReadSchedule(standing: setup.reads, roomAlerts: setup.roomAlerts, interval: setup.refreshSeconds,
                             repeating: setup.repeating)
        processRounds = ProcessSchedule(hosts: setup.processHosts, subscribers: setup.subscribers,
                                        repeating: setup.repeating)
    }

    /// Now, for what was read from the database.
    public var databaseNow: Double { clock ?? now }

    /// The database's refresh interval, which is also the processes'.
    public var refreshSeconds: Double { reads.interval }

    /// Where each configured process is asked how it is.
    public var probes: [ProcessProbe] { ProcessProbe.of(config, hosts: processRounds.hosts) }

    /// Whether there is any replication source (a live Redis or a recording).
    public var listened: Bool {
        if case .none = source { false } else { true }
    }

    /// Subscribed to the live channels now.
    public var subscribed: Bool {
        if case .live(_, _, .ready) = source { true } else { false }
    }

    /// The alerts of the status line, `check` and the exporter, of this moment; `wire` is what
    /// the screens show when it is not the live one (the console paused).
    public func alerts(wire shown: WireState? = nil) -> [Alert] {
        Alerts.evaluate(wire: shown ?? wire, listened: listened, database: database, config: config, now: now,
                        thresholds: thresholds, probedAt: probe.at, clock: clock, processes: processes,
                        ownSubscriptions: subscribed ? 1 : 0)
    }
}

/// What an observation starts with: the deployment as its consumer resolved it, and what that
/// consumer keeps of it.
public struct ObservationSetup: Equatable, Sendable {
    public enum WireInput: Equatable, Sendable {
        case none
        /// `probe`: REPLICATE may be published on request, and is once on the first subscription.
        case live(endpoint: String, serverName: String, probe: Bool)
        /// The consumer holds the recording and reads it as asked (`feedReplay`), or whole.
        case replay(file: String, span: RecordingSpan, speed: ReplaySpeed)
    }

    public var config: SynapseConfig?
    public var configSearch: String?
    public var thresholds: AlertThresholds
    /// How the database is named on screen; nil without one.
    public var database: String?
    public var wire: WireInput
    /// The rows kept beyond positions and processes: a consumer that never shows rows keeps none.
    public var feeds: WireState.Feeds
    /// Read in every round, whatever else the consumer asks for.
    public var reads: [DatabaseRead]
    /// Read the rooms over the forward-extremities warning, once a minute, for the alerts.
    public var roomAlerts: Bool
    public var refreshSeconds: Double
    /// Rounds every `refreshSeconds` (the console, the exporter), or only when asked (`check`
    /// and the JSON commands, which read once and print).
    public var repeating: Bool
    /// Where a process runs whose listeners are bound to every address of another machine.
    public var processHosts: [String: String]
    /// The channels whose subscribers Redis is asked to count; nil where there is no Redis to ask.
    public var subscribers: [String]?
    /// Ask the configured processes how they are (and Redis to count subscribers). The console,
    /// the exporter and `check` do not beside a replay, which is of another time than their answers.
    public var askProcesses = true

    public init(config: SynapseConfig? = nil, configSearch: String? = nil, thresholds: AlertThresholds = AlertThresholds(),
                database: String? = nil, wire: WireInput = .none, feeds: WireState.Feeds = [],
                reads: [DatabaseRead] = [], roomAlerts: Bool = false,
                refreshSeconds: Double = 2, repeating: Bool = true, processHosts: [String: String] = [:],
                subscribers: [String]? = nil) {
        self.config = config
        self.configSearch = configSearch
        self.thresholds = thresholds
        self.database = database
        self.wire = wire
        self.feeds = feeds
        self.reads = reads
        self.roomAlerts = roomAlerts
        self.refreshSeconds = refreshSeconds
        self.repeating = repeating
        self.processHosts = processHosts
        self.subscribers = subscribers
    }
}

/// `--probe`: whether REPLICATE may be published, whether once at the start, and when it was.
public struct ProbeState: Equatable, Sendable {
    public internal(set) var allowed = false
    var onStart = false
    /// When REPLICATE was last published: every process should answer it.
    public internal(set) var at: Double?
}

/// The processes' rounds: each configured process's listeners, and Redis's count of subscribers.
public struct ProcessSchedule: Equatable, Sendable {
    var hosts: [String: String]
    var subscribers: [String]?
    var repeating: Bool
    var timer = 0
    public internal(set) var running = false
    /// Rounds whose every answer is in.
    public internal(set) var finished = 0
}
