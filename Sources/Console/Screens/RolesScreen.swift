import Config
import Findings
import NaturalOrder
import Store
import Terminal
import Wire

/// 2 Roles: each process as configured and as seen, and where they disagree.
enum RolesScreen: ConsoleScreen {
    static func panelCount(_ state: ConsoleState) -> Int { 1 }

    static func reads(_ state: ConsoleState) -> [DatabaseRequest.Read] { [.roles] }

    static func add(_ state: ConsoleState, alerts: [Alert]?, _ add: PanelAdder) {
        add("Processes and the streams they write" + ScreenContent.age(state, state.database.roles?.at), [
            TableColumn("Instance", .flexible(min: 18, weight: 1)),
            TableColumn("Configured role", .flexible(min: 14, weight: 2)),
            TableColumn("Writes (config)", .flexible(min: 10, weight: 1)),
            TableColumn("Seen writing", .flexible(min: 13, weight: 2)),
            TableColumn("Last seen", .fixed(9), .right),
            TableColumn("Database", .flexible(min: 13, weight: 1)),
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
        let database = state.database.rolesByInstance
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
                TableCell(role.observed.map { TimeText.age(state.now - $0.lastSeen) } ?? "-"),
                TableCell(stored == nil ? "-" : databaseSide.joined(separator: " "), stored == nil ? .muted : nil),
                TableCell(shownFlags.map(\.message).joined(separator: "; "), element),
            ], element: element == .crit ? .crit : .normal, tag: role.instance)
        }
    }
}
