import Config
import Findings
import NaturalOrder
import Observation
import Store
import Terminal
import Wire

extension DetailContent {
    static func addDestination(_ destination: String, _ state: ConsoleState, _ add: PanelAdder) {
        let data = fetched(.destination(destination), state)
        var title = "Waiting pokes for \(destination) by user (newest \(DeviceListStore.detailCap))"
        if let row = state.database.pokes?.value.destinations.first(where: { $0.destination == destination }),
           let since = row.downSince {
            title += " · down since " + TimeText.dateTime(since, utcOffset: state.utcOffset)
        }
        title += ScreenContent.age(state, data?.at) + " · Esc back"
        add(title, [
            TableColumn("User", .fill(min: 16, weight: 3)),
            TableColumn("Pokes", .fixed(6), .right),
            TableColumn("Oldest", .fixed(6), .right),
            TableColumn("Newest id", .fixed(10), .right),
        ], (data?.value.destinationUsers ?? []).map { user in
            TableRow([
                TableCell(user.userId),
                TableCell(String(user.pokes)),
                TableCell(user.oldestAt.map { TimeText.age(state.databaseNow - $0) } ?? "-"),
                TableCell(user.newestStreamId.map(String.init) ?? "-"),
            ], tag: user.userId)
        }, [ScreenContent.databaseMessage(state, data.map { ($0.errors, $0.value.destinationUsers.isEmpty) },
                                          empty: "Nothing waiting for \(destination).")], .user)
    }
}
