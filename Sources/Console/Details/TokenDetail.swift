import Observation
import Store
import Terminal
import Wire

extension DetailContent {
    /// Each position of a token beside its stream: what was written, each writer's position in
    /// the token, the database and on the wire; a position never written is flagged ahead.
    static func addToken(_ text: String, _ state: ConsoleState, _ add: PanelAdder) {
        guard let token = try? SyncToken.parse(text) else { return }
        let data = fetched(.token(text), state)
        let check = TokenCheck.compare(token, streams: state.database.positions?.value,
                                       instances: data?.value.instances ?? [:])
        let wire = state.displayedWire
        var title = "Token " + String(text.prefix(40)) + (text.count > 40 ? "…" : "")
        if let position = check.connectionPosition { title += " · sliding sync position \(position)" }
        title += check.ahead.isEmpty ? "" : " · \(check.ahead.count) ahead"
        add(title + ScreenContent.age(state, data?.at) + " · Esc back", [
            TableColumn("Field", .flexible(min: 14, weight: 2)),
            TableColumn("Token", .flexible(min: 8, weight: 2)),
            TableColumn("Written", .fixed(9), .right),
            TableColumn("Writers: token/database/wire", .fill(min: 20, weight: 5)),
            TableColumn("Flags", .flexible(min: 6, weight: 3)),
        ], check.fields.map { field in
            let writers = field.writers.map { writer in
                let seen = field.stream.flatMap { stream in
                    wire.positions[WriterKey(StreamName(rawValue: stream), InstanceName(rawValue: writer.instance))]?.token
                }
                return "\(writer.instance) " + [writer.token, writer.database, seen].map { $0.map(String.init) ?? "-" }
                    .joined(separator: "/")
            }
            let flag = field.ahead ? "AHEAD: \(field.furthest) never written" : (field.note ?? "")
            return TableRow([
                TableCell(field.name),
                TableCell(field.token),
                TableCell(field.written.map(String.init) ?? "-", field.written == nil ? .muted : nil),
                TableCell(writers.joined(separator: ", ")),
                TableCell(flag, field.ahead ? .crit : .muted),
            ], element: field.ahead ? .crit : .normal)
        }, [ScreenContent.databaseMessage(state, state.database.positions.map { ($0.errors, false) }, empty: "")], nil)
    }
}
