import NaturalOrder
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

/// What each screen shows, derived from the state: the screen's panels, or those of the
/// drill-down open on it.
public enum ScreenContent {
    /// `alerts` are the state's (`Alerts.evaluate`), passed in so a frame evaluates them once.
    public static func panels(in state: ConsoleState, alerts: [Alert]? = nil) -> [Panel] {
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

    /// How many panels the current view has, without building any row.
    public static func panelCount(_ state: ConsoleState) -> Int {
        switch state.details[state.screen] {
        case .destination, .membership, .token: return 1
        case .user, .process, .stream: return 2
        case .room: return DetailContent.roomPanels
        case nil: return state.screen.content.panelCount(state)
        }
    }

    public static func focusedPanel(_ state: ConsoleState) -> Panel? {
        let panels = panels(in: state)
        let index = state.focusedKey.panel
        return index < panels.count ? panels[index] : panels.first
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
