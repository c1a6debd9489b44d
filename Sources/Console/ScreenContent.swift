import Wire
import Terminal

/// A framed table on a screen.
public struct Panel: Sendable {
    public var title: String
    public var table: Table
}

/// What each screen shows, derived from the state. The first panel is the one that the
/// selection keys move in.
public enum ScreenContent {
    public static func panels(for screen: ScreenID, in state: ConsoleState) -> [Panel] {
        let tableState = state.table(screen)
        let filter = state.filter(screen)
        func table(_ columns: [TableColumn], _ waiting: [String], primary: Bool = true,
                   rows: [TableRow] = []) -> Table {
            let shown = primary ? WireRows.sorted(WireRows.filtered(rows, by: filter), by: tableState.sort) : rows
            return Table(columns: columns, rows: shown,
                  selection: primary ? tableState.selection : nil,
                  offset: primary ? tableState.offset : 0,
                  sort: primary ? tableState.sort : nil,
                  emptyMessage: waiting)
        }
        let noWire: String
        switch state.wireSource {
        case .none:
            noWire = "No replication source: give --redis URL and --server-name NAME, or --replay FILE."
        case .live(let endpoint, let serverName, _):
            noWire = "Listening to \(serverName) on \(endpoint): nothing published yet."
        case .replay(let file, _):
            noWire = "Replaying \(file): no such rows yet."
        }
        let noDatabase = "Waiting for the database: this build of syntop has no PostgreSQL connection yet."
        switch screen {
        case .pokes:
            return [
                Panel(title: "Device-list changes on the wire", table: table([
                    TableColumn("Time", .fixed(8)),
                    TableColumn("Writer", .flexible(min: 8, weight: 1)),
                    TableColumn("Token", .fixed(8), .right),
                    TableColumn("User", .flexible(min: 12, weight: 3)),
                    TableColumn("Change", .fixed(9)),
                    TableColumn("Hosts", .fixed(5)),
                ], [noWire], rows: WireRows.deviceListRows(state))),
                Panel(title: "Outbound pokes waiting per destination", table: table([
                    TableColumn("Destination", .flexible(min: 12, weight: 3)),
                    TableColumn("Pending", .fixed(8), .right),
                    TableColumn("Oldest", .fixed(8), .right),
                    TableColumn("Last success", .fixed(12)),
                    TableColumn("Retry", .flexible(min: 8, weight: 1)),
                ], [noDatabase], primary: false)),
            ]
        case .roles:
            return [Panel(title: "Processes and the streams they write", table: table([
                TableColumn("Instance", .flexible(min: 18, weight: 1)),
                TableColumn("Configured role", .flexible(min: 10, weight: 2)),
                TableColumn("Writes (config)", .flexible(min: 10, weight: 3)),
                TableColumn("Seen writing", .flexible(min: 10, weight: 3)),
                TableColumn("Last seen", .fixed(9), .right),
                TableColumn("Flags", .flexible(min: 5, weight: 1)),
            ], ["No configuration and no replication source: give -c homeserver.yaml -c workers/ for the",
                "configured roles, and Redis (or --replay) for what the processes really do."],
                rows: WireRows.roleRows(state)))]
        case .positions:
            return [Panel(title: "Stream positions per writer", table: table([
                TableColumn("Stream", .flexible(min: 10, weight: 2)),
                TableColumn("Writer", .flexible(min: 8, weight: 2)),
                TableColumn("Wire", .fixed(9), .right),
                TableColumn("Age", .fixed(6), .right),
                TableColumn("Database", .fixed(9), .right),
                TableColumn("Max", .fixed(9), .right),
                TableColumn("Flags", .flexible(min: 6, weight: 1)),
                TableColumn("Rows/s 10s", .fixed(10)),
            ], [noWire, noDatabase], rows: WireRows.positionRows(state)))]
        case .history:
            return [Panel(title: "Membership history", table: table([
                TableColumn("Time", .fixed(16)),
                TableColumn("Room", .flexible(min: 12, weight: 3)),
                TableColumn("Membership", .fixed(10)),
                TableColumn("By", .flexible(min: 10, weight: 2)),
                TableColumn("Reason", .flexible(min: 6, weight: 2)),
            ], [noDatabase]))]
        }
    }

    /// How many panels a screen has: fixed per screen, so layout never has to build rows.
    public static func panelCount(_ screen: ScreenID) -> Int {
        screen == .pokes ? 2 : 1
    }

    public static func primaryRowCount(_ screen: ScreenID, in state: ConsoleState) -> Int {
        panels(for: screen, in: state).first?.table.rows.count ?? 0
    }

    public static func primaryColumnCount(_ screen: ScreenID, in state: ConsoleState) -> Int {
        panels(for: screen, in: state).first?.table.columns.count ?? 0
    }
}
