import Config
import Findings
import NaturalOrder
import Observation
import Store
import Terminal
import Wire

extension DetailContent {
    /// Every field of one membership event, each row tagged with what `y` copies.
    static func addMembership(_ eventID: String, _ state: ConsoleState, _ add: PanelAdder) {
        let page = state.database.history?.value
        let event = page?.events.first { $0.eventId == eventID }
        var rows: [TableRow] = []
        func field(_ name: String, _ value: String?, _ element: ThemeElement? = nil, copy: Bool = false) {
            let text = value ?? "-"
            rows.append(TableRow([TableCell(name, .muted), TableCell(text, value == nil ? .muted : element)],
                                 tag: copy && value != nil ? text : nil))
        }
        if let event {
            let kind: String
            if let profile = event.profileChange {
                kind = "profile change: " + (profile == "nothing" ? "the same display name and avatar" : profile)
            } else {
                kind = "membership change: " + (event.previousMembership.map { "\($0) → " } ?? "") + event.membership
            }
            field("Event ID", event.eventId, copy: true)
            field("Change", event.change, HistoryScreen.element(event.change))
            field("Kind", kind)
            field("Time", event.time.map { TimeText.dateTime($0, utcOffset: state.utcOffset) })
            field("Room", event.roomId, copy: true)
            field("Room name", event.roomName)
            field("Room version", event.roomVersion)
            field("Server", event.serverInRoom ? "still in the room" : "has left the room", event.serverInRoom ? .ok : .warn)
            field("Sender", event.sender, copy: true)
            field("State key", event.stateKey, copy: true)
            field("Membership", event.membership)
            field("Reason", event.reason)
            field("Display name", event.displayName)
            field("Avatar", event.avatarUrl, copy: true)
            field("Stream ordering", event.streamOrdering.map(String.init))
        }
        add("Membership event \(eventID) · y copies the selected value · Esc back", [
            TableColumn("Field", .fixed(16)),
            TableColumn("Value", .fill(min: 20, weight: 1)),
        ], rows, ["This event is not on the page shown any more (Esc: back to the history)."], nil)
    }
}
