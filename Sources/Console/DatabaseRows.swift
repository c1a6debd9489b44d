import Store
import Terminal
import Wire

/// Rows of the panels that come from the database.
enum DatabaseRows {
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
            let oldest = (destination.oldestPendingAt ?? destination.oldestAt).map { WireRows.age(state.databaseNow - $0) } ?? "-"
            var retry = "ok"
            var element = ThemeElement.normal
            if let since = destination.downSince {
                retry = "down since " + WireRows.dateTime(since, utcOffset: state.utcOffset)
                if let interval = destination.retryIntervalMs {
                    retry += ", retry every " + WireRows.age(Double(interval) / 1000)
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
                TableCell(destination.newestSentAt.map { WireRows.age(state.databaseNow - $0) } ?? "-"),
                TableCell(retry, element == .crit ? .crit : nil),
            ], element: element, tag: destination.destination)
        }
    }

    /// Stream positions the database holds, by wire stream and writer.
    static func stored(_ state: ConsoleState) -> [WriterKey: Int64] {
        Alerts.storedPositions(state.database.positions?.value ?? [])
    }

    static func maxima(_ state: ConsoleState) -> [String: Int64] {
        var result: [String: Int64] = [:]
        for stream in state.database.positions?.value ?? [] {
            if let max = [stream.maxId, stream.sequence].compactMap({ $0 }).max() { result[stream.stream] = max }
        }
        return result
    }
}
