import Findings
import Observation
import Terminal
import Wire

/// What the console starts with, as the executable found it: the terminal, the deployment as
/// the observation takes it, the console's own settings. It reaches the state as the first
/// action, like everything after it.
public struct ConsoleSetup: Equatable, Sendable {
    /// The terminal's size at the start.
    public var size: Size
    public var themeName: String
    /// The locale's and the theme's warnings, which matter more than where the config was found.
    public var terminalNotice: String?
    /// Where the config was looked for and what was found, without -c.
    public var configSearch: Notice?
    public var utcOffset: Int
    /// The deployment of syntop's config file being watched, and the others there are.
    public var context: String?
    public var contexts: [String]
    /// What is wrong with syntop's own config file, or the context just switched to.
    public var settingsNotice: Notice?
    /// The deployment; its refresh interval becomes the nearest of the steps `+` and `-` move through.
    public var observation: ObservationSetup

    public init(size: Size, themeName: String, terminalNotice: String? = nil, configSearch: Notice? = nil,
                utcOffset: Int = 0, context: String? = nil, contexts: [String] = [], settingsNotice: Notice? = nil,
                observation: ObservationSetup) {
        self.size = size
        self.themeName = themeName
        self.terminalNotice = terminalNotice
        self.configSearch = configSearch
        self.utcOffset = utcOffset
        self.context = context
        self.contexts = contexts
        self.settingsNotice = settingsNotice
        self.observation = observation
    }

    /// What the console keeps of a deployment: every row feed, the positions and the rooms'
    /// alerts whatever the screen, and Redis's subscribers counted where it listens live.
    public static func observation(_ setup: ObservationSetup) -> ObservationSetup {
        var setup = setup
        setup.feeds = .all
        setup.reads = [.positions]
        setup.roomAlerts = true
        setup.repeating = true
        setup.refreshSeconds = RefreshInterval.steps[RefreshInterval.nearestStep(setup.refreshSeconds)]
        return setup
    }
}

/// The reducer's half for what the sources, the timers and the loop report.
extension ConsoleReducer {
    static func reduceReport(_ state: inout ConsoleState, _ action: Action) -> [Effect]? {
        switch action {
        case .start(let setup):
            return start(&state, setup)
        case .observed(let observed):
            let effects = observe(&state, observed)
            switch observed {
            case .replayed(let batch):
                if !batch.lines.isEmpty && state.paused { state.frozenWire = state.observation.wire }
            case .replaySought(let time, _, _, let finished):
                if state.paused { state.frozenWire = state.observation.wire }
                if case .replay(_, let cursor) = state.observation.source {
                    state.notice = Notice("replay at \(TimeText.clock(time, utcOffset: state.utcOffset)) (\(cursor.percent)%): "
                                          + "the screens start afresh from there" + (finished ? "; nothing is left after it" : ""))
                }
            default:
                break
            }
            return effects
        case .themeLoaded(let name, let notice):
            state.themeName = name
            state.notice = notice
        case .contextFailed(let name, let reason):
            state.notice = Notice("context \(name): \(reason); still on " + (state.context.map { "context \($0)" } ?? "the first deployment"),
                                  .critical)
        case .frame(let clock):
            _ = observe(&state, .tick(clock: clock))
            let shownAt = state.databaseNow
            if state.notice != nil && state.notice?.shownAt == nil { state.notice?.shownAt = shownAt }
            state.view = ScreenContent.view(state)
        default:
            return nil
        }
        return []
    }

    /// An action for the observation; what it asks for comes back as the console's effects, what
    /// it has to tell as the notice (the first, when it says several things at once).
    static func observe(_ state: inout ConsoleState, _ action: ObservationAction) -> [Effect] {
        var effects: [Effect] = []
        var told = false
        for effect in ObservationReducer.reduce(&state.observation, action) {
            if case .tell(let happening) = effect {
                if !told { state.notice = Notice(happening.text, happening.level) }
                told = true
            } else {
                effects.append(.observation(effect))
            }
        }
        return effects
    }

    /// The database read now for what the screen shows, not at the next interval.
    static func readNow(_ state: inout ConsoleState) -> [Effect] {
        wantScreenReads(&state)
        return observe(&state, .readNow)
    }

    /// The reads the screen and its drill-down need, told to the observation when they change.
    static func wantScreenReads(_ state: inout ConsoleState) {
        var reads = state.screen.content.reads(state)
        if let detail = state.details[state.screen] {
            switch detail {
            case .destination(let destination): reads.append(.destinationUsers(destination))
            case .user(let user): reads.append(.userDevices(user))
            case .process: if !reads.contains(.roles) { reads.append(.roles) }
            case .token(let token): reads.append(.instanceMap(token: token))
            case .room(let room): reads.append(.room(room, reuse: nil))
            case .stream, .membership: break
            }
        }
        if reads != state.observation.reads.wanted { _ = ObservationReducer.reduce(&state.observation, .want(reads)) }
    }

    /// The first start, and each switch of context: what was seen of another deployment goes,
    /// the screen the operator is on stays.
    private static func start(_ state: inout ConsoleState, _ setup: ConsoleSetup) -> [Effect] {
        let screen = state.screen
        state = ConsoleState(size: setup.size)
        state.screen = screen
        state.context = setup.context
        state.contexts = setup.contexts
        state.themeName = setup.themeName
        state.utcOffset = setup.utcOffset
        let effects = observe(&state, .start(ConsoleSetup.observation(setup.observation)))
        state.notice = setup.settingsNotice ?? setup.terminalNotice.map { Notice($0, .warning) } ?? setup.configSearch
        if let problems = setup.observation.config?.problems, let first = problems.first {
            // syntop's own config's problems stay in sight beside Synapse's.
            let settings = setup.settingsNotice.flatMap { $0.level == .info ? nil : $0.text + " · " } ?? ""
            state.notice = Notice(settings + "config: \(problems.count) problem(s); first: \(first)",
                                  problems.contains { $0.severity == .critical } ? .critical : .warning)
        }
        wantScreenReads(&state)
        return effects
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
        return [.observation(.seekReplay(max(time, cursor.span.first)))]
    }
}
