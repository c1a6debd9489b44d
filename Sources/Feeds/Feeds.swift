import Connection
import EventLoop
import Observation
import Redis
import Replication
import Wire

/// A deployment's sources on one event loop, as every consumer (the console, the exporter,
/// `check`, the JSON commands) starts them: the subscription, the database, the processes and a
/// recording. What they report reaches `dispatch` as the observation's actions, and `perform`
/// does what the observation asks for. It holds no rule about Synapse.
public final class Feeds {
    /// What the consumer resolved from its options and Synapse's config.
    public struct Sources {
        public var redis: RedisEndpoint?
        public var serverName: String?
        /// Listen to the replication channels (else Redis is only asked to count subscribers).
        public var subscribe: Bool
        public var userIP: Bool
        public var database: (conninfo: String, timeoutMS: Int)?
        /// A recording read as the observation asks (`feedReplay`, `seekReplay`).
        public var recording: RecordingReader<RecordingFile>?
        /// Reconnect to a database that fails (the console, the exporter), or give up on it (a
        /// command that prints once). Redis is retried always: a command listens for its window.
        public var retryDatabase: Bool

        public init(redis: RedisEndpoint? = nil, serverName: String? = nil, subscribe: Bool = false, userIP: Bool = false,
                    database: (conninfo: String, timeoutMS: Int)? = nil,
                    recording: RecordingReader<RecordingFile>? = nil, retryDatabase: Bool = true) {
            self.redis = redis
            self.serverName = serverName
            self.subscribe = subscribe
            self.userIP = userIP
            self.database = database
            self.recording = recording
            self.retryDatabase = retryDatabase
        }
    }

    private let sources: Sources
    private let loop: EventLoop
    private let dispatch: (ObservationAction) -> Void
    private var client: ReplicationClient?
    private var database: DatabaseFeed?
    /// Made on the first round: a command that asks no process loads no HTTP client.
    private var processes: ProcessFeed?
    private var recording: RecordingReader<RecordingFile>?
    private var replayTimer: EventLoop.TimerID?
    private var timers: [EventLoop.TimerID] = []
    private var stopped = false

    public init(_ sources: Sources, loop: EventLoop, dispatch: @escaping (ObservationAction) -> Void) {
        self.sources = sources
        self.loop = loop
        self.dispatch = dispatch
        recording = sources.recording
    }

    /// Whatever comes after `stop` (an exchange that outlives it) is dropped.
    private func report(_ action: ObservationAction) {
        if !stopped { dispatch(action) }
    }

    /// Hears of each statement the database answers, for a consumer that gives up on a
    /// database that stops answering.
    public var onDatabaseProgress: () -> Void = {}

    public func start() {
        startWire()
        startDatabase()
    }

    /// Subscribes to the replication channels, when the sources say to.
    public func startWire() {
        if sources.subscribe, let endpoint = sources.redis, let serverName = sources.serverName {
            let client = ReplicationClient(
                endpoint: endpoint, channels: ReplicationChannels.names(serverName: serverName, userIP: sources.userIP),
                loop: loop, now: unixTime,
                onMessages: { [unowned self] messages in self.report(.wire(messages)) },
                onStatus: { [unowned self] status in self.report(.connection(.redis, status)) })
            self.client = client
            client.start()
        }
    }

    /// Closes the subscription: a command whose window is over hears no more of the wire.
    public func stopWire() {
        client?.stop()
        client = nil
    }

    /// Connects to the database, when the sources name one.
    public func startDatabase() {
        guard let target = sources.database else { return }
        let feed = DatabaseFeed(conninfo: target.conninfo, timeoutMS: target.timeoutMS, retry: sources.retryDatabase,
                                loop: loop, now: unixTime, dispatch: { [unowned self] in self.report($0) },
                                answered: { [unowned self] in self.onDatabaseProgress() })
        database = feed
        feed.start()
    }

    public func stop() {
        stopped = true
        client?.stop()
        database?.stop()
        processes?.stop()
        for timer in timers { loop.cancel(timer) }
        timers = []
        if let replayTimer { loop.cancel(replayTimer) }
        replayTimer = nil
    }

    public func perform(_ effect: ObservationEffect) {
        guard !stopped else { return }
        switch effect {
        case .probe:
            guard let client, let serverName = sources.serverName else { return }
            client.probe(serverName: serverName) { [weak self] result in
                switch result {
                case .success(let receivers): self?.report(.probeAnswered(at: unixTime(), receivers: receivers, error: nil))
                case .failure(let error): self?.report(.probeAnswered(at: unixTime(), receivers: nil, error: "\(error)"))
                }
            }
        case .read(let reads):
            database?.read(reads)
        case .askProcesses(let round):
            if processes == nil {
                processes = ProcessFeed(loop: loop, now: unixTime, redis: sources.redis,
                                        ownClient: { [weak self] in self?.client?.clientID },
                                        dispatch: { [weak self] in self?.report($0) })
            }
            processes?.ask(round)
        case .schedule(let timer, let seconds):
            var id: EventLoop.TimerID = 0
            id = loop.schedule(after: Int(seconds * 1000)) { [unowned self] in
                self.timers.removeAll { $0 == id }
                self.report(.timer(timer))
            }
            timers.append(id)
        case .startReplay:
            // Every 20 ms while the replay runs; the observation says when to stop.
            guard replayTimer == nil else { return }
            replayTimer = loop.schedule(after: 0, repeating: 20) { [unowned self] in
                self.report(.replayTick(clock: Double(self.loop.now) / 1e9))
            }
        case .stopReplay:
            if let replayTimer { loop.cancel(replayTimer) }
            replayTimer = nil
        case .feedReplay(let feed):
            feedReplay(feed)
        case .seekReplay(let time):
            guard var reader = recording else { return }
            do {
                try reader.seek(time: time)
                recording = reader
                report(.replaySought(time: time, position: reader.offset, nextTime: try reader.nextTime(),
                                     finished: try reader.finished()))
            } catch {
                report(.replayFailed("\(error)"))
            }
        case .tell:
            break
        }
    }

    /// Reads what the observation asked for from the recording, and hands it over as one batch.
    private func feedReplay(_ feed: ReplayFeed) {
        guard var reader = recording else { return }
        // Taken out while it reads, so its buffers are its own and a chunk is read into them
        // without a copy; put back before the batch is handed over, whose effects may read on.
        recording = nil
        let batch = Result { () throws -> ReplayBatch in
            var lines: [ArraySlice<UInt8>] = []
            lines.reserveCapacity(min(feed.limit, 8192))
            while lines.count < feed.limit, let line = try reader.next(until: feed.until) {
                lines.append(line.bytes)
            }
            return ReplayBatch(lines: lines, position: reader.offset, nextTime: try reader.nextTime(),
                               finished: try reader.finished())
        }
        recording = reader
        switch batch {
        case .success(let batch): report(.replayed(batch))
        case .failure(let error): report(.replayFailed("\(error)"))
        }
    }

    /// The whole recording into `observation` at once, where nothing is shown on the way.
    public func replayWhole(into observation: inout Observation) throws {
        guard var reader = recording else { return }
        recording = nil
        try ObservationReducer.replayWhole(&observation, &reader)
    }
}
