import Testing
@testable import Store

@Suite struct ShapingTests {
    let columns = ["event_stream_ordering", "room_id", "membership", "sender", "display_name", "origin_server_ts",
                   "reason", "room_name"]

    /// A single-row table of Synapse's may have no row (stats_incremental_position on a
    /// database Synapse never ran on): nothing to read, nothing to crash on.
    @Test func aValuePastTheRowsIsNone() {
        let empty = PGRows(columns: ["stream_id"], rows: [])
        #expect(empty.value(0, "stream_id") == nil)
        #expect(PGRows(columns: ["a", "b"], rows: [["1"]]).value(0, "b") == nil)
        var list = RoomStore.RoomList(match: "", rooms: [], roomsKnown: nil)
        list.cursor.newest = 5
        list.cursor.mark(at: 1)
        #expect(list.changesStart(now: 2) == 5 - ChangeCursor.settleOrderings)
    }

    @Test func historyReadsEachEventWithTheOneBeforeIt() {
        let rows = PGRows(columns: columns, rows: [
            ["9", "!a", "leave", "@mod:x", nil, "9000", nil, "A"],
            ["8", "!a", "ban", "@mod:x", nil, "8000", "spam", "A"],
            ["7", "!b", "leave", "@u:x", nil, "7000", nil, nil],
            ["6", "!b", "invite", "@mod:x", nil, "6000", nil, nil],
            ["5", "!a", "leave", "@mod:x", nil, "5000", "bye", "A"],
            ["4", "!a", "join", "@u:x", "U", "4000", nil, "A"],
            ["3", "!c", "leave", "@u:x", nil, nil, nil, nil],
        ])
        let history = MembershipStore.history(rows, user: "@u:x")
        #expect(history.map(\.change) == ["unban", "ban", "invite rejected", "invite", "kick", "join", "leave"])
        #expect(history[1].reason == "spam")
        #expect(history[5].time == 4)
        #expect(history[5].displayName == "U")
        #expect(history[6].time == nil)
    }

    @Test func aJoinAfterAJoinIsAProfileChange() {
        let rows = PGRows(columns: ["event_id", "event_stream_ordering", "room_id", "membership", "sender", "display_name",
                                    "avatar_url", "state_key", "room_version"], rows: [
            ["$4", "4", "!a", "join", "@u:x", "U2", "mxc://x/b", "@u:x", "12"],
            ["$3", "3", "!a", "join", "@u:x", "U2", "mxc://x/a", "@u:x", "12"],
            ["$2", "2", "!a", "join", "@u:x", "U", "mxc://x/a", "@u:x", "12"],
            ["$1", "1", "!a", "invite", "@mod:x", nil, nil, "@u:x", "12"],
        ])
        let history = MembershipStore.history(rows, user: "@u:x")
        #expect(history.map(\.eventId) == ["$4", "$3", "$2", "$1"])
        #expect(history.map(\.profileChange) == ["avatar", "display name", nil, nil])
        #expect(history.map(\.previousMembership) == ["join", "join", "invite", nil])
        #expect(history[0].stateKey == "@u:x" && history[0].roomVersion == "12" && history[0].avatarUrl == "mxc://x/b")
    }

    @Test func currentMembershipsSayWhetherTheServerIsStillThere() {
        let rows = PGRows(columns: ["room_id", "membership", "event_stream_ordering", "room_name", "server_in_room"],
                          rows: [["!a", "leave", "12", "lounge", "f"], ["!b", "join", "9", nil, "t"]])
        #expect(MembershipStore.current(rows) == [
            MembershipStore.Current(roomId: "!a", roomName: "lounge", membership: "leave", streamOrdering: 12, serverInRoom: false),
            MembershipStore.Current(roomId: "!b", roomName: nil, membership: "join", streamOrdering: 9, serverInRoom: true),
        ])
    }

    @Test func positionsUseWireNamesAndShowBackfillPositive() {
        let writers = PGRows(columns: ["stream_name", "instance_name", "stream_id"], rows: [
            ["backfill", "ep1", "-17"], ["device_lists_stream", "generic1", "62"], ["device_lists_stream", "master", "67"],
            ["presence_stream", "master", "13"],
        ])
        let maxima = PGRows(columns: ["stream", "max_id", "sequence"], rows: [["device_lists", "70", "71"]])
        let streams = StreamPositionStore.streams(writers: writers, maxima: maxima)
        #expect(streams.map(\.stream) == ["backfill", "device_lists", "presence"])
        #expect(streams[0].writers == [StreamPositionStore.Writer(instance: "ep1", streamId: 17)])
        #expect(streams[1].maxId == 70 && streams[1].sequence == 71)
        #expect(streams[1].writers.map(\.instance) == ["generic1", "master"])
    }

    @Test func destinationsWorstFirstWithDownSince() {
        let listed = PGRows(columns: ["destination", "newest_sent", "oldest_ts", "retry_interval", "failure_ts"], rows: [
            ["a.example", "f", "5000", "0", nil],
            ["dead.example", "f", "1000", "600000", "2000"],
            ["idle.example", "t", "500", nil, nil],
            ["b.example", "f", "4000", nil, nil],
        ])
        #expect(DeviceListStore.pendingCandidates(listed) == ["dead.example", "b.example", "a.example"])
        let columns = ["destination", "pending", "oldest_pending_ts", "users"]
        let pending = [["dead.example", "10000", "1000", "40"], ["b.example", "3", "4000", "2"], ["a.example", "3", "5000", "1"]]
            .map { PGRows(columns: columns, rows: [$0]) }
        let destinations = DeviceListStore.destinations(listed: listed, waiting: DeviceListStore.waiting(pending), cap: 10_000)
        #expect(destinations.map(\.destination) == ["dead.example", "b.example", "a.example"])
        #expect(destinations[0].pendingCapped)
        #expect(destinations[0].downSince == 2)
        #expect(destinations[0].oldestPendingAt == 1)
        #expect(destinations[1].downSince == nil)
    }

    @Test func aDestinationDownBeyondTheListingIsCountedToo() {
        let listed = PGRows(columns: ["destination", "newest_sent", "oldest_ts", "retry_interval", "failure_ts"], rows: [
            ["a.example", "f", "5000", "0", nil],
        ])
        let down = PGRows(columns: ["destination", "retry_interval", "failure_ts"], rows: [["zz.example", "600000", "3000"]])
        #expect(DeviceListStore.pendingCandidates(listed, down: down) == ["zz.example", "a.example"])
        let columns = ["destination", "pending", "oldest_pending_ts", "users"]
        let pending = [["zz.example", "7", "2500", "1"], ["a.example", "3", "5000", "1"]]
            .map { PGRows(columns: columns, rows: [$0]) }
        let destinations = DeviceListStore.destinations(listed: listed, down: down, waiting: DeviceListStore.waiting(pending), cap: 1000)
        #expect(destinations.map(\.destination) == ["zz.example", "a.example"])
        #expect(destinations[0].downSince == 3 && destinations[0].oldestAt == 2.5 && destinations[0].pending == 7)
    }

    @Test func conversionProgress() {
        let position = PGRows(columns: ["stream_id", "room_id", "instance_name"], rows: [["433", "", "master"]])
        let conversion = DeviceListStore.conversion(position: position, unconverted: PGRows(columns: ["unconverted"], rows: [["12"]]), cap: 10)
        #expect(conversion == DeviceListStore.Conversion(streamId: 433, roomId: "", instance: "master", unconverted: 12, unconvertedCapped: true))
    }

    @Test func sessionWarnings() {
        let columns = ["role", "read_only", "statement_timeout", "role_can_write", "missing"]
        let schema = ["schema_version", "compat_version", "background_updates"]
        let fine = SessionStore.session(PGRows(columns: columns, rows: [["syntop_reader", "on", "2s", "f", ""]]),
                                        schema: PGRows(columns: schema, rows: [["94", "84", "0"]]))
        #expect(fine.warnings.isEmpty && fine.readOnly && fine.missingTables.isEmpty && fine.schemaVersion == 94)
        let worrying = SessionStore.session(PGRows(columns: columns, rows: [["synapse", "on", "2s", "t", "users,events"]]),
                                            schema: PGRows(columns: schema, rows: [["97", "90", "3"]]))
        #expect(worrying.missingTables == ["users", "events"])
        #expect(worrying.warnings.count == 4)
        #expect(worrying.warnings[0].hasPrefix("Synapse schema 97 is outside"))
        let unreadable = SessionStore.session(PGRows(columns: columns, rows: [["partial", "on", "2s", "f", "schema_version"]]),
                                              schema: PGRows(columns: [], rows: []))
        #expect(unreadable.schemaVersion == nil)
        #expect(unreadable.warnings.first == "Synapse's schema version cannot be read: figures may not match this Synapse")
    }

    @Test func databaseRolesGatherPositionsLocksAndSenders() {
        let positions = PGRows(columns: ["stream_name", "instance_name", "stream_id"],
                               rows: [["events", "ep1", "5"], ["device_lists_stream", "master", "9"]])
        let locks = PGRows(columns: ["instance_name", "lock_name", "lock_key", "last_renewed_ts", "read_write"],
                           rows: [["ep1", "new_event_during_purge_lock", "!r", "5000", "t"]])
        let senders = PGRows(columns: ["type", "instance_name", "stream_id"], rows: [["federation", "fs1", "3"]])
        let map = PGRows(columns: ["instance_id", "instance_name"], rows: [["1", "ep1"]])
        let instances = RoleStore.instances(positions: positions, locks: locks, senders: senders, instanceMap: map)
        #expect(instances.map(\.instance) == ["ep1", "fs1", "master"])
        #expect(instances[0].positionStreams == ["events"] && instances[0].tokenId == 1)
        #expect(instances[0].locks.first?.renewedAt == 5)
        #expect(instances[1].federationSender)
        #expect(instances[2].positionStreams == ["device_lists"])
    }

    @Test func userSearchBounds() {
        #expect(UserStore.searchParameters(prefix: "@ali", limit: 5) == ["@ali", "@ali\u{10FFFF}", "5"])
    }
}
