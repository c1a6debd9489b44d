import Connection
import Findings
import Redis
import Wire

/// The observation's transitions: plain functions of (observation, action), with the I/O they
/// need returned as effects for the consumer's loop to perform.
public enum ObservationReducer {
    public static func reduce(_ state: inout Observation, _ action: ObservationAction) -> [ObservationEffect] {
        switch action {
        case .start(let setup):
            return start(&state, setup)
        case .wire(let messages):
            for message in messages {
                state.wire.ingest(message.payload, channel: message.channel, at: message.time)
            }
            return []
        case .connection(.redis, let status):
            return redis(&state, status)
        case .connection(.postgres, let status):
            return postgres(&state, status)
        case .database(let update):
            state.database.apply(update)
            if case .session(let session) = update {
                return session.value.warnings.map { .tell(.sessionWarning($0)) }
            }
            return []
        case .databaseRoundFinished:
            return roundFinished(&state)
        case .processAnswered(let answers):
            // The healthy first, so that one listener refusing fast never shows a process down
            // for a moment while another says OK.
            for answer in answers where answer.outcome.isHealthy { state.processes.record(answer) }
            for answer in answers where !answer.outcome.isHealthy { state.processes.record(answer) }
            return []
        case .subscribersCounted(let count):
            return subscribersCounted(&state, count)
        case .processRoundFinished:
            state.processRounds.running = false
            state.processRounds.finished += 1
            guard state.processRounds.repeating else { return [] }
            state.processRounds.timer += 1
            return [.schedule(.processRound(state.processRounds.timer), afterSeconds: state.reads.interval)]
        case .askProcesses:
            return state.processRounds.running ? [] : askProcesses(&state)
        case .timer(.processRound(let generation)):
            guard generation == state.processRounds.timer, !state.processRounds.running else { return [] }
            return askProcesses(&state)
        case .timer(.databaseRound(let generation)):
            guard generation == state.reads.timer, !state.reads.running else { return [] }
            return round(&state)
        case .probeAnswered(let at, let receivers, let error):
            if let receivers {
                state.probe.at = at
                return [.tell(.probePublished(receivers: receivers))]
            }
            return [.tell(.probeFailed(error ?? "no answer"))]
        case .tick(let clock):
            if case .replay = state.source {
                state.now = state.wire.lastLineAt ?? 0
                state.clock = clock
            } else {
                state.now = clock
            }
            return []
        case .want(let reads):
            state.reads.wanted = reads
            return []
        case .readNow:
            guard state.database.status?.isReady == true else { return [] }
            if state.reads.running {
                state.reads.again = true
                return []
            }
            return round(&state)
        case .refreshEvery(let seconds):
            state.reads.interval = seconds
            // The round waiting for the old interval waits for the new one instead.
            return state.reads.running || state.database.status?.isReady != true ? [] : scheduleRound(&state)
        default:
            return replay(&state, action)
        }
    }

    /// The first start, and each switch of context: what was seen of another deployment goes.
    private static func start(_ state: inout Observation, _ setup: ObservationSetup) -> [ObservationEffect] {
        state = Observation(setup)
        var effects: [ObservationEffect] = []
        switch setup.wire {
        case .none:
            break
        case .live(let endpoint, let serverName, let probe):
            state.source = .live(endpoint: endpoint, serverName: serverName, status: .connecting(attempt: 1))
            state.probe.allowed = probe
            state.probe.onStart = probe
        case .replay(let file, let span, let speed):
            state.source = .replay(file: file, cursor: ReplayCursor(span: span, speed: speed))
            effects.append(.startReplay)
        }
        return setup.askProcesses ? effects + askProcesses(&state) : effects
    }

    private static func redis(_ state: inout Observation, _ status: ConnectionStatus) -> [ObservationEffect] {
        guard case .live(let endpoint, let serverName, _) = state.source else { return [] }
        state.source = .live(endpoint: endpoint, serverName: serverName, status: status)
        switch status {
        case .ready(let since):
            state.wire.markConnected(at: since)
            if state.probe.onStart {
                state.probe.onStart = false
                return [.probe]
            }
        case .waiting(let since, _, let error):
            state.wire.markDisconnected(at: since, reason: error)
        case .connecting:
            break
        }
        return []
    }

    /// The session is read first on each connection; a round follows it.
    private static func postgres(_ state: inout Observation, _ status: ConnectionStatus) -> [ObservationEffect] {
        state.database.status = status
        // Whatever was under way is lost with the connection, and a pending timer is stale.
        state.reads.running = false
        state.reads.again = false
        state.reads.timer += 1
        guard status.isReady else { return [] }
        state.reads.running = true
        state.reads.sessionRound = true
        return [.read([.session])]
    }

    private static func roundFinished(_ state: inout Observation) -> [ObservationEffect] {
        guard state.reads.running else { return [] }
        state.reads.running = false
        if state.reads.sessionRound {
            state.reads.sessionRound = false
            return round(&state)
        }
        state.database.rounds += 1
        if state.reads.again {
            state.reads.again = false
            return round(&state)
        }
        return scheduleRound(&state)
    }

    /// A round of reads now: the standing ones, the alerts' and what the consumer looks at.
    private static func round(_ state: inout Observation) -> [ObservationEffect] {
        state.reads.timer += 1
        let reads = state.reads.round(state)
        guard !reads.isEmpty else {
            state.database.rounds += 1
            return scheduleRound(&state)
        }
        state.reads.running = true
        return [.read(reads)]
    }

    private static func scheduleRound(_ state: inout Observation) -> [ObservationEffect] {
        guard state.reads.repeating else { return [] }
        state.reads.timer += 1
        return [.schedule(.databaseRound(state.reads.timer), afterSeconds: state.reads.interval)]
    }

    private static func askProcesses(_ state: inout Observation) -> [ObservationEffect] {
        let probes = ProcessProbe.of(state.config, hosts: state.processRounds.hosts)
        guard !probes.isEmpty || state.processRounds.subscribers != nil else { return [] }
        state.processRounds.running = true
        return [.askProcesses(ProcessRound(probes: probes, subscribers: state.processRounds.subscribers))]
    }

    private static func subscribersCounted(_ state: inout Observation, _ count: SubscriberCount) -> [ObservationEffect] {
        let previous = state.processes.subscribers
        state.processes.subscribers = count
        // Redis closed subscribers for their output buffer while syntop's connection was lost:
        // the count is the server's, so syntop was probably, not surely, one of them.
        guard let before = previous?.limitDisconnections, let after = count.limitDisconnections, after > before,
              let lost = state.wire.lastDisconnect, !lost.explained, let since = previous?.at, lost.at >= since - 1 else {
            return []
        }
        let limit = count.pubsubLimit.map { " (\($0.description))" } ?? ""
        state.wire.explainDisconnect("Redis closed \(after - before) subscriber(s) for their output buffer meanwhile"
                                     + limit + ": syntop probably fell behind")
        return [.tell(.droppedForFallingBehind(limit: limit))]
    }

    /// A whole recording, read as fast as it can be: the JSON commands' and `check`'s replay,
    /// which shows the end and nothing on the way. Its lines go where `replayed` would put them;
    /// a reader is no value to carry in an action, so it is handed to the reducer as it is.
    public static func replayWhole<Source: RecordingSource>(_ state: inout Observation,
                                                            _ reader: inout RecordingReader<Source>) throws {
        try state.wire.ingest(all: &reader)
        if case .replay(let file, var cursor) = state.source {
            cursor.fed(ReplayBatch(lines: [], position: cursor.span.size, nextTime: nil, finished: true),
                       lastTime: state.wire.lastLineAt)
            state.source = .replay(file: file, cursor: cursor)
        }
    }

    private static func replay(_ state: inout Observation, _ action: ObservationAction) -> [ObservationEffect] {
        guard case .replay(let file, var cursor) = state.source else {
            if case .replayTick = action { return [.stopReplay] }
            return []
        }
        defer { state.source = .replay(file: file, cursor: cursor) }
        switch action {
        case .replayTick(let clock):
            if state.replayHeld || cursor.finished {
                cursor.hold()
                return [.stopReplay]
            }
            return cursor.due(at: clock).map { [.feedReplay($0)] } ?? []
        case .holdReplay(let held):
            state.replayHeld = held
            return held ? [] : [.startReplay]
        case .replaySpeed(let speed):
            cursor.speed = speed
            cursor.hold()
            return []
        case .replayStep:
            return [.feedReplay(ReplayFeed(until: nil, limit: 1))]
        case .replayed(let batch):
            for line in batch.lines { state.wire.ingest(recordingLine: line) }
            cursor.fed(batch, lastTime: state.wire.lastLineAt)
            return cursor.finished ? [.stopReplay] : []
        case .replaySought(let time, let position, let nextTime, let finished):
            // What was seen before the new place would mix two moments: the wire starts afresh.
            state.wire = WireState(limits: state.wire.limits, feeds: state.wire.feeds)
            cursor.sought(to: time, position: position, nextTime: nextTime, finished: finished)
            return state.replayHeld ? [] : [.startReplay]
        case .replayFailed(let reason):
            return [.tell(.replayFailed(reason)), .stopReplay]
        default:
            return []
        }
    }
}
