import Findings
import NaturalOrder
import Config
import Store
import Terminal
import Wire

/// The drill-downs Enter opens: a destination's waiting pokes, a user's devices, a process's
/// streams and locks, a stream's writers and recent rows.
enum DetailContent {
    static func add(_ detail: Detail, _ state: ConsoleState, _ add: PanelAdder) {
        switch detail {
        case .destination(let destination): addDestination(destination, state, add)
        case .user(let user): addUser(user, state, add)
        case .process(let instance): addProcess(instance, state, add)
        case .stream(let stream): addStream(stream, state, add)
        case .membership(let eventID): addMembership(eventID, state, add)
        }
    }

    static func fetched(_ detail: Detail, _ state: ConsoleState) -> Fetched<DetailData>? {
        state.database.detail.flatMap { $0.value.detail == detail ? $0 : nil }
    }

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

    static func addProcess(_ instance: String, _ state: ConsoleState, _ add: PanelAdder) {
        let configured = state.config?.processes.first { $0.instance == instance }
        let stored = state.database.roles?.value.first { $0.instance == instance }
        let wire = state.displayedWire
        var streams = Set(configured?.writes ?? [])
        streams.formUnion(wire.positions.keys.filter { $0.instance.rawValue == instance }.map(\.stream.rawValue))
        streams.formUnion(stored?.positionStreams ?? [])
        let positions = state.database.storedPositions
        var title = "Streams of \(instance)"
        if let configured { title += " (\(configured.app)\(configured.file.map { ", \($0)" } ?? ""))" }
        let columns = [
            TableColumn("Stream", .flexible(min: 10, weight: 2)),
            TableColumn("Configured", .fixed(10)),
            TableColumn("Wire", .fixed(9), .right),
            TableColumn("Age", .fixed(5), .right),
            TableColumn("Database", .fixed(9), .right),
        ]
        let streamRows = streams.sorted().map { stream in
            let position = wire.positions[WriterKey(StreamName(rawValue: stream), InstanceName(rawValue: instance))]
            let isConfigured = configured?.writes.contains(stream) ?? false
            return TableRow([
                TableCell(stream),
                TableCell(configured == nil ? "-" : (isConfigured ? "writer" : "no"), isConfigured ? nil : .warn),
                TableCell(position.map { String($0.token) } ?? "-"),
                TableCell(position.map { TimeText.age(state.now - $0.lastSeen) } ?? "-"),
                TableCell(positions[WriterKey(StreamName(rawValue: stream), InstanceName(rawValue: instance))]
                    .map(String.init) ?? "-"),
            ], tag: stream)
        }
        // What the Roles row may cut, whole above the streams: the role, and each flag, wrapped
        // to the room right of the first column.
        let area = ConsoleView.tableArea(state, panel: 0)
        let first = Table.widths(columns, total: area.width,
                                 content: Table(columns: columns, rows: streamRows).contentWidths())[0]
        var lines: [TableRow] = []
        func addLines(_ label: String, _ text: String, _ element: ThemeElement) {
            for (index, line) in TextWidth.wrap(text, to: max(10, area.width - first - 1)).enumerated() {
                lines.append(TableRow(first: TableCell(index == 0 ? label : "", element), spanning: line, element: element))
            }
        }
        if let configured, !configured.duties.isEmpty {
            addLines("role", ([configured.app] + configured.duties).joined(separator: ", "), .normal)
        }
        for flag in RolesScreen.processRoles(state).first(where: { $0.instance == instance })?.flags ?? [] {
            addLines(flag.level.rawValue, flag.message, flag.level == .critical ? .crit : (flag.level == .warning ? .warn : .muted))
        }
        add(title + " · Esc back", columns, lines + streamRows, ["\(instance) writes no stream."], nil)
        add("Locks held by \(instance)", [
            TableColumn("Lock", .flexible(min: 10, weight: 2)),
            TableColumn("Key", .fill(min: 10, weight: 3)),
            TableColumn("Kind", .fixed(10)),
            TableColumn("Renewed", .fixed(8), .right),
        ], (stored?.locks ?? []).map { lock in
            TableRow([
                TableCell(lock.name), TableCell(lock.key), TableCell(lock.readWrite ? "read/write" : "exclusive"),
                TableCell(lock.renewedAt.map { TimeText.age(state.databaseNow - $0) + " ago" } ?? "-"),
            ])
        }, [ScreenContent.databaseMessage(state, state.database.roles.map { ($0.errors, stored?.locks.isEmpty ?? true) },
                                          empty: "No locks held.")], nil)
    }

    static func addStream(_ stream: String, _ state: ConsoleState, _ add: PanelAdder) {
        let wire = state.displayedWire
        var positions: [String: Int64] = [:]
        for (key, position) in state.database.storedPositions where key.stream.rawValue == stream {
            positions[key.instance.rawValue] = position
        }
        var writers = Set(positions.keys)
        writers.formUnion(wire.positions.keys.filter { $0.stream.rawValue == stream }.map(\.instance.rawValue))
        let maximum = state.database.streamMaxima[stream]
        add("Writers of \(stream)" + (maximum.map { " · max over its tables and sequence \($0)" } ?? "") + " · Esc back", [
            TableColumn("Writer", .flexible(min: 10, weight: 2)),
            TableColumn("Wire", .fixed(9), .right),
            TableColumn("Age", .fixed(5), .right),
            TableColumn("Database", .fixed(9), .right),
            TableColumn("Rows", .fixed(7), .right),
            TableColumn("POSITIONs", .fixed(9), .right),
            TableColumn("Restarts", .fixed(8), .right),
            TableColumn("Gaps", .fixed(5), .right),
        ], writers.sorted(by: NaturalOrder.less).map { instance in
            let position = wire.positions[WriterKey(StreamName(rawValue: stream), InstanceName(rawValue: instance))]
            return TableRow([
                TableCell(instance),
                TableCell(position.map { String($0.token) } ?? "-"),
                TableCell(position.map { TimeText.age(state.now - $0.lastSeen) } ?? "-"),
                TableCell(positions[instance].map(String.init) ?? "-"),
                TableCell(position.map { String($0.rows) } ?? "-"),
                TableCell(position.map { String($0.positionLines) } ?? "-"),
                TableCell(position.map { String($0.restarts) } ?? "-", (position?.restarts ?? 0) > 0 ? .crit : nil),
                TableCell(position.map { String($0.gaps) } ?? "-", (position?.gaps ?? 0) > 0 ? .warn : nil),
            ], tag: instance)
        }, ["No writer of \(stream) seen."], .process)
        if stream == "caches" {
            add("Cache invalidations per cache function (which caches churn, and from which writer)", [
                TableColumn("Cache function", .flexible(min: 16, weight: 3)),
                TableColumn("Count", .fixed(7), .right),
                TableColumn("Whole", .fixed(6), .right),
                TableColumn("Last", .fixed(8)),
                TableColumn("By writer", .fill(min: 10, weight: 3)),
            ], wire.caches.sorted { ($0.value.invalidations, $1.key) > ($1.value.invalidations, $0.key) }.map { function, stats in
                TableRow([
                    TableCell(function),
                    TableCell(String(stats.invalidations)),
                    TableCell(String(stats.wholeCache)),
                    TableCell(TimeText.clock(stats.lastSeen, utcOffset: state.utcOffset)),
                    TableCell(stats.byInstance.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }
                        .joined(separator: " ")),
                ])
            }, ["No cache invalidation seen yet."], nil)
            return
        }
        let rows = wire.streamRows.elements.reversed().compactMap { entry -> TableRow? in
            switch entry {
            case .row(let row) where row.stream.rawValue == stream:
                return TableRow([
                    TableCell(TimeText.clock(row.time, utcOffset: state.utcOffset)),
                    TableCell(row.instance.rawValue),
                    TableCell(String(row.token)),
                    TableCell(StreamRowText.describe(row.row)),
                ])
            case .gap(let since, let reason):
                return TableRow(first: TableCell(TimeText.clock(since, utcOffset: state.utcOffset)),
                                spanning: "— connection lost: \(reason) —", element: .crit)
            default:
                return nil
            }
        }
        add("Recent rows of \(stream) on the wire", [
            TableColumn("Time", .fixed(8)),
            TableColumn("Writer", .flexible(min: 8, weight: 1)),
            TableColumn("Token", .fixed(8), .right),
            TableColumn("Row", .fill(min: 20, weight: 5)),
        ], rows, ["No \(stream) rows seen yet."], nil)
    }
}
