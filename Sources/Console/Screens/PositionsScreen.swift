import Config
import Findings
import NaturalOrder
import Observation
import Store
import Terminal
import Wire

/// 3 Positions: every stream's position per writer, on the wire and in the database.
enum PositionsScreen: ConsoleScreen {
    static func reads(_ state: ConsoleState) -> [DatabaseRead] { [] }

    static func add(_ state: ConsoleState, alerts: [Alert], _ add: PanelAdder) {
        add("Stream positions per writer" + ScreenContent.age(state, state.database.positions?.at), [
            TableColumn("Stream", .flexible(min: 12, weight: 2)),
            TableColumn("Writer", .flexible(min: 12, weight: 3)),
            TableColumn("Wire", .fixed(8), .right),
            TableColumn("Age", .fixed(5), .right),
            TableColumn("Database", .fixed(8), .right),
            TableColumn("DB-wire", .fixed(7), .right),
        ] + (isWide(state) ? [TableColumn("Max", .fixed(8), .right)] : []) + [
            // Weighted as the stream and the writer together: the flags are read first.
            TableColumn("Flags", .fill(min: 6, weight: isWide(state) ? 3 : 5)),
        ] + (isWide(state) ? [TableColumn("Rows/s 10s", .fixed(10))] : []), PositionsScreen.positionRows(state, alerts: alerts),
            [ScreenContent.noWireMessage(state), ScreenContent.databaseMessage(state, state.database.positions.map { ($0.errors, $0.value.isEmpty) },
                                                                                   empty: "The database has no stream positions.")],
            .stream)
    }

    /// One writer of one stream, from the wire and the database together; flags from the
    /// alerts, so the row and the status line never disagree.
    struct WriterLine {
        var key: WriterKey
        var writer: WriterPosition?
        var stored: Int64?
        var flags: [String]
        /// The worst of its alerts and marks; nil when there is nothing to say.
        var level: Severity?
        var rate: [Double]
        /// Seconds since the wire last named it.
        var age: Double?

        var lag: Int64? { stored.flatMap { stored in writer.map { stored - $0.token } } }
        var element: ThemeElement { .of(level) }

        /// Worse first: the more severe flag, then the larger lag, then the longer silence.
        static func worse(_ a: WriterLine, _ b: WriterLine) -> Bool {
            if a.level != b.level { return (a.level ?? .info) > (b.level ?? .info) }
            let (lagA, lagB) = (abs(a.lag ?? 0), abs(b.lag ?? 0))
            if lagA != lagB { return lagA > lagB }
            let (seenA, seenB) = (a.writer?.lastSeen ?? .infinity, b.writer?.lastSeen ?? .infinity)
            if seenA != seenB { return seenA < seenB }
            return NaturalOrder.less(a.key.instance.rawValue, b.key.instance.rawValue)
        }
    }

    static func writerLines(_ state: ConsoleState, alerts all: [Alert]) -> [WriterLine] {
        let wire = state.displayedWire
        let stored = state.database.storedPositions
        // Every writer the configuration names is a row from the start, seen or not.
        let configured = state.config?.configuredWriterKeys ?? []
        let keys = Set(wire.positions.keys).union(stored.keys).union(configured)
        var alerts: [String: [Alert]] = [:]
        for alert in all { alerts[alert.subject, default: []].append(alert) }
        return keys.map { key in
            let writer = wire.positions[key]
            let position = stored[key]
            let own = alerts["\(key.stream)/\(key.instance)"] ?? []
            var flags = own.map { $0.message }
            // Its process does not answer: nothing of this stream moves until it is back.
            let down = state.processes.health[key.instance.rawValue]?.state == .down
            if down { flags.insert("process down", at: 0) }
            if let writer, writer.gaps > 0 { flags.append("gaps ×\(writer.gaps)") }
            if writer == nil { flags.append(position == nil ? "nothing seen yet" : "not seen on the wire") }
            var level = own.map(\.level).filter { $0 != .info }.max()
            if down { level = .critical }
            if level == nil && (writer?.gaps ?? 0) > 0 { level = .warning }
            let rate = writer.map { $0.rate.values(until: state.now).suffix(10).map(Double.init) } ?? []
            return WriterLine(key: key, writer: writer, stored: position, flags: flags, level: level, rate: rate,
                              age: writer.map { state.now - $0.lastSeen })
        }
    }

    /// One row per stream, worst first, with its writers under it (grouped by name where a
    /// number is all that tells them apart): folded, the row shows how many writers there are
    /// and the worst one's figures and flags.
    static func positionRows(_ state: ConsoleState, alerts all: [Alert]) -> [TableRow] {
        let maxima = state.database.streamMaxima
        let byStream = Dictionary(grouping: writerLines(state, alerts: all), by: \.key.stream)
        let streams = byStream.map { stream, lines in (stream, lines.sorted(by: WriterLine.worse)) }
            .sorted { a, b in
                let (levelA, levelB) = (a.1[0].level ?? .info, b.1[0].level ?? .info)
                return levelA != levelB ? levelA > levelB : NaturalOrder.less(a.0.rawValue, b.0.rawValue)
            }
        var rows: [TableRow] = []
        for (stream, lines) in streams {
            let maximum = isWide(state) ? maxima[stream.rawValue].map(String.init) ?? "-" : nil
            guard lines.count > 1 else {
                rows.append(row(lines[0], writerText: lines[0].key.instance.rawValue, maximum: maximum, depth: 0))
                continue
            }
            let streamKey = "stream:" + stream.rawValue
            let groups = ProcessGroups.group(lines.map(\.key.instance.rawValue))
            let writers = groups.count == 1 && groups[0].stem != nil
                ? ProcessGroups.label(groups[0].stem!, count: lines.count) : "\(lines.count) writers"
            rows.append(row(summary(lines), writerText: writers, maximum: maximum, depth: 0, foldKey: streamKey))
            let byInstance = Dictionary(uniqueKeysWithValues: lines.map { ($0.key.instance.rawValue, $0) })
            for group in groups {
                let members = group.members.compactMap { byInstance[$0] }
                guard let stem = group.stem, groups.count > 1 else {
                    rows += members.map { row($0, writerText: $0.key.instance.rawValue, maximum: maximum, depth: 1) }
                    continue
                }
                rows.append(row(summary(members), writerText: ProcessGroups.label(stem, count: members.count),
                                maximum: maximum, depth: 1, foldKey: streamKey + "/" + stem))
                rows += members.map { row($0, writerText: $0.key.instance.rawValue, maximum: maximum, depth: 2) }
            }
        }
        return rows
    }

    /// Several writers as one line: the worst one's figures, and the flags of every one,
    /// worst first, named by writer; the rates add up.
    static func summary(_ lines: [WriterLine]) -> WriterLine {
        var worst = lines[0]
        let flagged = lines.filter { !$0.flags.isEmpty && $0.writer != nil || $0.element != .normal }
        worst.flags = flagged.prefix(2).map { "\($0.key.instance): " + $0.flags.joined(separator: ", ") }
        if flagged.count > 2 { worst.flags.append("+\(flagged.count - 2) more flagged") }
        let unseen = lines.filter { $0.writer == nil }.count
        if unseen > 0 && unseen == lines.count {
            worst.flags = [lines.contains { $0.stored != nil } ? "not seen on the wire" : "nothing seen yet"]
        } else if unseen > 0 {
            worst.flags.append("\(unseen) not seen")
        }
        var rate = Array(repeating: 0.0, count: lines.map(\.rate.count).max() ?? 0)
        for line in lines {
            for (index, value) in line.rate.enumerated() { rate[index] += value }
        }
        worst.rate = rate
        return worst
    }

    /// Below 100 columns the flags need the room more than the stream's maximum and the rates.
    static func isWide(_ state: ConsoleState) -> Bool { state.size.width >= 100 }

    static func row(_ line: WriterLine, writerText: String, maximum: String?, depth: Int,
                    foldKey: String? = nil) -> TableRow {
        let writer = line.writer
        // `maximum` nil: a narrow screen, without the maximum and the rates.
        var cells = [
            // Under its stream, a writer's row leaves the stream's name to the row above.
            TableCell(depth == 0 ? line.key.stream.rawValue : ""),
            TableCell(writerText),
            TableCell(writer.map { String($0.token) } ?? "-", writer == nil ? .muted : nil),
            TableCell(line.age.map(TimeText.age) ?? "-"),
            TableCell(line.stored.map(String.init) ?? "-", line.stored == nil ? .muted : nil),
            TableCell(line.lag.map(String.init) ?? "-"),
        ]
        if let maximum { cells.append(TableCell(maximum, .muted)) }
        cells.append(TableCell(line.flags.joined(separator: "; "), line.element == .normal ? .muted : line.element))
        if maximum != nil { cells.append(TableCell(Sparkline(line.rate).text(width: 10), .sparkline)) }
        return TableRow(cells, element: line.element == .crit ? .crit : .normal, tag: line.key.stream.rawValue,
                        depth: depth, foldKey: foldKey)
    }
}
