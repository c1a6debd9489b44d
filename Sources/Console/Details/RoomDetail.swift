import Observation
import Store
import Terminal

extension DetailContent {
    /// A room's drill-down: what it is, what resolving its forward extremities would cost, the
    /// extremities themselves, its recent membership changes and the destinations among its
    /// servers with device-list pokes waiting.
    static func addRoom(_ roomID: String, _ state: ConsoleState, _ add: PanelAdder) {
        let data = fetched(.room(roomID), state)
        let detail = data?.value.room
        let room = detail?.room
        let now = state.databaseNow
        let waiting = ScreenContent.databaseMessage(state, data.map { ($0.errors, false) }, empty: "")
        var facts: [TableRow] = []
        func fact(_ name: String, _ value: String?, _ element: ThemeElement? = nil, copy: String? = nil) {
            facts.append(TableRow([TableCell(name, .muted), TableCell(value ?? "-", value == nil ? .muted : element)],
                                  tag: copy))
        }
        if let detail, let room {
            let difference = detail.difference
            var resolution = difference.summary
            if let method = difference.method { resolution += " · \(method.rawValue)" }
            if difference.stateSets > 1 { resolution += " · \(difference.stateSets) states" }
            let costly = (difference.events ?? difference.over ?? 0) > 0
            fact("State resolution", resolution, costly ? .warn : .ok)
            fact("Room", RoomsScreen.label(name: room.name, alias: room.canonicalAlias, id: room.roomId), copy: room.roomId)
            fact("Version", (room.roomVersion ?? "?") + (room.hasAuthChainIndex == true ? " · chain cover index"
                                                         : " · no chain cover index"))
            fact("Server", room.serverInRoom ? "in the room" : "has left the room (no local user joined)",
                 room.serverInRoom ? .ok : .warn)
            let servers = room.servers.map { " over \($0)\(room.serversCapped ? "+" : "") servers" } ?? ""
            fact("Joined", room.joinedMembers.map { "\($0) (\(room.localMembers ?? 0) local, \(room.remoteMembers ?? 0) remote)\(servers)" })
            let newest = room.newestEventAt.map { " · newest event \(TimeText.age(now - $0)) ago" } ?? ""
            fact("State", room.stateEvents.map { "\($0) events" + newest })
        }
        let extremities = detail?.extremities ?? []
        let count = room.map { String($0.forwardExtremities) + ($0.forwardExtremitiesCapped ? "+" : "") }
        add("Room \(roomID)" + ScreenContent.age(state, data?.at) + " · y copies the selected ID · Esc back", [
            TableColumn("", .fixed(16)),
            TableColumn("", .fill(min: 20, weight: 1)),
        ], facts, [detail != nil && room == nil ? "The server knows no room \(roomID)." : waiting], nil)
        add("Forward extremities" + (count.map { ": \($0)" } ?? ""), [
            TableColumn("Event", .flexible(min: 14, weight: 3)),
            TableColumn("Type", .flexible(min: 10, weight: 2)),
            TableColumn("Sender", .flexible(min: 12, weight: 2)),
            TableColumn("From", .flexible(min: 8, weight: 2)),
            TableColumn("Depth", .fixed(7), .right),
            TableColumn("Age", .fixed(6), .right),
            TableColumn("State grp", .fixed(9), .right),
        ], extremities.map { extremity in
            TableRow([
                TableCell(extremity.eventId),
                TableCell(extremity.type ?? "?"),
                TableCell(extremity.sender ?? "?"),
                TableCell(extremity.server ?? "?"),
                TableCell(extremity.depth.map(String.init) ?? "-"),
                TableCell(extremity.sentAt.map { TimeText.age(now - $0) } ?? "-"),
                TableCell(extremity.stateGroup.map(String.init) ?? "-"),
            ], tag: extremity.eventId)
        }, [detail == nil ? waiting : "No forward extremities: the server holds no event of this room."], nil)
        add("Recent membership changes, newest first", [
            TableColumn("Time", .fixed(16)),
            TableColumn("User", .fill(min: 12, weight: 2)),
            TableColumn("Change", .fixed(16)),
            TableColumn("By", .flexible(min: 10, weight: 2)),
            TableColumn("Reason", .flexible(min: 6, weight: 1)),
        ], (detail?.memberships ?? []).map { event in
            let user = event.stateKey ?? "?"
            return TableRow([
                TableCell(event.time.map { TimeText.dateTime($0, utcOffset: state.utcOffset) } ?? "-"),
                TableCell(user),
                TableCell(event.profileChange.map { $0 == "nothing" ? "join again" : $0 } ?? event.change,
                          HistoryScreen.element(event.change)),
                TableCell(event.sender == user ? "self" : event.sender, event.sender == user ? .muted : nil),
                TableCell(event.reason ?? ""),
            ], tag: user)
        }, [detail == nil ? waiting : "No membership events."], .historyUser)
        add("Its servers with device-list pokes waiting (newest \(RoomDetailStore.pokeCap) counted)", [
            TableColumn("Destination", .fill(min: 16, weight: 3)),
            TableColumn("Pokes", .fixed(6), .right),
            TableColumn("Oldest", .fixed(7), .right),
            TableColumn("Down since", .fixed(16)),
        ], (detail?.destinations ?? []).map { destination in
            TableRow([
                TableCell(destination.destination),
                TableCell(String(destination.pending) + (destination.pendingCapped ? "+" : "")),
                TableCell(destination.oldestAt.map { TimeText.age(now - $0) } ?? "-"),
                TableCell(destination.downSince.map { TimeText.dateTime($0, utcOffset: state.utcOffset) } ?? "",
                          destination.downSince == nil ? nil : .crit),
            ], element: destination.downSince == nil ? .normal : .crit, tag: destination.destination)
        }, [detail == nil ? waiting : "None of its servers has pokes waiting."], .destination)
    }
}
