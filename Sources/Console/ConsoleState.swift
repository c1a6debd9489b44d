import Config
import Terminal
import Wire

/// The four screens, in tab order.
public enum ScreenID: Int, CaseIterable, Sendable {
    case pokes, roles, positions, history

    public var title: String {
        switch self {
        case .pokes: "Pokes"
        case .roles: "Roles"
        case .positions: "Positions"
        case .history: "History"
        }
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
    public enum Level: Sendable { case info, warn, crit }
    public var text: String
    public var level: Level

    public init(_ text: String, _ level: Level = .info) {
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
    public var filters: [ScreenID: String] = [:]
    public var tables: [ScreenID: TableState] = [:]
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
    /// Synapse's configuration, when -c was given.
    public var config: SynapseConfig?
    /// How the database is reached, as the header shows it.
    public var databaseStatus = "not connected"
    /// Unix time of the frame, and the local time zone's offset, for ages and clock times.
    public var now: Double = 0
    public var utcOffset = 0
    public var themeName = "default"

    public init(size: Size) {
        self.size = size
    }

    public var refreshSeconds: Double { RefreshInterval.steps[refreshStep] }

    public var displayedWire: WireState { frozenWire ?? wire }

    public func table(_ screen: ScreenID) -> TableState { tables[screen] ?? TableState() }
    public func filter(_ screen: ScreenID) -> String { filters[screen] ?? "" }
}

/// The steps `+` and `-` move through, in seconds.
public enum RefreshInterval {
    public static let steps: [Double] = [0.5, 1, 2, 5, 10, 30, 60]
    public static let defaultStep = 2

    public static func label(_ seconds: Double) -> String {
        seconds < 1 ? "\(Int(seconds * 1000))ms" : "\(Int(seconds))s"
    }
}
