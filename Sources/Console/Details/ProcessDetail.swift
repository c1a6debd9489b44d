import Config
import Findings
import NaturalOrder
import Observation
import Store
import Terminal
import Wire

extension DetailContent {
    static func addProcess(_ instance: String, _ state: ConsoleState, _ add: PanelAdder) {
        let configured = state.config?.processes.first { $0.instance == instance }
        let stored = state.database.roles?.value.first { $0.instance == instance }
        let wire = state.displayedWire
        var streams = Set(configured?.writes ?? [])
        streams.formUnion(wire.positions.keys.filter { $0.instance.rawValue == instance }.map(\.stream.rawValue))
        streams.formUnion(stored?.positionStreams ?? [])
        let positions = state.database.storedPositions
        var title = "Streams of \(instance)"
        if let configured { title += " (\(configured.app)\(configured.file.map { ", \($0)" } ?? ""))" }
        let columns = [
            TableColumn("Stream", .flexible(min: 10, weight: 2)),
            TableColumn("Configured", .fixed(10)),
            TableColumn("Wire", .fixed(9), .right),
            TableColumn("Age", .fixed(5), .right),
            TableColumn("Database", .fixed(9), .right),
        ]
        let streamRows = streams.sorted().map { stream in
            let position = wire.positions[WriterKey(StreamName(rawValue: stream), InstanceName(rawValue: instance))]
            let isConfigured = configured?.writes.contains(stream) ?? false
            return TableRow([
                TableCell(stream),
                TableCell(configured == nil ? "-" : (isConfigured ? "writer" : "no"), isConfigured ? nil : .warn),
                TableCell(position.map { String($0.token) } ?? "-"),
                TableCell(position.map { TimeText.age(state.now - $0.lastSeen) } ?? "-"),
                TableCell(positions[WriterKey(StreamName(rawValue: stream), InstanceName(rawValue: instance))]
                    .map(String.init) ?? "-"),
            ], tag: stream)
        }
        // What the Roles row may cut, whole above the streams: the role, and each flag, wrapped
        // to the room right of the first column.
        // A table's width inside its frame, whatever the panels' heights.
        let width = ConsoleLayout(size: state.size).body.inset(1).width
        let first = Table.widths(columns, total: width,
                                 content: Table(columns: columns, rows: streamRows).contentWidths())[0]
        var lines: [TableRow] = []
        func addLines(_ label: String, _ text: String, _ element: ThemeElement) {
            for (index, line) in TextWidth.wrap(text, to: max(10, width - first - 1)).enumerated() {
                lines.append(TableRow(first: TableCell(index == 0 ? label : "", element), spanning: line, element: element))
            }
        }
        if let configured, !configured.duties.isEmpty {
            addLines("role", ([configured.app] + configured.duties).joined(separator: ", "), .normal)
        }
        for flag in RolesScreen.processRoles(state).first(where: { $0.instance == instance })?.flags ?? [] {
            addLines(flag.level.rawValue, flag.message, .of(flag.level, calm: .muted))
        }
        if !RolesScreen.columnsShown(state).wide, let observed = wire.instances[InstanceName(rawValue: instance)] {
            addLines("wire", "last seen \(TimeText.age(state.now - observed.lastSeen)) ago", .normal)
        }
        // Its listeners' last answers, and what its metrics page says.
        for answer in ProcessText.answers(state.processes.health[instance], state) {
            addLines("listener", answer, .normal)
        }
        if let error = state.processes.metricsErrors[instance] {
            addLines("metrics", error, .warn)
        }
        if let metrics = ProcessText.metrics(state.processes.metrics[instance], state) {
            let stale = state.processes.metricsErrors[instance] != nil
            for line in metrics { addLines("metrics", (stale ? "last read: " : "") + line, stale ? .muted : .normal) }
        } else if let configured, state.processes.metricsErrors[instance] == nil {
            addLines("metrics", configured.metricsTarget(host: nil) == nil
                     ? "none served (enable_metrics and a metrics listener or resource)" : "not read yet", .muted)
        }
        add(title + " · Esc back", columns, lines + streamRows, ["\(instance) writes no stream."], nil)
        add("Locks held by \(instance)", [
            TableColumn("Lock", .flexible(min: 10, weight: 2)),
            TableColumn("Key", .fill(min: 10, weight: 3)),
            TableColumn("Kind", .fixed(10)),
            TableColumn("Renewed", .fixed(8), .right),
        ], (stored?.locks ?? []).map { lock in
            TableRow([
                TableCell(lock.name), TableCell(lock.key), TableCell(lock.readWrite ? "read/write" : "exclusive"),
                TableCell(lock.renewedAt.map { TimeText.age(state.databaseNow - $0) + " ago" } ?? "-"),
            ])
        }, [ScreenContent.databaseMessage(state, state.database.roles.map { ($0.errors, stored?.locks.isEmpty ?? true) },
                                          empty: "No locks held.")], nil)
    }
}
