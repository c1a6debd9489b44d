import Config
import Findings
import NaturalOrder
import Observation
import Store
import Terminal
import Wire

/// 1 Pokes: device-list changes on the wire, and the pokes waiting per destination in the database.
enum PokesScreen: ConsoleScreen {
    static func reads(_ state: ConsoleState) -> [DatabaseRead] { [.pokes] }

    static func add(_ state: ConsoleState, alerts: [Alert], _ add: PanelAdder) {
        add("Device-list changes on the wire", [
            TableColumn("Time", .fixed(8)),
            TableColumn("Writer", .flexible(min: 8, weight: 1)),
            TableColumn("Token", .fixed(8), .right),
            TableColumn("User", .fill(min: 12, weight: 3)),
            TableColumn("Change", .fixed(9)),
            TableColumn("Hosts", .fixed(5)),
        ], PokesScreen.deviceListRows(state), [ScreenContent.noWireMessage(state)], .user)
        add(PokesScreen.pokesTitle(state), [
            TableColumn("Destination", .fill(min: 12, weight: 2)),
            TableColumn("Waiting", .fixed(7), .right),
            TableColumn("Oldest", .fixed(6), .right),
            TableColumn("Users", .fixed(5), .right),
            TableColumn("Last sent", .fixed(9), .right),
            TableColumn("Retry", .flexible(min: 8, weight: 3)),
        ], PokesScreen.destinationRows(state),
            [ScreenContent.databaseMessage(state, state.database.pokes.map { ($0.errors, $0.value.destinations.isEmpty) },
                                                  empty: "No destination has device-list pokes waiting.")],
            .destination)
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
                    TableCell(TimeText.clock(change.time, utcOffset: state.utcOffset)),
                    TableCell(writer),
                    TableCell(String(change.token)),
                    TableCell(change.userID),
                    TableCell(change.isSignature ? "signature" : "device"),
                    TableCell(change.hostsCalculated ? "yes" : "no", change.hostsCalculated ? .ok : .muted),
                ], tag: change.userID)
            case .gap(let since, let reason):
                return TableRow(first: TableCell(TimeText.clock(since, utcOffset: state.utcOffset)),
                                spanning: "— connection lost: \(reason); rows published meanwhile were not seen —",
                                element: .crit)
            }
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

    static func pokesTitle(_ state: ConsoleState) -> String {
        var title = "Outbound pokes waiting per destination"
        if let pokes = state.database.pokes {
            let conversion = pokes.value.conversion
            let count = conversion.unconvertedCapped ? "\(conversion.unconverted)+" : "\(conversion.unconverted)"
            title += " · \(count) room change(s) not yet converted"
            title += ScreenContent.age(state, pokes.at)
        }
        return title
    }

    static func destinationRows(_ state: ConsoleState) -> [TableRow] {
        guard let pokes = state.database.pokes else { return [] }
        return pokes.value.destinations.map { destination in
            let waiting = destination.pending.map { destination.pendingCapped ? "\($0)+" : "\($0)" } ?? "-"
            let oldest = (destination.oldestPendingAt ?? destination.oldestAt).map { TimeText.age(state.databaseNow - $0) } ?? "-"
            var retry = "ok"
            var element = ThemeElement.normal
            if let since = destination.downSince {
                retry = "down since " + TimeText.dateTime(since, utcOffset: state.utcOffset)
                if let interval = destination.retryIntervalMs {
                    retry += ", retry every " + TimeText.age(Double(interval) / 1000)
                }
                element = .crit
            } else if (destination.pending ?? 0) > 0 {
                element = .warn
            }
            return TableRow([
                TableCell(destination.destination),
                TableCell(waiting),
                TableCell(oldest),
                TableCell(destination.users.map(String.init) ?? "-"),
                TableCell(destination.newestSentAt.map { TimeText.age(state.databaseNow - $0) } ?? "-"),
                TableCell(retry, element == .crit ? .crit : nil),
            ], element: element, tag: destination.destination)
        }
    }
}
