import NaturalOrder
import Observation
import Store
import Terminal
import Wire

/// What Enter opens on a row of a panel; the row's tag says which one.
public enum DrillKind: Sendable {
    case destination, user, process, stream
    /// On History's timeline: one membership event's fields.
    case membership
    /// On History: show this user's history.
    case historyUser
    /// On Rooms: a room's extremities, state resolution cost and memberships.
    case room
}

/// A framed table on a screen.
public struct Panel: Sendable {
    public var title: String
    public var table: Table
    public var key: TableKey
    public var drill: DrillKind?
}

/// What a frame shows, derived from the state once: the alerts and the panels.
public struct ConsoleViewModel: Sendable {
    public internal(set) var alerts: [Alert] = []
    public internal(set) var panels: [Panel] = []
    /// The state's revision it was derived at.
    var revision = -1
    /// What it shows: a view of another screen, drill-down, user, or of the focused table
    /// filtered, sorted or folded otherwise is no help to the keys.
    var shape: Shape?

    struct Shape: Equatable, Sendable {
        var screen: ScreenID
        var detail: Detail?
        var historyUser: String?
        var historyPage: Int
        var focused: TableKey
        var filter: String
        var sort: SortOrder?
        var expanded: Set<String>?

        init(_ state: ConsoleState) {
            screen = state.screen
            detail = state.details[state.screen]
            historyUser = state.historyUser
            historyPage = state.historyPages.count
            focused = state.focusedKey
            filter = state.filter(focused)
            sort = state.table(focused).sort
            expanded = state.expanded[focused]
        }
    }
}

/// What each screen shows, derived from the state: the screen's panels, or those of the
/// drill-down open on it.
public enum ScreenContent {
    /// The view of the state as it is now: the alerts evaluated once, and the panels with them.
    public static func view(_ state: ConsoleState) -> ConsoleViewModel {
        let alerts = state.alerts
        var panels = panels(in: state, alerts: alerts)
        // A table with rows always has a row selected, as the keys would have left it: the first
        // that stands for something (a process's role and flags come before its streams).
        for index in panels.indices where panels[index].key == state.focusedKey {
            let rows = panels[index].table.rows
            if panels[index].table.selection == nil, !rows.isEmpty {
                panels[index].table.selection = rows.firstIndex { $0.tag != nil } ?? 0
            } else if let selection = panels[index].table.selection, selection >= rows.count {
                panels[index].table.selection = rows.isEmpty ? nil : rows.count - 1
            }
        }
        return ConsoleViewModel(alerts: alerts, panels: panels, revision: state.revision, shape: .init(state))
    }

    /// The view as it is drawn: the last frame's when it is of this state, else made now.
    static func current(_ state: ConsoleState) -> ConsoleViewModel {
        state.view.revision == state.revision && state.view.shape == ConsoleViewModel.Shape(state) ? state.view : view(state)
    }

    /// The panels the keys act on: those of the last frame, as they were drawn, unless the
    /// screen or its drill-down changed since (then those the next frame draws, which no frame
    /// has drawn yet: the next one derives its own).
    static func drawn(_ state: inout ConsoleState) -> [Panel] {
        if state.view.shape != ConsoleViewModel.Shape(state) {
            state.view = view(state)
            state.view.revision = -1
        }
        return state.view.panels
    }

    /// The focused panel as drawn, with the row the keys have selected since.
    static func focusedPanel(_ state: inout ConsoleState) -> Panel? {
        let panels = drawn(&state)
        let index = state.focusedKey.panel
        guard var panel = index < panels.count ? panels[index] : panels.first else { return nil }
        if let selection = state.table(panel.key).selection {
            panel.table.selection = panel.table.rows.isEmpty ? nil : min(selection, panel.table.rows.count - 1)
        }
        return panel
    }

    /// `alerts` are the state's, passed in so a frame evaluates them once.
    static func panels(in state: ConsoleState, alerts: [Alert]) -> [Panel] {
        let screen = state.screen
        let detail = state.details[screen]
        var panels: [Panel] = []
        func add(_ title: String, _ columns: [TableColumn], _ rows: [TableRow], empty: [String],
                 drill: DrillKind? = nil) {
            let key = TableKey(screen, detail: detail, panel: panels.count)
            let tableState = state.table(key)
            let filter = state.filter(key)
            let shown = RowTree.arrange(rows, filter: filter, sort: tableState.sort,
                                        expanded: state.expanded[key] ?? [])
            let focused = key == state.focusedKey
            panels.append(Panel(
                title: title + (filter.isEmpty ? "" : "  filter: " + filter),
                table: Table(columns: columns, rows: shown, selection: focused ? tableState.selection : nil,
                             offset: tableState.offset, sort: tableState.sort,
                             emptyMessage: filter.isEmpty || rows.isEmpty ? empty : ["No row matches the filter."]),
                key: key, drill: drill))
        }
        if let detail {
            DetailContent.add(detail, state, add)
            return panels
        }
        screen.content.add(state, alerts: alerts, add)
        return panels
    }

    /// " · read 3s ago" for a panel's title, or nothing before the first read.
    static func age(_ state: ConsoleState, _ at: Double?) -> String {
        guard let at else { return "" }
        return " · read \(TimeText.age(state.databaseNow - at)) ago"
    }

    static func noWireMessage(_ state: ConsoleState) -> String {
        switch state.wireSource {
        case .none:
            return "No replication source: give -c homeserver.yaml, --redis URL or --replay FILE."
        case .live(let endpoint, let serverName, _):
            return "Listening to \(serverName) on \(endpoint): nothing published yet."
        case .replay(let file, _):
            return "Replaying \(file): no such rows yet."
        }
    }

    /// Why a database panel is empty: no database, not reached yet, a failed query, or
    /// really nothing. `fetched` is (errors, isEmpty) of the panel's last read.
    static func databaseMessage(_ state: ConsoleState, _ fetched: ([String], Bool)?, empty: String) -> String {
        switch state.database.status {
        case .none:
            return "No database: give -c homeserver.yaml, --db CONNINFO or $SYNTOP_DB."
        case .connecting where fetched == nil:
            return "Connecting to the database (\(state.database.display ?? "?"))…"
        case .waiting(_, _, let error) where fetched == nil:
            return "Database unreachable: \(error)"
        default:
            if let session = state.database.session, !session.schemaKnown {
                return "Synapse schema \(session.schemaVersion ?? 0) is one syntop does not know "
                    + "(\(SessionStore.supportedSchemas.lowerBound)-\(SessionStore.supportedSchemas.upperBound)): no figures shown."
            }
            guard let fetched else { return "Reading the database…" }
            if let error = fetched.0.first { return "database: \(error)" }
            return empty
        }
    }
}
