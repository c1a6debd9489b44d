import Findings
import Config
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

/// Everything the console shows, as a plain value. It changes through `reduce`, and through
/// `wire` taking replication messages, which are too many to go through actions one by one.
public struct ConsoleState: Sendable {
    public var size: Size
    public var screen: ScreenID = .pokes
    public var helpVisible = false
    /// The first help line shown, when the help is longer than the screen.
    public var helpOffset = 0
    public var input: InputState?
    public var filters: [TableKey: String] = [:]
    public var tables: [TableKey: TableState] = [:]
    /// The fold keys of the rows opened in each table (a stream's writers, a group's processes).
    public var expanded: [TableKey: Set<String>] = [:]
    /// The panel the selection keys move in, per screen (0 when not set).
    public var focus: [ScreenID: Int] = [:]
    /// The drill-down open on a screen, if any: it takes the screen's place until Esc.
    public var details: [ScreenID: Detail] = [:]
    /// The user whose history the History screen shows; without one it lists users.
    public var historyUser: String?
    /// The `before` of each older page opened, newest last; empty on the first page.
    public var historyPages: [Int64] = []
    public var paused = false
    public var refreshStep = RefreshInterval.defaultStep
    public var notice: Notice?
    /// What the replication channels said, and where they are heard from.
    public var wire = WireState()
    public var wireSource = WireSource.none
    /// The wire as it was when the feed was paused; the screens show it until Space again.
    public var frozenWire: WireState?
    /// Whether `--probe` allows publishing REPLICATE on a key press.
    public var probeAllowed = false
    /// Whether REPLICATE is still to be published once, on the first subscription (`--probe`).
    public var probeOnStart = false
    /// When REPLICATE was last published: every process should answer it.
    public var probedAt: Double?
    /// Synapse's configuration, when -c was given or found in Debian's place.
    public var config: SynapseConfig?
    /// Without -c: where syntop looked for the config, and what it found.
    public var configSearch: String?
    /// What the database said, and how it is reached.
    public var database = DatabaseState()
    /// What each process's own listeners say, and Redis's count of subscribers.
    public var processes = ProcessesState()
    /// When a writer, a stream or a backlog becomes an alert.
    public var thresholds = AlertThresholds()
    /// Unix time of the frame, and the local time zone's offset, for ages and clock times.
    public var now: Double = 0
    /// The wall clock of the frame, when it differs from `now` (a replay): what the database's
    /// ages and retry times are measured against, since those are read live.
    public var clock: Double?
    public var utcOffset = 0
    public var themeName = "default"
    /// The context of syntop's config file being watched, if any, and those `:context` offers.
    public var context: String?
    public var contexts: [String] = []

    public init(size: Size) {
        self.size = size
    }

    public var refreshSeconds: Double { RefreshInterval.steps[refreshStep] }

    public var displayedWire: WireState { frozenWire ?? wire }

    /// Now, for what was read from the database.
    public var databaseNow: Double { clock ?? now }

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
