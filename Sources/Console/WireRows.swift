import Findings
import NaturalOrder
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

    /// "2026-11-27 22:40" in the local time zone, for times that may be days old.
    static func dateTime(_ time: Double, utcOffset: Int) -> String {
        guard time.isFinite, abs(time) < 1e12 else { return "----------" }
        let local = Int64(time.rounded(.down)) + Int64(utcOffset)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let seconds = local - days * 86_400
        // Days since 1970-01-01 to a civil date (proleptic Gregorian calendar).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day)) \(two(seconds / 3600)):\(two(seconds / 60 % 60))"
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
                ], tag: change.userID)
            case .gap(let since, let reason):
                return TableRow(first: TableCell(clock(since, utcOffset: state.utcOffset)),
                                spanning: "— connection lost: \(reason); rows published meanwhile were not seen —",
                                element: .crit)
            }
        }
    }

    /// One row per stream and writer, from the wire and the database together; flags from the
    /// alerts, so the row and the status line never disagree.
    static func positionRows(_ state: ConsoleState, alerts all: [Alert]) -> [TableRow] {
        let wire = state.displayedWire
        let stored = DatabaseRows.stored(state)
        let maxima = DatabaseRows.maxima(state)
        // Every writer the configuration names is a row from the start, seen or not.
        let configured = state.config?.configuredWriterKeys ?? []
        let keys = Set(wire.positions.keys).union(stored.keys).union(configured)
        var alerts: [String: [Alert]] = [:]
        for alert in all { alerts[alert.subject, default: []].append(alert) }
        return keys.sorted().map { key in
            let writer = wire.positions[key]
            let position = stored[key]
            var flags = (alerts["\(key.stream)/\(key.instance)"] ?? []).map { $0.message }
            if let writer, writer.gaps > 0 { flags.append("gaps ×\(writer.gaps)") }
            if writer == nil { flags.append(position == nil ? "nothing seen yet" : "not seen on the wire") }
            let worst = alerts["\(key.stream)/\(key.instance)"]?.map(\.level).max()
            let element: ThemeElement = worst == .critical ? .crit : (worst == .warning || (writer?.gaps ?? 0) > 0 ? .warn : .normal)
            var difference = "-"
            if let position, let token = writer?.token { difference = String(position - token) }
            let rate = writer.map { $0.rate.values(until: state.now).suffix(10).map(Double.init) } ?? []
            return TableRow([
                TableCell(key.stream.rawValue),
                TableCell(key.instance.rawValue),
                TableCell(writer.map { String($0.token) } ?? "-", writer == nil ? .muted : nil),
                TableCell(writer.map { age(state.now - $0.lastSeen) } ?? "-"),
                TableCell(position.map(String.init) ?? "-", position == nil ? .muted : nil),
                TableCell(difference),
                TableCell(maxima[key.stream.rawValue].map(String.init) ?? "-", .muted),
                TableCell(flags.joined(separator: "; "), element == .normal ? .muted : element),
                TableCell(Sparkline(rate).text(width: 10), .sparkline),
            ], element: element == .crit ? .crit : .normal, tag: key.stream.rawValue)
        }
    }

    /// Every process with its flags: configured beside seen, the database's own, and the
    /// processes that did not answer the last REPLICATE.
    static func processRoles(_ state: ConsoleState) -> [ProcessRole] {
        let listened: Bool
        if case .none = state.wireSource { listened = false } else { listened = true }
        let database = Dictionary((state.database.roles?.value ?? []).map { ($0.instance, $0) }, uniquingKeysWith: { a, _ in a })
        var roles = RoleComparison.compare(config: state.config, wire: state.displayedWire, listened: listened)
        let named = Set(roles.map(\.instance))
        for instance in database.keys.sorted(by: NaturalOrder.less) where !named.contains(instance) {
            roles.append(ProcessRole(instance: instance, configured: nil, observed: nil, flags: state.config == nil ? [] : [
                RoleFlag(level: .info, message: "only in the database (a process renamed or removed?)")]))
        }
        // Processes that did not answer the last REPLICATE, flagged on their own row.
        var unanswered: [String: Alert] = [:]
        if let config = state.config, let probedAt = state.probedAt {
            for alert in Alerts.unanswered(config: config, wire: state.displayedWire, probedAt: probedAt, now: state.now) {
                unanswered[alert.subject] = alert
            }
        }
        for index in roles.indices {
            if let alert = unanswered[roles[index].instance] {
                roles[index].flags.insert(RoleFlag(level: alert.level, message: alert.message), at: 0)
            }
        }
        return roles
    }

    static func roleRows(_ state: ConsoleState) -> [TableRow] {
        let database = Dictionary((state.database.roles?.value ?? []).map { ($0.instance, $0) }, uniquingKeysWith: { a, _ in a })
        return processRoles(state).map { role in
            let app = role.configured.map { $0.app.replacingOccurrences(of: "synapse.app.", with: "") } ?? "-"
            let duties = role.configured?.duties ?? []
            let configuredWrites = (role.configured?.writes ?? []).filter { $0 != "caches" }
            let seen = role.observed.map { $0.streams.map(\.rawValue).filter { $0 != "caches" }.sorted() }
            let worst = role.flags.map(\.level).max()
            let element: ThemeElement = worst == .critical ? .crit : (worst == .warning ? .warn : .normal)
            let stored = database[role.instance]
            // Agreement in a word; the streams only where they differ from the configuration.
            let positions = (stored?.positionStreams ?? []).filter { $0 != "caches" }
            var databaseSide = positions.isEmpty ? [] : (Set(positions).isSubset(of: configuredWrites)
                ? ["positions ok"] : positions)
            if let locks = stored?.locks, !locks.isEmpty { databaseSide.append("\(locks.count) lock(s)") }
            if stored?.federationSender == true { databaseSide.append("federation") }
            let seenText: String? = seen.map { streams in
                if streams.isEmpty { return "caches only" }
                return role.configured != nil && Set(streams).isSubset(of: configuredWrites)
                    ? "as configured" : streams.joined(separator: " ")
            }
            // Information (not seen while idle, only in the database) too: it is what an
            // operator checks a configuration against.
            let shownFlags = role.flags
            return TableRow([
                TableCell(role.instance),
                TableCell(([app] + duties).joined(separator: ", ")),
                TableCell(configuredWrites.joined(separator: " ")),
                TableCell(seenText ?? "not seen", seenText == nil ? .muted : (seenText == "as configured" ? .ok : nil)),
                TableCell(role.observed.map { age(state.now - $0.lastSeen) } ?? "-"),
                TableCell(stored == nil ? "-" : databaseSide.joined(separator: " "), stored == nil ? .muted : nil),
                TableCell(shownFlags.map(\.message).joined(separator: "; "), element),
            ], element: element == .crit ? .crit : .normal, tag: role.instance)
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
        func before(_ x: String, _ y: String) -> Bool {
            if let nx = Double(x), let ny = Double(y), !nx.isNaN, !ny.isNaN { return nx < ny }
            return NaturalOrder.less(x, y)
        }
        return rows.sorted { a, b in
            sort.ascending ? before(key(a), key(b)) : before(key(b), key(a))
        }
    }
}
