import Config
import Findings
import NaturalOrder
import Observation
import Store
import Terminal
import Wire

extension DetailContent {
    static func addUser(_ user: String, _ state: ConsoleState, _ add: PanelAdder) {
        let data = fetched(.user(user), state)
        add("Devices of \(user)" + ScreenContent.age(state, data?.at) + " · Esc back", [
            TableColumn("Device", .flexible(min: 10, weight: 2)),
            TableColumn("Name", .fill(min: 10, weight: 3)),
            TableColumn("Last seen", .fixed(16)),
        ], (data?.value.devices ?? []).map { device in
            TableRow([
                TableCell(device.deviceId),
                TableCell(device.displayName ?? ""),
                TableCell(device.lastSeen.map { TimeText.dateTime($0, utcOffset: state.utcOffset) } ?? "-"),
            ])
        }, [ScreenContent.databaseMessage(state, data.map { ($0.errors, $0.value.devices.isEmpty) },
                                          empty: "No devices: \(user) is remote, or has none.")], nil)
        // The database's changes, with the time they crossed the wire when syntop saw them.
        var seen: [Int64: DeviceListChange] = [:]
        for entry in state.displayedWire.deviceLists.elements {
            if case .row(let change) = entry, change.userID == user { seen[change.token] = change }
        }
        var rows: [(Int64, TableRow)] = (data?.value.changes ?? []).map { change in
            let wire = seen.removeValue(forKey: change.streamId)
            return (change.streamId, TableRow([
                TableCell(String(change.streamId)),
                TableCell(change.deviceId),
                TableCell(change.instance ?? "-"),
                TableCell(wire.map { TimeText.clock($0.time, utcOffset: state.utcOffset) } ?? "-"),
            ]))
        }
        for change in seen.values {
            rows.append((change.token, TableRow([
                TableCell(String(change.token)),
                TableCell(change.isSignature ? "(signature)" : "(on the wire)", .muted),
                TableCell(change.instance.rawValue),
                TableCell(TimeText.clock(change.time, utcOffset: state.utcOffset)),
            ])))
        }
        add("Recent device-list changes of \(user) (database, and when seen on the wire)", [
            TableColumn("Stream id", .fixed(10), .right),
            TableColumn("Device", .flexible(min: 10, weight: 2)),
            TableColumn("Writer", .flexible(min: 8, weight: 2)),
            TableColumn("On wire", .fixed(8)),
        ], rows.sorted { $0.0 > $1.0 }.map(\.1), ["No device-list changes recorded."], nil)
    }
}
