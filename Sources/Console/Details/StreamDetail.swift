import Config
import Findings
import NaturalOrder
import Observation
import Store
import Terminal
import Wire

extension DetailContent {
    static func addStream(_ stream: String, _ state: ConsoleState, _ add: PanelAdder) {
        let wire = state.displayedWire
        var positions: [String: Int64] = [:]
        for (key, position) in state.database.storedPositions where key.stream.rawValue == stream {
            positions[key.instance.rawValue] = position
        }
        var writers = Set(positions.keys)
        writers.formUnion(wire.positions.keys.filter { $0.stream.rawValue == stream }.map(\.instance.rawValue))
        let maximum = state.database.streamMaxima[stream]
        add("Writers of \(stream)" + (maximum.map { " · max over its tables and sequence \($0)" } ?? "") + " · Esc back", [
            TableColumn("Writer", .flexible(min: 10, weight: 2)),
            TableColumn("Wire", .fixed(9), .right),
            TableColumn("Age", .fixed(5), .right),
            TableColumn("Database", .fixed(9), .right),
            TableColumn("Rows", .fixed(7), .right),
            TableColumn("POSITIONs", .fixed(9), .right),
            TableColumn("Restarts", .fixed(8), .right),
            TableColumn("Gaps", .fixed(5), .right),
        ], writers.sorted(by: NaturalOrder.less).map { instance in
            let position = wire.positions[WriterKey(StreamName(rawValue: stream), InstanceName(rawValue: instance))]
            return TableRow([
                TableCell(instance),
                TableCell(position.map { String($0.token) } ?? "-"),
                TableCell(position.map { TimeText.age(state.now - $0.lastSeen) } ?? "-"),
                TableCell(positions[instance].map(String.init) ?? "-"),
                TableCell(position.map { String($0.rows) } ?? "-"),
                TableCell(position.map { String($0.positionLines) } ?? "-"),
                TableCell(position.map { String($0.restarts) } ?? "-", (position?.restarts ?? 0) > 0 ? .crit : nil),
                TableCell(position.map { String($0.gaps) } ?? "-", (position?.gaps ?? 0) > 0 ? .warn : nil),
            ], tag: instance)
        }, ["No writer of \(stream) seen."], .process)
        if stream == "caches" {
            add("Cache invalidations per cache function (which caches churn, and from which writer)", [
                TableColumn("Cache function", .flexible(min: 16, weight: 3)),
                TableColumn("Count", .fixed(7), .right),
                TableColumn("Whole", .fixed(6), .right),
                TableColumn("Last", .fixed(8)),
                TableColumn("By writer", .fill(min: 10, weight: 3)),
            ], wire.caches.sorted { ($0.value.invalidations, $1.key) > ($1.value.invalidations, $0.key) }.map { function, stats in
                TableRow([
                    TableCell(function),
                    TableCell(String(stats.invalidations)),
                    TableCell(String(stats.wholeCache)),
                    TableCell(TimeText.clock(stats.lastSeen, utcOffset: state.utcOffset)),
                    TableCell(stats.byInstance.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }
                        .joined(separator: " ")),
                ])
            }, ["No cache invalidation seen yet."], nil)
            return
        }
        let rows = wire.streamRows.elements.reversed().compactMap { entry -> TableRow? in
            switch entry {
            case .row(let row) where row.stream.rawValue == stream:
                return TableRow([
                    TableCell(TimeText.clock(row.time, utcOffset: state.utcOffset)),
                    TableCell(row.instance.rawValue),
                    TableCell(String(row.token)),
                    TableCell(row.row.map(StreamRowText.describe) ?? "(a row that no longer decodes)"),
                ])
            case .gap(let since, let reason):
                return TableRow(first: TableCell(TimeText.clock(since, utcOffset: state.utcOffset)),
                                spanning: "— connection lost: \(reason) —", element: .crit)
            default:
                return nil
            }
        }
        add("Recent rows of \(stream) on the wire", [
            TableColumn("Time", .fixed(8)),
            TableColumn("Writer", .flexible(min: 8, weight: 1)),
            TableColumn("Token", .fixed(8), .right),
            TableColumn("Row", .fill(min: 20, weight: 5)),
        ], rows, ["No \(stream) rows seen yet."], nil)
    }
}
