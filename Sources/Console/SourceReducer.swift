import Findings
import Config
import Connection
import Terminal
import Wire

/// What the console starts with, as the executable found it: the terminal, the configuration,
/// the sources. It reaches the state as the first action, like everything after it.
public struct ConsoleSetup: Equatable, Sendable {
    public enum WireInput: Equatable, Sendable {
        case none
        /// `probe`: REPLICATE may be published on request, and is once on the first subscription.
        case live(endpoint: String, serverName: String, probe: Bool)
        /// The loop holds the recording and reads it as it plays.
        case replay(file: String, span: RecordingSpan, speed: ReplaySpeed)
    }

    /// The terminal's size at the start.
    public var size: Size
    public var themeName: String
    /// The locale's and the theme's warnings, which matter more than where the config was found.
    public var terminalNotice: String?
    /// Where the config was looked for and what was found, without -c.
    public var configSearch: Notice?
    public var config: SynapseConfig?
    public var thresholds: AlertThresholds
    public var utcOffset: Int
    /// How the database is named on screen; nil without one.
    public var database: String?
    public var wire: WireInput
    /// The database's refresh interval; the nearest of the steps `+` and `-` move through.
    public var refreshSeconds: Double
    /// The deployment of syntop's config file being watched, and the others there are.
    public var context: String?
    public var contexts: [String]
    /// What is wrong with syntop's own config file, or the context just switched to.
    public var settingsNotice: Notice?

    public init(size: Size, themeName: String, terminalNotice: String?, configSearch: Notice?, config: SynapseConfig?,
                thresholds: AlertThresholds, utcOffset: Int, database: String?, wire: WireInput,
                refreshSeconds: Double = RefreshInterval.steps[RefreshInterval.defaultStep],
                context: String? = nil, contexts: [String] = [], settingsNotice: Notice? = nil) {
        self.refreshSeconds = refreshSeconds
        self.context = context
        self.contexts = contexts
        self.settingsNotice = settingsNotice
        self.size = size
        self.themeName = themeName
        self.terminalNotice = terminalNotice
        self.configSearch = configSearch
        self.config = config
        self.thresholds = thresholds
        self.utcOffset = utcOffset
        self.database = database
        self.wire = wire
    }
}

/// The reducer's half for what the sources, the timers and the loop report.
extension ConsoleReducer {
    /// The effects of a source action, or nil when `action` is the operator's.
    static func reduceReport(_ state: inout ConsoleState, _ action: Action) -> [Effect]? {
        switch action {
        case .start(let setup):
            return start(&state, setup)
        case .wire(let messages):
            for message in messages {
                state.wire.ingest(message.payload, channel: message.channel, at: message.time)
            }
        case .connection(.redis, let status):
            guard case .live(let endpoint, let serverName, _) = state.wireSource else { return [] }
            state.wireSource = .live(endpoint: endpoint, serverName: serverName, status: status)
            switch status {
            case .ready(let since):
                state.wire.markConnected(at: since)
                if state.probeOnStart {
                    state.probeOnStart = false
                    return [.probe]
                }
            case .waiting(let since, _, let error):
                state.wire.markDisconnected(at: since, reason: error)
            case .connecting:
                break
            }
        case .connection(.postgres, let status):
            state.database.status = status
        case .database(let update):
            state.database.apply(update)
            if case .session(let session) = update, let warning = session.warnings.first {
                state.notice = Notice("postgres: " + warning, .warning)
            }
        case .probeAnswered(let at, let receivers, let error):
            if let receivers {
                state.probedAt = at
                state.notice = Notice("REPLICATE published: \(receivers) receiver(s) answer with their positions")
            } else {
                state.notice = Notice("REPLICATE failed: \(error ?? "no answer")", .warning)
            }
        case .themeLoaded(let name, let notice):
            state.themeName = name
            state.notice = notice
        case .processAnswered(let answer):
            state.processes.record(answer)
        case .subscribersCounted(let count):
            let previous = state.processes.subscribers
            state.processes.subscribers = count
            // Redis closed subscribers for their output buffer while syntop's connection was
            // lost: the count is the server's, so syntop was probably, not surely, one of them.
            if let before = previous?.limitDisconnections, let after = count.limitDisconnections, after > before,
               let lost = state.wire.lastDisconnect, !lost.explained, let since = previous?.at, lost.at >= since - 1 {
                let limit = count.pubsubLimit.map { " (\($0.description))" } ?? ""
                state.wire.explainDisconnect("Redis closed \(after - before) subscriber(s) for their output buffer meanwhile"
                                             + limit + ": syntop probably fell behind")
                state.notice = Notice("Redis probably dropped syntop's subscription for falling behind the traffic" + limit,
                                      .warning)
            }
        case .contextFailed(let name, let reason):
            state.notice = Notice("context \(name): \(reason); still on " + (state.context.map { "context \($0)" } ?? "the first deployment"),
                                  .critical)
        case .replayTick(let clock):
            guard case .replay(let file, var cursor) = state.wireSource else { return [.stopReplay] }
            if state.paused || cursor.finished {
                cursor.hold()
                state.wireSource = .replay(file: file, cursor: cursor)
                return [.stopReplay]
            }
            let feed = cursor.due(at: clock)
            state.wireSource = .replay(file: file, cursor: cursor)
            return feed.map { [.feedReplay($0)] } ?? []
        case .replayed(let batch):
            guard case .replay(let file, var cursor) = state.wireSource else { return [] }
            for line in batch.lines { state.wire.ingest(recordingLine: line) }
            if !batch.lines.isEmpty && state.paused { state.frozenWire = state.wire }
            cursor.fed(batch, lastTime: state.wire.lastLineAt)
            state.wireSource = .replay(file: file, cursor: cursor)
            return cursor.finished ? [.stopReplay] : []
        case .replaySought(let time, let position, let nextTime, let finished):
            guard case .replay(let file, var cursor) = state.wireSource else { return [] }
            // What was seen before the new place would mix two moments: the screens start afresh.
            state.wire = WireState(limits: state.wire.limits, feeds: state.wire.feeds)
            if state.paused { state.frozenWire = state.wire }
            cursor.sought(to: time, position: position, nextTime: nextTime, finished: finished)
            state.wireSource = .replay(file: file, cursor: cursor)
            state.notice = Notice("replay at \(TimeText.clock(time, utcOffset: state.utcOffset)) (\(cursor.percent)%): "
                                  + "the screens start afresh from there" + (finished ? "; nothing is left after it" : ""))
            return state.paused ? [] : [.startReplay]
        case .replayFailed(let reason):
            state.notice = Notice("replay: \(reason)", .critical)
            return [.stopReplay]
        case .frame(let clock):
            if case .replay = state.wireSource {
                state.now = state.wire.lastLineAt ?? 0
                state.clock = clock
            } else {
                state.now = clock
            }
            let shownAt = state.databaseNow
            if state.notice != nil && state.notice?.shownAt == nil { state.notice?.shownAt = shownAt }
        default:
            return nil
        }
        return []
    }

    /// The first start, and each switch of context: what was seen of another deployment goes,
    /// the screen the operator is on stays.
    private static func start(_ state: inout ConsoleState, _ setup: ConsoleSetup) -> [Effect] {
        let screen = state.screen
        state = ConsoleState(size: setup.size)
        state.screen = screen
        state.context = setup.context
        state.contexts = setup.contexts
        state.refreshStep = RefreshInterval.nearestStep(setup.refreshSeconds)
        state.themeName = setup.themeName
        state.config = setup.config
        state.thresholds = setup.thresholds
        state.utcOffset = setup.utcOffset
        state.database = DatabaseState(display: setup.database)
        state.configSearch = setup.configSearch?.text
        state.notice = setup.settingsNotice ?? setup.terminalNotice.map { Notice($0, .warning) } ?? setup.configSearch
        if let problems = setup.config?.problems, let first = problems.first {
            // syntop's own config's problems stay in sight beside Synapse's.
            let settings = setup.settingsNotice.flatMap { $0.level == .info ? nil : $0.text + " · " } ?? ""
            state.notice = Notice(settings + "config: \(problems.count) problem(s); first: \(first)",
                                  problems.contains { $0.severity == .critical } ? .critical : .warning)
        }
        switch setup.wire {
        case .none:
            return []
        case .live(let endpoint, let serverName, let probe):
            state.wireSource = .live(endpoint: endpoint, serverName: serverName, status: .connecting(attempt: 1))
            state.probeAllowed = probe
            state.probeOnStart = probe
            return []
        case .replay(let file, let span, let speed):
            state.wireSource = .replay(file: file, cursor: ReplayCursor(span: span, speed: speed))
            return [.startReplay]
        }
    }

    /// `:seek TIME`: a clock time of the recording, a step from where it stands, or unix seconds.
    static func seek(_ state: inout ConsoleState, _ argument: String) -> [Effect] {
        guard case .replay(_, let cursor) = state.wireSource else {
            state.notice = Notice(":seek moves through a replay (--replay FILE)", .warning)
            return []
        }
        guard let time = ReplayTime.parse(argument, start: cursor.span.first, now: cursor.shownTime,
                                          utcOffset: state.utcOffset) else {
            state.notice = Notice(":seek takes HH:MM[:SS], +N[s|m|h], -N[s|m|h] or unix seconds", .warning)
            return []
        }
        let offset = state.utcOffset
        let clock = { (time: Double) in TimeText.clock(time, utcOffset: offset) }
        guard time <= cursor.span.last else {
            state.notice = Notice("the recording runs from \(clock(cursor.span.first)) to \(clock(cursor.span.last))", .warning)
            return []
        }
        return [.seekReplay(max(time, cursor.span.first))]
    }
}
