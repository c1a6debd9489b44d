import Config
import Findings
import NaturalOrder
import Store
import Terminal
import Wire

/// 3 Positions: every stream's position per writer, on the wire and in the database.
enum PositionsScreen: ConsoleScreen {
    static func panelCount(_ state: ConsoleState) -> Int { 1 }

    static func reads(_ state: ConsoleState) -> [DatabaseRequest.Read] { [] }

    static func add(_ state: ConsoleState, alerts: [Alert]?, _ add: PanelAdder) {
        add("Stream positions per writer" + ScreenContent.age(state, state.database.positions?.at), [
            TableColumn("Stream", .flexible(min: 12, weight: 2)),
            TableColumn("Writer", .flexible(min: 12, weight: 3)),
            TableColumn("Wire", .fixed(8), .right),
            TableColumn("Age", .fixed(5), .right),
            TableColumn("Database", .fixed(8), .right),
            TableColumn("DB-wire", .fixed(7), .right),
            TableColumn("Max", .fixed(8), .right),
            TableColumn("Flags", .fill(min: 6, weight: 3)),
            TableColumn("Rows/s 10s", .fixed(10)),
        ], PositionsScreen.positionRows(state, alerts: alerts ?? Alerts.evaluate(state)),
            [ScreenContent.noWireMessage(state), ScreenContent.databaseMessage(state, state.database.positions.map { ($0.errors, $0.value.isEmpty) },
                                                                                   empty: "The database has no stream positions.")],
            .stream)
    }

    /// One row per stream and writer, from the wire and the database together; flags from the
    /// alerts, so the row and the status line never disagree.
    static func positionRows(_ state: ConsoleState, alerts all: [Alert]) -> [TableRow] {
        let wire = state.displayedWire
        let stored = state.database.storedPositions
        let maxima = state.database.streamMaxima
        // Every writer the configuration names is a row from the start, seen or not.
        let configured = state.config?.configuredWriterKeys ?? []
        let keys = Set(wire.positions.keys).union(stored.keys).union(configured)
        var alerts: [String: [Alert]] = [:]
        for alert in all { alerts[alert.subject, default: []].append(alert) }
        return keys.sorted().map { key in
            let writer = wire.positions[key]
            let position = stored[key]
            var flags = (alerts["\(key.stream)/\(key.instance)"] ?? []).map { $0.message }
            // Its process does not answer: nothing of this stream moves until it is back.
            let down = state.processes.health[key.instance.rawValue]?.state == .down
            if down { flags.insert("process down", at: 0) }
            if let writer, writer.gaps > 0 { flags.append("gaps ×\(writer.gaps)") }
            if writer == nil { flags.append(position == nil ? "nothing seen yet" : "not seen on the wire") }
            let worst = alerts["\(key.stream)/\(key.instance)"]?.map(\.level).max()
            let element: ThemeElement = worst == .critical || down ? .crit
                : (worst == .warning || (writer?.gaps ?? 0) > 0 ? .warn : .normal)
            var difference = "-"
            if let position, let token = writer?.token { difference = String(position - token) }
            let rate = writer.map { $0.rate.values(until: state.now).suffix(10).map(Double.init) } ?? []
            return TableRow([
                TableCell(key.stream.rawValue),
                TableCell(key.instance.rawValue),
                TableCell(writer.map { String($0.token) } ?? "-", writer == nil ? .muted : nil),
                TableCell(writer.map { TimeText.age(state.now - $0.lastSeen) } ?? "-"),
                TableCell(position.map(String.init) ?? "-", position == nil ? .muted : nil),
                TableCell(difference),
                TableCell(maxima[key.stream.rawValue].map(String.init) ?? "-", .muted),
                TableCell(flags.joined(separator: "; "), element == .normal ? .muted : element),
                TableCell(Sparkline(rate).text(width: 10), .sparkline),
            ], element: element == .crit ? .crit : .normal, tag: key.stream.rawValue)
        }
    }
}
