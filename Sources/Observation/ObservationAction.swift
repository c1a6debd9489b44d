import Connection
import Findings
import Redis
import Wire

/// Where an input comes from, for the connection status it reports.
public enum Source: Equatable, Sendable {
    case redis
    case postgres
}

/// Every way an observation changes: what the sources, the timers and the consumer report.
public enum ObservationAction: Equatable, Sendable {
    /// What the consumer found, before anything else.
    case start(ObservationSetup)
    /// What one wake-up read from Redis, in order.
    case wire([WireMessage])
    /// A source's connection changed.
    case connection(Source, ConnectionStatus)
    /// A database read finished (or the session was read).
    case database(DatabaseUpdate)
    /// Every read of the round asked for (`read`) has answered.
    case databaseRoundFinished
    /// A process's listeners answered (or did not) a health or metrics request; the health
    /// answers of one process come together.
    case processAnswered([ProcessAnswer])
    /// Redis counted the replication channels' subscribers.
    case subscribersCounted(SubscriberCount)
    /// Every answer of the processes' round is in.
    case processRoundFinished
    /// Ask the processes now: a command that prints once asks them when its window closes.
    case askProcesses
    /// A timer asked for with `schedule` fired.
    case timer(ObservationTimer)
    /// The REPLICATE published on request, answered at `at`: how many received it, or why it failed.
    case probeAnswered(at: Double, receivers: Int64?, error: String?)
    /// The clock, before anything derived from the observation is shown: the wire's time, and
    /// the wall clock the database's ages are measured against.
    case tick(clock: Double)
    /// The consumer looks at something that needs these reads, beside the standing ones.
    case want([DatabaseRead])
    /// Read now (or right after the round under way), not at the next interval.
    case readNow
    case refreshEvery(Double)
    /// The replay timer, at a monotonic clock in seconds.
    case replayTick(clock: Double)
    /// Hold the replay where it is (paused, or stepping), or let it run as recorded again.
    case holdReplay(Bool)
    case replaySpeed(ReplaySpeed)
    /// One recorded message, while held.
    case replayStep
    /// The consumer read the lines a `feedReplay` asked for.
    case replayed(ReplayBatch)
    /// The consumer moved the replay to a time (`seekReplay`): where in the file, and what is next.
    case replaySought(time: Double, position: Int64, nextTime: Double?, finished: Bool)
    /// The recording could not be read.
    case replayFailed(String)
}

/// What the consumer's loop must do after a change; the reducer performs no I/O itself.
public enum ObservationEffect: Equatable, Sendable {
    /// Publish REPLICATE on the main channel once; `probeAnswered` comes back.
    case probe
    /// Run these reads, each answering as `database`, then `databaseRoundFinished`.
    case read([DatabaseRead])
    /// Ask every process in the round, each answering as `processAnswered`, Redis's count as
    /// `subscribersCounted`, then `processRoundFinished`.
    case askProcesses(ProcessRound)
    /// `timer` back after that many seconds.
    case schedule(ObservationTimer, afterSeconds: Double)
    /// Tick the replay (`replayTick`) until told to stop.
    case startReplay
    case stopReplay
    /// Read recorded lines as `ReplayFeed` says; `replayed` comes back.
    case feedReplay(ReplayFeed)
    /// Move the replay to this recorded time; `replaySought` comes back.
    case seekReplay(Double)
    /// Something the operator should hear of: the console's status line, the exporter's log.
    case tell(Happening)
}

/// What happened that the operator should hear of, for each consumer to say in its own place:
/// the console in its status line, the exporter in its log.
public enum Happening: Equatable, Sendable {
    /// The session's warning: a missing grant, a schema syntop does not know, a role that can write.
    case sessionWarning(String)
    case probePublished(receivers: Int64)
    case probeFailed(String)
    /// Redis closed subscribers for their output buffer while syntop's subscription was lost.
    case droppedForFallingBehind(limit: String)
    case replayFailed(String)

    public var level: Severity {
        switch self {
        case .probePublished: .info
        case .sessionWarning, .probeFailed, .droppedForFallingBehind: .warning
        case .replayFailed: .critical
        }
    }

    /// As the console says it.
    public var text: String {
        switch self {
        case .sessionWarning(let warning): "postgres: " + warning
        case .probePublished(let receivers): "REPLICATE published: \(receivers) receiver(s) answer with their positions"
        case .probeFailed(let error): "REPLICATE failed: \(error)"
        case .droppedForFallingBehind(let limit): "Redis probably dropped syntop's subscription for falling behind the traffic" + limit
        case .replayFailed(let reason): "replay: \(reason)"
        }
    }
}

/// The timers an observation asks for, each with the generation it was asked in: one that
/// fires after a newer was asked for is stale and does nothing.
public enum ObservationTimer: Equatable, Sendable {
    case databaseRound(Int)
    case processRound(Int)
}

/// One round of the processes: each one's listeners, and the channels whose subscribers Redis
/// is asked to count.
public struct ProcessRound: Equatable, Sendable {
    public var probes: [ProcessProbe]
    public var subscribers: [String]?

    public init(probes: [ProcessProbe], subscribers: [String]?) {
        self.probes = probes
        self.subscribers = subscribers
    }
}
