import Config
import Findings
import NaturalOrder
import Observation
import Store
import Terminal
import Wire

/// 2 Roles: each process as configured and as seen, and where they disagree.
enum RolesScreen: ConsoleScreen {
    static func reads(_ state: ConsoleState) -> [DatabaseRead] { [.roles] }

    static func add(_ state: ConsoleState, alerts: [Alert], _ add: PanelAdder) {
        let (live, wide) = columnsShown(state)
        add("Processes and the streams they write" + ScreenContent.age(state, state.database.roles?.at)
                + subscribers(state), [TableColumn("Instance", .flexible(min: 18, weight: 1))]
            + (live ? [
                TableColumn("State", .fixed(11)),
                TableColumn("Version", .fixed(8)),
                TableColumn("Up", .fixed(4), .right),
                TableColumn("CPU", .fixed(5), .right),
                TableColumn("RSS", .fixed(5), .right),
                TableColumn("FDs", .fixed(4), .right),
            ] : []) + [
            TableColumn("Configured role", .flexible(min: 14, weight: 2)),
            TableColumn("Writes (config)", .flexible(min: 10, weight: 1)),
            TableColumn("Seen writing", .flexible(min: 13, weight: 2)),
            ] + (wide ? [
                TableColumn("Last seen", .fixed(9), .right),
                TableColumn("Database", .flexible(min: 13, weight: 1)),
            ] : []) + [
            TableColumn("Flags", .fill(min: 5, weight: 6)),
        ], RolesScreen.roleRows(state),
            ["No configuration and no replication source: give -c homeserver.yaml -c workers/ for the",
                    "configured roles, and Redis (or --replay) for what the processes really do."]
                + (state.configSearch.map { ["(\($0))"] } ?? []),
            .process)
    }

    /// Every process with its flags: configured beside seen, the database's own, and the
    /// processes that did not answer the last REPLICATE.
    static func processRoles(_ state: ConsoleState) -> [ProcessRole] {
        let listened: Bool
        if case .none = state.wireSource { listened = false } else { listened = true }
        let database = state.database.rolesByInstance
        var roles = RoleComparison.compare(config: state.config, wire: state.displayedWire, listened: listened)
        let named = Set(roles.map(\.instance))
        for instance in database.keys.sorted(by: NaturalOrder.less) where !named.contains(instance) {
            roles.append(ProcessRole(instance: instance, configured: nil, observed: nil, flags: state.config == nil ? [] : [
                RoleFlag(level: .info, message: "only in the database (a process renamed or removed?)")]))
        }
        // Down, on another version than the others, or silent to the last REPLICATE: first
        // among the flags of its row.
        if let config = state.config {
            let unanswered = state.probedAt.map {
                Alerts.unanswered(config: config, wire: state.displayedWire, probedAt: $0, now: state.now)
            } ?? []
            roles = ProcessRole.flagging(roles, with: Alerts.processAlerts(
                config: config, processes: state.processes, now: state.databaseNow, ownSubscriptions: 0) + unanswered)
        }
        // Worst first, whatever the size of the deployment; the configuration's order within a level.
        func rank(_ role: ProcessRole) -> Int {
            switch role.flags.map(\.level).max() {
            case .critical: 2
            case .warning: 1
            default: 0
            }
        }
        return roles.enumerated().sorted { left, right in
            rank(left.element) != rank(right.element) ? rank(left.element) > rank(right.element) : left.offset < right.offset
        }.map(\.element)
    }

    /// The processes' own state and figures once their listeners have answered; then the wire's
    /// last-seen and the database's agreement go to the drill-down, unless the terminal is wide.
    static func columnsShown(_ state: ConsoleState) -> (live: Bool, wide: Bool) {
        let live = !state.processes.health.isEmpty || !state.processes.metrics.isEmpty
        return (live, state.size.width >= (live ? 150 : 100))
    }

    /// How many processes Redis counts on the main channel, for the title.
    static func subscribers(_ state: ConsoleState) -> String {
        guard let count = state.processes.subscribers, let serverName = state.config?.serverName else { return "" }
        if let error = count.error { return " · subscribers: \(error)" }
        guard var subscribers = count.channels[serverName] else { return "" }
        if case .live(_, _, .ready) = state.wireSource { subscribers -= 1 }
        return " · \(subscribers) of \(state.config?.processes.count ?? 0) subscribed"
    }

    /// Worst first; processes that differ only in their number fold into one row, which
    /// stands where its worst member would and says how its members differ.
    static func roleRows(_ state: ConsoleState) -> [TableRow] {
        let rows = processRows(state)
        let byInstance = Dictionary(uniqueKeysWithValues: rows.map { ($0.role.instance, $0) })
        var shown: [TableRow] = []
        for group in ProcessGroups.group(rows.map(\.role.instance)) {
            let members = group.members.compactMap { byInstance[$0]?.row }
            guard let stem = group.stem else {
                shown += members
                continue
            }
            let (live, wide) = columnsShown(state)
            var row = groupRow(ProcessGroups.label(stem, count: members.count), members,
                               stateColumn: live ? 1 : nil, foldKey: "group:" + stem)
            // The member heard from longest ago says how current the group is.
            let lastSeen = group.members.compactMap { byInstance[$0]?.role.observed?.lastSeen }.min()
            if wide, let lastSeen {
                // A wide row ends Last seen, Database, Flags.
                row.cells[row.cells.count - 3] = TableCell(TimeText.age(state.now - lastSeen))
            }
            shown.append(row)
            shown += members.map { member in
                var row = member
                row.depth = 1
                return row
            }
        }
        return shown
    }

    /// A group's row: a column its members agree on says so, one they differ on says
    /// "mixed", the state counts its members by state, and the flags name the flagged members.
    static func groupRow(_ label: String, _ members: [TableRow], stateColumn: Int?, foldKey: String) -> TableRow {
        let columns = members[0].cells.count
        var cells = [TableCell(label)]
        for column in 1..<(columns - 1) {
            let texts = members.map { $0.cells[column].text }
            if column == stateColumn {
                // By state, not by the whole text: `up 3ms` and `up 5ms` are both up.
                var counts: [String: Int] = [:]
                for text in texts {
                    let state = ["up ", "down "].first { text.hasPrefix($0) }.map { String($0.dropLast()) } ?? text
                    counts[state, default: 0] += 1
                }
                let worst = members.first { $0.cells[column].element == .crit } ?? members[0]
                cells.append(TableCell(counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                    .map { "\($0.value) \($0.key)" }.joined(separator: ", "), worst.cells[column].element))
            } else if Set(texts).count == 1 {
                cells.append(members[0].cells[column])
            } else {
                cells.append(TableCell("mixed", .muted))
            }
        }
        let flagged = members.filter { !$0.cells[columns - 1].text.isEmpty }
        var flags = flagged.prefix(2).map { "\($0.tag ?? ""): " + $0.cells[columns - 1].text }
        if flagged.count > 2 { flags.append("+\(flagged.count - 2) more flagged") }
        let element = members.contains { $0.element == .crit } ? ThemeElement.crit : .normal
        let flagElement = flagged.first?.cells[columns - 1].element
        cells.append(TableCell(flags.joined(separator: "; "), flagElement))
        return TableRow(cells, element: element, foldKey: foldKey)
    }

    static func processRows(_ state: ConsoleState) -> [(role: ProcessRole, row: TableRow)] {
        let database = state.database.rolesByInstance
        let (live, wide) = columnsShown(state)
        return processRoles(state).map { role in
            let app = role.configured.map { $0.app.replacingOccurrences(of: "synapse.app.", with: "") } ?? "-"
            let duties = role.configured?.duties ?? []
            let configuredWrites = (role.configured?.writes ?? []).filter { $0 != "caches" }
            let seen = role.observed.map { $0.streams.map(\.rawValue).filter { $0 != "caches" }.sorted() }
            let worst = role.flags.map(\.level).max()
            let element = ThemeElement.of(worst)
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
            var cells = [TableCell(role.instance)]
            if live {
                let (health, healthElement) = ProcessText.state(role.configured, state)
                // A down process's last figures are of a process that is gone.
                let gone = state.processes.health[role.instance]?.state == .down
                    || state.processes.metricsErrors[role.instance] != nil
                let metrics = gone ? nil : state.processes.metrics[role.instance]
                let reading = metrics?.reading
                cells += [
                    TableCell(health, healthElement),
                    TableCell(reading?.version ?? "-", reading?.version == nil ? .muted : nil),
                    TableCell(reading.flatMap { reading in reading.startTime.map { TimeText.age(reading.at - $0) } } ?? "-"),
                    TableCell(ProcessText.percent(metrics?.cpuPercent)),
                    TableCell(SizeText.bytes(reading?.residentBytes)),
                    TableCell(ProcessText.count(reading?.openFDs)),
                ]
            }
            cells += [
                TableCell(([app] + duties).joined(separator: ", ")),
                TableCell(configuredWrites.joined(separator: " ")),
                TableCell(seenText ?? "not seen", seenText == nil ? .muted : (seenText == "as configured" ? .ok : nil)),
            ]
            if wide {
                cells += [
                    TableCell(role.observed.map { TimeText.age(state.now - $0.lastSeen) } ?? "-"),
                    TableCell(stored == nil ? "-" : databaseSide.joined(separator: " "), stored == nil ? .muted : nil),
                ]
            }
            cells.append(TableCell(shownFlags.map(\.message).joined(separator: "; "), element))
            return (role, TableRow(cells, element: element == .crit ? .crit : .normal, tag: role.instance))
        }
    }
}
