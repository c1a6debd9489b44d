import Config
import Findings
import Observation
import Terminal
import Wire

/// The screens, in tab order.
public enum ScreenID: Int, CaseIterable, Sendable {
    case pokes, roles, positions, history, rooms

    public var title: String {
        switch self {
        case .pokes: "Pokes"
        case .roles: "Roles"
        case .positions: "Positions"
        case .history: "History"
        case .rooms: "Rooms"
        }
    }

    /// What the screen answers, for the manual.
    public var summary: String {
        switch self {
        case .pokes: "device-list changes live on the wire, and the pokes waiting per remote server in the database"
        case .roles: "every process as configured and as seen: its streams, its health and figures, where they disagree"
        case .positions: "every stream's position per writer on the wire and in the database, the gaps and the stalls"
        case .history: "a user's joins, leaves, invites, bans and kicks, including rooms the server has left"
        case .rooms: "rooms worst first by forward extremities, and a room's state-resolution cost"
        }
    }
}

/// Which table a selection, scroll position, sort order or filter belongs to: a panel of a
/// screen, or of the drill-down open on it.
public struct TableKey: Hashable, Sendable {
    public var screen: ScreenID
    public var detail: Detail?
    public var panel: Int

    public init(_ screen: ScreenID, detail: Detail? = nil, panel: Int = 0) {
        self.screen = screen
        self.detail = detail
        self.panel = panel
    }
}

/// Selection, scroll position and sort order of one screen's table.
public struct TableState: Equatable, Sendable {
    public var selection: Int?
    public var offset: Int = 0
    public var sort: SortOrder?

    public init(selection: Int? = nil, offset: Int = 0, sort: SortOrder? = nil) {
        self.selection = selection
        self.offset = offset
        self.sort = sort
    }
}

public enum InputMode: Equatable, Sendable {
    /// `/`: narrows the current table as you type.
    case filter
    /// `:`: a console command, run on Enter.
    case command
}

public struct InputState: Equatable, Sendable {
    public var mode: InputMode
    public var text: String
    /// The filter before `/` was pressed, restored by Esc.
    public var previousFilter: String
}

public struct Notice: Equatable, Sendable {
    public var text: String
    public var level: Severity
    /// When it was first drawn; after `lifetime` the status line goes back to the alerts.
    public var shownAt: Double?

    public static let lifetime = 10.0

    public init(_ text: String, _ level: Severity = .info) {
        self.text = text
        self.level = level
    }
}

/// Everything the console shows, as a plain value: the observation of the deployment, which
/// the exporter, `check` and the JSON commands hold too, and what is the console's alone
/// (screen, tables, focus, input line, help). It changes only through `ConsoleReducer.reduce`.
public struct ConsoleState: Sendable {
    /// What syntop knows of the deployment: until the start, of none, as the console keeps it.
    public internal(set) var observation = Observation(ConsoleSetup.observation(ObservationSetup()))
    public internal(set) var size: Size
    public internal(set) var screen: ScreenID = .pokes
    public internal(set) var helpVisible = false
    /// The first help line shown, when the help is longer than the screen.
    public internal(set) var helpOffset = 0
    public internal(set) var input: InputState?
    public internal(set) var filters: [TableKey: String] = [:]
    public internal(set) var tables: [TableKey: TableState] = [:]
    /// The fold keys of the rows opened in each table (a stream's writers, a group's processes).
    public internal(set) var expanded: [TableKey: Set<String>] = [:]
    /// The panel the selection keys move in, per screen (0 when not set).
    public internal(set) var focus: [ScreenID: Int] = [:]
    /// The drill-down open on a screen, if any: it takes the screen's place until Esc.
    public internal(set) var details: [ScreenID: Detail] = [:]
    /// The user whose history the History screen shows; without one it lists users.
    public internal(set) var historyUser: String?
    /// The `before` of each older page opened, newest last; empty on the first page.
    public internal(set) var historyPages: [Int64] = []
    public internal(set) var paused = false
    public internal(set) var notice: Notice?
    /// The wire as it was when the feed was paused; the screens show it until Space again.
    public internal(set) var frozenWire: WireState?
    public internal(set) var utcOffset = 0
    public internal(set) var themeName = "default"
    /// The context of syntop's config file being watched, if any, and those `:context` offers.
    public internal(set) var context: String?
    public internal(set) var contexts: [String] = []
    /// The panels of the last frame, as they were drawn: what the selection, sort, copy and
    /// Enter act on.
    public internal(set) var view = ConsoleViewModel()
    /// Counts the actions reduced, so a view knows whether it is of the state as it is.
    var revision = 0

    public init(size: Size) {
        self.size = size
    }

    public var refreshSeconds: Double { observation.refreshSeconds }

    public var displayedWire: WireState { frozenWire ?? observation.wire }

    // What the screens read of the observation, by the names they always had.
    public var wire: WireState { observation.wire }
    public var wireSource: WireSource { observation.source }
    public var database: DatabaseState { observation.database }
    public var processes: ProcessesState { observation.processes }
    public var config: SynapseConfig? { observation.config }
    public var configSearch: String? { observation.configSearch }
    public var thresholds: AlertThresholds { observation.thresholds }
    public var now: Double { observation.now }
    public var clock: Double? { observation.clock }
    public var probedAt: Double? { observation.probe.at }

    /// Now, for what was read from the database.
    public var databaseNow: Double { observation.databaseNow }

    /// The alerts as the screens show them: of the wire shown (frozen while paused).
    public var alerts: [Alert] { observation.alerts(wire: frozenWire) }

    /// The notice, while it is fresh.
    public var currentNotice: Notice? {
        guard let notice else { return nil }
        // By the wall clock: a finished replay's time stands still.
        if let shownAt = notice.shownAt, databaseNow - shownAt >= Notice.lifetime { return nil }
        return notice
    }

    public func table(_ key: TableKey) -> TableState { tables[key] ?? TableState() }
    public func filter(_ key: TableKey) -> String { filters[key] ?? "" }
    public func filter(_ screen: ScreenID) -> String { filter(TableKey(screen)) }

    /// The start of the user IDs the History screen lists: its filter, with the `@` every
    /// user ID starts with added when left out.
    public var historyPrefix: String {
        let typed = filter(.history)
        return typed.hasPrefix("@") ? typed : "@" + typed
    }

    /// The table the selection keys, the filter and the sort keys act on.
    public var focusedKey: TableKey {
        TableKey(screen, detail: details[screen], panel: focus[screen] ?? 0)
    }
}

/// The steps `+` and `-` move through, in seconds.
public enum RefreshInterval {
    public static let steps: [Double] = [0.5, 1, 2, 5, 10, 30, 60]
    public static let defaultStep = 2

    /// The step closest to `seconds`, the shorter one on a tie.
    public static func nearestStep(_ seconds: Double) -> Int {
        steps.indices.min { abs(steps[$0] - seconds) < abs(steps[$1] - seconds) } ?? defaultStep
    }

    public static func label(_ seconds: Double) -> String {
        seconds < 1 ? "\(Int(seconds * 1000))ms" : "\(Int(seconds))s"
    }
}
