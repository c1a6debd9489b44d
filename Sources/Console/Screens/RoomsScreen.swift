import Observation
import Store
import Terminal

/// The Rooms screen: rooms worst first (most forward extremities, then most members), or
/// those the filter matches by ID, name or alias, read by the database.
enum RoomsScreen: ConsoleScreen {
    /// The list, unless a room's drill-down has taken its place.
    static func reads(_ state: ConsoleState) -> [DatabaseRead] {
        state.details[.rooms] == nil ? [.rooms(match: state.filter(.rooms))] : []
    }

    /// A room as a row names it: its name, its alias, its ID.
    static func label(name: String?, alias: String?, id: String) -> String {
        [name, alias, id].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · ")
    }

    static func element(_ extremities: Int, _ thresholds: AlertThresholds) -> ThemeElement {
        if extremities >= thresholds.extremitiesCritical { return .crit }
        if extremities >= thresholds.extremitiesWarning { return .warn }
        return .normal
    }

    static func add(_ state: ConsoleState, alerts: [Alert], _ add: PanelAdder) {
        let match = state.filter(.rooms)
        let list = state.database.rooms.flatMap { $0.value.match == match ? $0 : nil }
        let rooms = list?.value.rooms ?? []
        var title = match.isEmpty
            ? "Rooms, worst first: most forward extremities, then most joined members"
            : "Rooms whose ID, name or alias holds \u{201C}\(match)\u{201D}"
        if let list {
            title += " · \(rooms.count)" + (list.value.roomsKnown.map { " of about \($0)" } ?? "") + " rooms"
        }
        title += ScreenContent.age(state, list?.at)
        add(title, [
            TableColumn("Extrem", .fixed(6), .right),
            TableColumn("Room", .fill(min: 20, weight: 4)),
            TableColumn("Version", .fixed(7)),
            TableColumn("Joined", .fixed(7), .right),
            TableColumn("Local", .fixed(6), .right),
            TableColumn("Remote", .fixed(7), .right),
            TableColumn("Servers", .fixed(7), .right),
            TableColumn("State", .fixed(7), .right),
            TableColumn("Server", .fixed(6)),
            TableColumn("Newest", .fixed(6), .right),
        ], rooms.map { room in
            TableRow([
                TableCell(String(room.forwardExtremities) + (room.forwardExtremitiesCapped ? "+" : "")),
                TableCell(label(name: room.name, alias: room.canonicalAlias, id: room.roomId)),
                TableCell(room.roomVersion ?? "-", room.roomVersion == nil ? .muted : nil),
                TableCell(room.joinedMembers.map(String.init) ?? "-"),
                TableCell(room.localMembers.map(String.init) ?? "-"),
                TableCell(room.remoteMembers.map(String.init) ?? "-"),
                TableCell(room.servers.map { String($0) + (room.serversCapped ? "+" : "") } ?? "-"),
                TableCell(room.stateEvents.map(String.init) ?? "-"),
                TableCell(room.serverInRoom ? "in" : "left", room.serverInRoom ? .muted : .warn),
                TableCell(room.newestEventAt.map { TimeText.age(state.databaseNow - $0) } ?? "-"),
            ], element: element(room.forwardExtremities, state.thresholds), tag: room.roomId)
        }, [ScreenContent.databaseMessage(state, list.map { ($0.errors, $0.value.rooms.isEmpty) },
                                          empty: match.isEmpty ? "No rooms." : "No room's ID, name or alias holds \(match).")],
            .room)
    }
}
