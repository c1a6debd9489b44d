import Observation
import Terminal

/// Adds one panel: title, columns, rows, what to say when empty, what Enter opens.
typealias PanelAdder = (String, [TableColumn], [TableRow], [String], DrillKind?) -> Void

/// What a screen is to the console: its panels, and what it reads from the database. A new screen is a file with one of these, its case in `ScreenID` (which gives it
/// its tab, number key and `:` command), and the store read it needs.
protocol ConsoleScreen {
    /// `alerts` are the frame's, for screens that show them on their rows.
    static func add(_ state: ConsoleState, alerts: [Alert], _ add: PanelAdder)
    /// The reads the screen needs now, beside the positions every screen's alerts need.
    static func reads(_ state: ConsoleState) -> [DatabaseRead]
}

extension ScreenID {
    /// The screen's content, in tab order.
    var content: any ConsoleScreen.Type {
        switch self {
        case .pokes: PokesScreen.self
        case .roles: RolesScreen.self
        case .positions: PositionsScreen.self
        case .history: HistoryScreen.self
        case .rooms: RoomsScreen.self
        }
    }

    /// Its `:` command and number key.
    public var command: String { title.lowercased() }
    public var key: Character { Character(String(rawValue + 1)) }
}
