import Config
import Terminal
import Wire

/// Turns the wire state into the rows of the Pokes and Positions screens.
enum WireRows {
    static func clock(_ time: Double, utcOffset: Int) -> String {
        guard time.isFinite, abs(time) < 1e12 else { return "--:--:--" }
        let seconds = (Int64(time.rounded(.down)) + Int64(utcOffset)) % 86_400
        let day = seconds < 0 ? seconds + 86_400 : seconds
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(day / 3600)):\(two(day / 60 % 60)):\(two(day % 60))"
    }

    static func age(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        let s = max(0, Int(seconds))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86_400 { return "\(s / 3600)h" }
        return "\(s / 86_400)d"
    }

    static func deviceListRows(_ state: ConsoleState) -> [TableRow] {
        state.displayedWire.deviceLists.elements.reversed().map { entry in
            switch entry {
            case .row(let change):
                var writer = change.instance.rawValue
                if !change.republishedBy.isEmpty {
                    writer += " +" + change.republishedBy.map(\.rawValue).joined(separator: ",")
                }
                return TableRow([
                    TableCell(clock(change.time, utcOffset: state.utcOffset)),
                    TableCell(writer),
                    TableCell(String(change.token)),
                    TableCell(change.userID),
                    TableCell(change.isSignature ? "signature" : "device"),
                    TableCell(change.hostsCalculated ? "yes" : "no", change.hostsCalculated ? .ok : .muted),
                ])
            case .gap(let since, let reason):
                return TableRow(first: TableCell(clock(since, utcOffset: state.utcOffset)),
                                spanning: "— connection lost: \(reason); rows published meanwhile were not seen —",
                                element: .crit)
            }
        }
    }

    static func positionRows(_ state: ConsoleState) -> [TableRow] {
        let wire = state.displayedWire
        return wire.positions.sorted { $0.key < $1.key }.map { key, writer in
            let age = state.now - writer.lastSeen
            var flags: [String] = []
            if writer.restarts > 0 { flags.append("restarted ×\(writer.restarts)") }
            if writer.gaps > 0 { flags.append("gaps ×\(writer.gaps)") }
            let element: ThemeElement = writer.restarts > 0 ? .crit : (writer.gaps > 0 ? .warn : .normal)
            let rate = writer.rate.values(until: state.now).suffix(10).map(Double.init)
            return TableRow([
                TableCell(key.stream.rawValue),
                TableCell(key.instance.rawValue),
                TableCell(String(writer.token)),
                TableCell(self.age(age)),
                TableCell("-", .muted),
                TableCell("-", .muted),
                TableCell(flags.joined(separator: " "), element),
                TableCell(Sparkline(rate).text(width: 10), .sparkline),
            ], element: element == .crit ? .crit : .normal)
        }
    }

    static func roleRows(_ state: ConsoleState) -> [TableRow] {
        let listened: Bool
        if case .none = state.wireSource { listened = false } else { listened = true }
        return RoleComparison.compare(config: state.config, wire: state.displayedWire, listened: listened).map { role in
            let app = role.configured.map { $0.app.replacingOccurrences(of: "synapse.app.", with: "") } ?? "-"
            let duties = role.configured?.duties ?? []
            let configuredWrites = (role.configured?.writes ?? []).filter { $0 != "caches" }
            let seen = role.observed.map { $0.streams.map(\.rawValue).filter { $0 != "caches" }.sorted() }
            let worst = role.flags.map(\.level).max { rank($0) < rank($1) }
            let element: ThemeElement = worst == .crit ? .crit : (worst == .warn ? .warn : .normal)
            return TableRow([
                TableCell(role.instance),
                TableCell(([app] + duties).joined(separator: ", ")),
                TableCell(configuredWrites.joined(separator: " ")),
                TableCell(seen.map { $0.joined(separator: " ") } ?? "not seen", seen == nil ? .muted : nil),
                TableCell(role.observed.map { age(state.now - $0.lastSeen) } ?? "-"),
                TableCell(role.flags.filter { $0.level != .info }.map(\.message).joined(separator: "; "), element),
            ], element: element == .crit ? .crit : .normal)
        }
    }

    static func rank(_ level: RoleFlag.Level) -> Int {
        switch level {
        case .info: 0
        case .warn: 1
        case .crit: 2
        }
    }

    /// One line of rows-per-second sparklines for the device_lists writers.
    static func deviceListRates(_ state: ConsoleState, width: Int) -> String {
        let writers = state.displayedWire.positions.filter { $0.key.stream == "device_lists" }
            .sorted { $0.key < $1.key }
        guard !writers.isEmpty else { return "" }
        return writers.map { key, writer in
            let values = writer.rate.values(until: state.now).suffix(20)
            let perSecond = Double(values.reduce(0, +)) / Double(values.count)
            let rate = perSecond < 10 ? String(Double(Int(perSecond * 10)) / 10) : String(Int(perSecond))
            return "\(key.instance) \(Sparkline(values.map(Double.init)).text(width: 20)) \(rate)/s"
        }.joined(separator: "   ")
    }

    /// Rows whose cells contain the filter text, case-insensitively.
    static func filtered(_ rows: [TableRow], by filter: String) -> [TableRow] {
        guard !filter.isEmpty else { return rows }
        let needle = filter.lowercased()
        return rows.filter { row in
            row.cells.contains { $0.text.lowercased().contains(needle) }
                || row.spanning?.lowercased().contains(needle) == true
        }
    }

    /// Rows in sort order: numbers as numbers, text as text.
    static func sorted(_ rows: [TableRow], by sort: SortOrder?) -> [TableRow] {
        guard let sort else { return rows }
        func key(_ row: TableRow) -> String { sort.column < row.cells.count ? row.cells[sort.column].text : "" }
        return rows.sorted { a, b in
            let (x, y) = (key(a), key(b))
            let ordered: Bool
            if let nx = Double(x), let ny = Double(y) { ordered = nx < ny } else { ordered = x < y }
            return sort.ascending ? ordered : (x != y && !ordered)
        }
    }
}
