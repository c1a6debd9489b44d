import Observation
import Store
import Terminal

/// The History screen: users matching a prefix until one is picked, then that user's
/// membership timeline and current memberships.
enum HistoryScreen: ConsoleScreen {
    static func reads(_ state: ConsoleState) -> [DatabaseRead] {
        if let user = state.historyUser { return [.history(user: user, before: state.historyPages.last)] }
        return [.users(prefix: state.historyPrefix)]
    }

    static func add(_ state: ConsoleState, alerts: [Alert], _ add: PanelAdder) {
        guard let user = state.historyUser else {
            addMatches(state, add)
            return
        }
        let page = state.database.history.flatMap {
            $0.value.user == user && $0.value.before == state.historyPages.last ? $0 : nil
        }
        let pageNumber = state.historyPages.count + 1
        var title = "Membership history of \(user), newest first, page \(pageNumber)"
        if page?.value.nextBefore != nil { title += " (] older)" }
        if pageNumber > 1 { title += " ([ newer)" }
        title += ScreenContent.age(state, page?.at)
        let events = page?.value.events ?? []
        add(title, [
            TableColumn("Time", .fixed(16)),
            TableColumn("Room", .fill(min: 12, weight: 3)),
            TableColumn("Server", .fixed(6)),
            TableColumn("Change", .fixed(16)),
            TableColumn("By", .flexible(min: 10, weight: 2)),
            TableColumn("Reason", .flexible(min: 6, weight: 2)),
        ], events.map { event in
            let room = (event.roomName.map { "\($0) " } ?? "") + event.roomId
            let element = element(event.change)
            return TableRow([
                TableCell(event.time.map { TimeText.dateTime($0, utcOffset: state.utcOffset) } ?? "-"),
                TableCell(room),
                TableCell(event.serverInRoom ? "in" : "left", event.serverInRoom ? .muted : .warn),
                TableCell(event.change, element),
                TableCell(event.sender == user ? "self" : event.sender, event.sender == user ? .muted : nil),
                TableCell(event.reason ?? ""),
            ], tag: event.eventId)
        }, [ScreenContent.databaseMessage(state, page.map { ($0.errors, $0.value.events.isEmpty) },
                                          empty: "No membership events for \(user) (Esc: pick another user).")],
            .membership)
        let current = page?.value.current ?? []
        let newest = current.count >= MembershipStore.currentLimit ? ", newest \(MembershipStore.currentLimit)" : ""
        add("Current memberships (local users; kept after the server leaves a room\(newest))", [
            TableColumn("Room", .fill(min: 12, weight: 3)),
            TableColumn("Membership", .fixed(10)),
            TableColumn("Server", .fixed(13)),
        ], current.map { membership in
            TableRow([
                TableCell((membership.roomName.map { "\($0) " } ?? "") + membership.roomId),
                TableCell(membership.membership),
                TableCell(membership.serverInRoom ? "in the room" : "left the room",
                          membership.serverInRoom ? .ok : .warn),
            ], tag: membership.roomId)
        }, [page == nil ? "" : "None: \(user) is not a local user, or has no memberships."], nil)
    }

    static func element(_ change: String) -> ThemeElement {
        switch change {
        case "kick", "ban": .crit
        case "leave", "invite rejected", "invite withdrawn": .warn
        case "join": .ok
        default: .normal
        }
    }

    static func addMatches(_ state: ConsoleState, _ add: PanelAdder) {
        let prefix = state.historyPrefix
        let found = state.database.users.flatMap { $0.value.prefix == prefix ? $0 : nil }
        add("Users whose ID starts with \(prefix)" + ScreenContent.age(state, found?.at), [
            TableColumn("User", .fill(min: 20, weight: 3)),
            TableColumn("Kind", .fixed(6)),
        ], (found?.value.matches ?? []).map { match in
            TableRow([TableCell(match.userId), TableCell(match.local ? "local" : "remote", match.local ? nil : .muted)],
                     tag: match.userId)
        }, [ScreenContent.databaseMessage(state, found.map { ($0.errors, $0.value.matches.isEmpty) },
                                          empty: "No user ID starts with \(prefix).")], .historyUser)
        add("Pick a user", [TableColumn("", .flexible(min: 10, weight: 1))], [], [
            "/ and the start of a user ID narrows the list; Enter opens a history.",
            ":user @alice:example.com opens one directly; Esc comes back here.",
        ], nil)
    }
}
