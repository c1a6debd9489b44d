import Testing
@testable import Wire

extension WireState {
    mutating func feed(_ line: String, at time: Double = 1000, channel: String = "hs") {
        ingest(Array(line.utf8), channel: channel, at: time)
    }
}

@Suite struct WireStateTests {
    /// A state that keeps no feed (the JSON commands but pokes) knows the same of every writer
    /// and process as one that keeps them all, from the same recording, read whole or line by
    /// line; only the feeds stay empty.
    @Test(arguments: ["hs1-with-hs2.rec", "hs1-without-hs2.rec", "hs1-beside-database.rec"])
    func feedsChangeNothingElse(_ name: String) throws {
        let data = try fixture(name)
        var all = WireState()
        all.ingest(recording: data)
        var none = WireState(feeds: [])
        none.ingest(recording: data)
        var lineByLine = WireState()
        for line in Recording.lines(data) { lineByLine.ingest(recordingLine: line) }
        for other in [none, lineByLine] {
            #expect(other.positions == all.positions && other.instances == all.instances)
            #expect(other.lines == all.lines && other.commands == all.commands && other.malformed == all.malformed)
            #expect(other.duplicates == all.duplicates && other.duplicatesAcrossWriters == all.duplicatesAcrossWriters)
            #expect(other.syncProcesses == all.syncProcesses && other.events.elements == all.events.elements)
        }
        #expect(lineByLine.deviceLists.elements == all.deviceLists.elements && lineByLine.caches == all.caches)
        #expect(all.positions.count > 0 && !all.deviceLists.elements.isEmpty && !all.caches.isEmpty)
        #expect(none.deviceLists.elements.isEmpty && none.streamRows.elements.isEmpty && none.caches.isEmpty)
    }

    @Test func batchesAreHeldUntilTheNumberedRow() {
        var state = WireState()
        state.feed(#"RDATA to_device w batch ["@a:x"]"#)
        state.feed(#"RDATA to_device w batch ["@b:x"]"#)
        #expect(state.positions[WriterKey("to_device", "w")] == nil)
        state.feed(#"RDATA to_device w 7 ["@c:x"]"#)
        let writer = state.positions[WriterKey("to_device", "w")]
        #expect(writer?.token == 7)
        #expect(writer?.rows == 3)
        let tokens = state.streamRows.elements.compactMap { entry -> Int64? in
            if case .row(let row) = entry { return row.token }
            return nil
        }
        #expect(tokens == [7, 7, 7])
    }

    @Test func batchesAreKeptApartPerWriter() {
        var state = WireState()
        state.feed(#"RDATA to_device w1 batch ["@a:x"]"#)
        state.feed(#"RDATA to_device w2 5 ["@b:x"]"#)
        #expect(state.positions[WriterKey("to_device", "w2")]?.rows == 1)
        state.feed(#"RDATA to_device w1 6 ["@c:x"]"#)
        #expect(state.positions[WriterKey("to_device", "w1")]?.rows == 2)
    }

    @Test func aRowRepublishedByAnotherWriterIsFoldedIntoTheFirst() {
        var state = WireState()
        state.feed(#"RDATA device_lists master 21 ["@dave:x",false,true]"#)
        state.feed(#"RDATA device_lists generic1 21 ["@dave:x",false,true]"#)
        state.feed(#"RDATA device_lists master 21 ["@dave:x",false,true]"#)
        #expect(state.duplicates == 2)
        #expect(state.duplicatesAcrossWriters == 1)
        #expect(state.deviceLists.count == 1)
        guard case .row(let change)? = state.deviceLists.elements.first else {
            Issue.record("no row")
            return
        }
        #expect(change.instance == "master")
        #expect(change.republishedBy == ["generic1"])
        // Both writers' positions still move.
        #expect(state.positions[WriterKey("device_lists", "generic1")]?.token == 21)
    }

    @Test func aWriterRepeatingItsOwnRowsIsNotARestart() {
        var state = WireState()
        state.feed(#"RDATA caches master 193 ["f",["!r"],1]"#)
        state.feed(#"RDATA caches master 194 ["g",null,1]"#)
        state.feed(#"RDATA caches master 193 ["f",["!r"],1]"#)
        state.feed(#"RDATA caches master 194 ["g",null,1]"#)
        #expect(state.positions[WriterKey("caches", "master")]?.restarts == 0)
        #expect(state.positions[WriterKey("caches", "master")]?.token == 194)
        #expect(state.duplicates == 2)
        #expect(state.duplicatesAcrossWriters == 0)
    }

    @Test func aPositionBelowTheLastTokenIsARestart() {
        var state = WireState()
        state.feed("POSITION typing generic1 122 122")
        state.feed("POSITION typing generic1 0 0")
        let writer = state.positions[WriterKey("typing", "generic1")]
        #expect(writer?.restarts == 1)
        #expect(writer?.token == 0)
        #expect(state.events.elements.last?.kind == .restart)
    }

    @Test func backfillCountingDownIsNotARestart() {
        var state = WireState()
        for token in [7, 6, 5, 4, 3, 2] {
            state.feed(#"RDATA backfill ep1 \#(token) ["$e\#(token)","!r","m.room.message",null,null,null]"#)
        }
        state.feed("POSITION backfill ep1 2 7")
        #expect(state.positions[WriterKey("backfill", "ep1")]?.restarts == 0)
        #expect(state.positions[WriterKey("backfill", "ep1")]?.token == 7)
    }

    @Test func aPositionBeyondTheLastTokenIsAGapAndAnIdleAdvanceIsCounted() {
        var state = WireState()
        state.feed("POSITION events ep1 10 10")
        state.feed("POSITION events ep1 10 12")
        #expect(state.positions[WriterKey("events", "ep1")]?.advancesWithoutRows == 1)
        #expect(state.positions[WriterKey("events", "ep1")]?.gaps == 0)
        state.feed("POSITION events ep1 20 21")
        #expect(state.positions[WriterKey("events", "ep1")]?.gaps == 1)
        #expect(state.events.elements.last?.detail == "rows in (12, 20] were not seen")
        // An idle writer answering REPLICATE with the shared maximum is no gap.
        state.feed("POSITION events ep1 30 30")
        #expect(state.positions[WriterKey("events", "ep1")]?.gaps == 1)
        #expect(state.positions[WriterKey("events", "ep1")]?.token == 30)
    }

    @Test func instancesAndSyncProcessesAreKeptApart() {
        var state = WireState()
        state.feed("POSITION caches client1 5 5", at: 1)
        state.feed(#"LOCK_RELEASED ["ep1","new_event_during_purge_lock","!r"]"#, at: 2)
        state.feed("FEDERATION_ACK federation_sender1 9", at: 3)
        state.feed("USER_SYNC xvyYL @a:x DEV start 5", at: 4)
        #expect(Set(state.instances.keys) == ["client1", "ep1", "federation_sender1"])
        #expect(state.instances["client1"]?.streams == ["caches"])
        #expect(state.syncProcesses["xvyYL"]?.syncs == 1)
        #expect(state.instances["xvyYL"] == nil)
    }

    @Test func cacheInvalidationsAreCountedPerFunctionAndWriter() {
        var state = WireState()
        state.feed(#"RDATA caches master 3 ["get_user_by_id",["@a:x"],1]"#)
        state.feed(#"RDATA caches client1 4 ["get_user_by_id",["@b:x"],1]"#)
        state.feed(#"RDATA caches client1 5 ["get_user_by_id",null,1]"#)
        let stats = state.caches["get_user_by_id"]
        #expect(stats?.invalidations == 3)
        #expect(stats?.wholeCache == 1)
        #expect(stats?.byInstance == ["master": 1, "client1": 2])
    }

    @Test func malformedLinesAreCountedWithASample() {
        var state = WireState()
        state.feed("RDATA events ep1 x [1]")
        state.ingest([0xff, 0x1b, 0x41], channel: "hs", at: 5)
        state.ingestBadRecordingLine(Array("garbage".utf8), detail: "no tabs")
        #expect(state.malformed == [.badToken: 1, .invalidUTF8: 1, .badRecording: 1])
        #expect(state.malformedSamples.elements.map(\.reason) == [.badToken, .invalidUTF8, .badRecording])
        #expect(!state.malformedSamples.elements[1].excerpt.contains("\u{1b}"))
    }

    @Test func aDisconnectPutsAGapIntoTheFeeds() {
        var state = WireState()
        state.feed(#"RDATA device_lists master 2 ["@a:x",false,false]"#, at: 10)
        state.markDisconnected(at: 11, reason: "connection lost")
        state.markDisconnected(at: 12, reason: "again")
        #expect(state.deviceLists.elements.last == .gap(since: 11, reason: "connection lost"))
        #expect(state.deviceLists.count == 2)
        state.markConnected(at: 20)
        #expect(state.disconnectedSince == nil)
        #expect(state.events.elements.last?.kind == .reconnected)
    }

    @Test func memoryStaysBoundedUnderAFloodOfNewNames() {
        var limits = WireState.Limits()
        limits.feed = 100
        limits.names = 50
        limits.writers = 50
        var state = WireState(limits: limits)
        for i in 0..<5000 {
            state.feed(#"RDATA stream\#(i) writer\#(i) \#(i) [\#(i)]"#, at: Double(i))
            state.feed("CMD\(i) x", at: Double(i))
            state.feed(#"RDATA caches w \#(i) ["fn\#(i)",null,1]"#, at: Double(i))
            state.feed(#"RDATA device_lists w \#(i) ["@u\#(i):x",false,false]"#, at: Double(i))
        }
        #expect(state.positions.count <= 50)
        #expect(state.instances.count <= 50)
        #expect(state.commands.count <= 50)
        #expect(state.caches.count <= 50)
        #expect(state.unknownStreams.count <= 50)
        #expect(state.deviceLists.count == 100)
        #expect(state.streamRows.count == 100)
        #expect(state.overflow > 0)
        #expect(state.lines == 20000)
    }

    @Test func ratesArePerSecond() {
        var history = RateHistory()
        history.add(at: 100.2)
        history.add(at: 100.7, count: 2)
        history.add(at: 102.1)
        let values = history.values(until: 102.5)
        #expect(values.suffix(3) == [3, 0, 1])
        #expect(values.count == 60)
        history.add(at: 500)
        #expect(history.values(until: 500).reduce(0, +) == 1)
        // The whole second is the one below, before 1970 too.
        for time in [-0.5, -2, -0.0, 2.9, 8.9e15, -8.9e15, 4503599627370497, 1_800_000_000.999999] {
            #expect(RateHistory.second(time) == Int64(time.rounded(.down)), "\(time)")
        }
        // A late row still in the minute is counted in its second; one older is not.
        history.add(at: 480.5)
        history.add(at: 400)
        #expect(history.values(until: 500).suffix(21).first == 1 && history.values(until: 500).reduce(0, +) == 2)
        history.add(at: 8.8e81)
        history.add(at: .nan)
        #expect(history.values(until: 8.8e81).reduce(0, +) == 0)
        var state = WireState()
        state.feed("POSITION typing w 1 2", at: 1e300)
        #expect(state.positions[WriterKey("typing", "w")]?.token == 2)
    }
}
