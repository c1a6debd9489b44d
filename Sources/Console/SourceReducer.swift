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
        case replay(file: String, data: [UInt8], speed: ReplaySpeed)
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
            state.processes.subscribers = count
        case .contextFailed(let name, let reason):
            state.notice = Notice("context \(name): \(reason); still on " + (state.context.map { "context \($0)" } ?? "the first deployment"),
                                  .critical)
        case .replayTick(let clock):
            guard case .replay(let file, var cursor) = state.wireSource else { return [.stopReplay] }
            if state.paused {
                cursor.hold()
            } else {
                feedReplay(&state, cursor.due(at: clock))
            }
            state.wireSource = .replay(file: file, cursor: cursor)
            return state.paused || cursor.finished ? [.stopReplay] : []
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
        case .replay(let file, let data, let speed):
            var times: [Double] = []
            state.replayLines = []
            for line in Recording.lines(data) {
                switch Recording.fields(line) {
                case .comment: continue
                case .malformed: times.append(times.last ?? 0)
                case .message(let time, _, _): times.append(time)
                }
                state.replayLines.append(line)
            }
            state.wireSource = .replay(file: file, cursor: ReplayCursor(times: times, speed: speed))
            return [.startReplay]
        }
    }

    /// Feeds recorded messages, as the wire would have brought them.
    static func feedReplay(_ state: inout ConsoleState, _ range: Range<Int>) {
        for index in range where index < state.replayLines.count {
            let line = state.replayLines[index]
            switch Recording.fields(line) {
            case .comment: continue
            case .malformed(let detail): state.wire.ingestBadRecordingLine(line, detail: detail)
            case .message(let time, let channel, let payload): state.wire.ingest(payload, channel: channel, at: time)
            }
        }
        if !range.isEmpty && state.paused { state.frozenWire = state.wire }
    }
}
