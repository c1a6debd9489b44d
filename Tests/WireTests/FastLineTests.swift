import Testing
@testable import Wire

/// The fast way through RDATA, POSITION, FEDERATION_ACK and USER_SYNC takes the plain lines Synapse publishes and agrees
/// with the full parser on every one; anything else is left to the full parser.
@Suite struct FastLineTests {
    func messages(_ name: String) throws -> [[UInt8]] {
        var reader = RecordingReader(RecordingBytes(try fixture(name)))
        var out: [[UInt8]] = []
        while let line = try reader.next() {
            if case .message(_, _, let payload) = Recording.fields(line.bytes) { out.append(Array(payload)) }
        }
        return out
    }

    @Test(arguments: ["hs1-with-hs2.rec", "hs1-without-hs2.rec", "hs1-beside-database.rec"])
    func agreesWithTheFullParserOnRealTraffic(_ name: String) throws {
        var fast = 0
        var rowsAndPositions = 0
        for message in try messages(name) {
            let parsed = ReplicationLine.parse(message)
            if case .success(.rdata) = parsed { rowsAndPositions += 1 }
            if case .success(.position) = parsed { rowsAndPositions += 1 }
            guard let line = FastLine.read(message) else { continue }
            fast += 1
            #expect(line.agrees(with: message), "\(String(decoding: message, as: UTF8.self))")
        }
        // Nearly every row and position of real traffic takes the fast way.
        #expect(Double(fast) >= Double(rowsAndPositions) * 0.9, "\(fast) of \(rowsAndPositions)")
    }

    @Test func theFactsTheStateKeeps() {
        let line = Array(#"RDATA device_lists master 98 ["@a:hs",false,true]"#.utf8)
        guard case .rdata(let stream, let instance, let token, let facts, let row, let digest)? = FastLine.read(line) else {
            Issue.record("not read the fast way")
            return
        }
        #expect(stream == "device_lists" && instance == "master" && token == .id(98) && row == 29..<49)
        #expect(facts == .deviceList(userID: "@a:hs", isSignature: false, hostsCalculated: true))
        // The same digest as the full way gives the row, whichever way it came.
        #expect(digest == ReplicationLine.digest(stream: "device_lists", row: line[row]))
        guard case .rdata(_, _, let batch, let cache, let cacheRow, _)? = FastLine.read(Array(#"RDATA caches w batch ["get_user",null,17]"#.utf8)) else {
            Issue.record("not read the fast way")
            return
        }
        #expect(batch == .batch && cacheRow == 21..<41 && cache == .cacheInvalidation(function: "get_user", wholeCache: true))
        #expect(FastLine.read(Array("POSITION events event_persister1 10 12".utf8))
                == .position(stream: "events", instance: "event_persister1", previous: 10, new: 12))
        // A token-keyed cache too: an invalidation's bytes are never kept.
        guard case .rdata(_, _, _, let tokenCache, _, _)? = FastLine.read(Array(#"RDATA caches w 1 ["get_user_by_access_token",["syt_x"]]"#.utf8)) else {
            Issue.record("not read the fast way")
            return
        }
        #expect(tokenCache == .cacheInvalidation(function: "get_user_by_access_token", wholeCache: false))
        #expect(FastLine.read(Array("FEDERATION_ACK federation_sender1 4021".utf8))
                == .federationAck(instance: "federation_sender1", token: 4021))
        // Both forms of USER_SYNC, before and after the presence state was added.
        for form in ["USER_SYNC 9f2c @a:hs DEV start 1795703086336", "USER_SYNC 9f2c @a:hs None end online 1795703086336"] {
            let line = Array(form.utf8)
            #expect(FastLine.read(line) == .userSync(processID: "9f2c"))
            #expect(FastLine.read(line)?.agrees(with: line) == true, "\(form)")
        }
    }

    /// What the fast way leaves to the full parser, which decides (and explains what is wrong).
    @Test(arguments: [
        #"RDATA typing w 8 ["!r",["\u0040a"]]"#,       // an escape
        #"RDATA presence w 1 ["@a","online",1.5,0,0,0,true]"#,  // a fraction where an integer goes
        #"RDATA unknown_stream w 1 ["x"]"#,             // a stream syntop does not know
        #"RDATA typing w +8 ["!r",[]]"#,                 // a sign
        #"RDATA typing w 8 ["!r",[] ] x"#,              // trailing characters
        #"RDATA typing w 8 ["!r",[1]]"#,                 // the wrong kind in a list
        #"RDATA typing  8 ["!r",[]]"#,                   // an empty writer
        "RDATA events w 8 [\"ev\",[\"$e\",\"!r\",\"m\",null,null,null,null,false,\"no\"]]",
        "POSITION typing w 1",
        "POSITION typing w 1 2 3",
        "POSITION typing w 99999999999999999999 1",
        "RDATA typing w 8 [\"!r\",[]" + String(repeating: "]", count: 3),
        "RDATA typing w\u{e9} 8 [\"!r\",[]]",
        "USER_SYNC p @a:hs D stop 1",                     // neither start nor end
        "USER_SYNC p @a:hs D start",                      // too few parts
        "USER_SYNC p @a:hs D start online 1 2",           // too many
        "USER_SYNC p  @a:hs D start 1",                   // an empty part
        "USER_SYNC p @\u{e9}:hs D start 1",               // not ASCII: the full way checks UTF-8
        "USER_SYNC p @a:hs D start +1",
        "FEDERATION_ACK federation_sender1",
        "FEDERATION_ACK federation_sender1 x",
        "FEDERATION_ACK  1",
        #"RDATA device_lists w 1 ["@a\"b:hs",false,true]"#,  // an escape in a name the state keeps
        #"RDATA caches w 1 ["get\"user",null]"#,              // the same in a cache function
        #"RDATA typing w 8 ["!r",["@a\"b"]]"#,
        #"RDATA caches w 1 ["f",["\x"]]"#,                    // no escape JSON has
        #"RDATA caches w 1 ["f",["\"]]"#,                     // a string never closed
        // More users than the scan keeps: the full way checks each.
        "RDATA typing w 1 [\"!r\",[" + Array(repeating: "\"@u:hs\"", count: 17).joined(separator: ",") + "]]",
        "RDATA federation w 1 [" + Array(repeating: "\"x\"", count: 17).joined(separator: ",") + "]",
    ])
    func leavesTheRestToTheFullParser(_ text: String) {
        #expect(FastLine.read(Array(text.utf8)) == nil)
    }

    /// JSON's short escapes in a string whose text the state never makes (a cache's keys, a
    /// receipt's data) take the fast way, wherever they fall in the eight-byte steps, and agree
    /// with the full parser.
    @Test func shortEscapesTakeTheFastWay() {
        for escape in [#"\""#, #"\\"#, #"\/"#, #"\b"#, #"\f"#, #"\n"#, #"\r"#, #"\t"#] {
            for before in 0..<10 {
                let key = String(repeating: "k", count: before) + escape + "tail"
                for text in [#"RDATA caches w 3 ["get_device",[""# + key + #"","D"],17]"#,
                             #"RDATA receipts w 3 ["!r","m.read","@a:hs","$e",null,{""# + key + #"":1}]"#] {
                    let line = Array(text.utf8)
                    let read = FastLine.read(line)
                    #expect(read != nil, "\(text)")
                    #expect(read?.agrees(with: line) == true, "\(text)")
                }
            }
        }
        // A cache's many keys (a room's members) are more than the scan keeps: checked to
        // their end, the row still takes the fast way.
        let members = Array(repeating: "\"@u:hs\"", count: 40).joined(separator: ",")
        let line = Array((#"RDATA caches w 3 ["cs_cache_fake",["!r","# + members + "],17]").utf8)
        #expect(FastLine.read(line)?.agrees(with: line) == true)
        #expect(FastLine.read(Array((#"RDATA caches w 3 ["f",["!r","# + members + ",1.5]]").utf8)) == nil)
    }

    /// A string's end, an escape, or a byte the full way takes, at every offset of the sixteen-
    /// and eight-byte steps: the fast way takes what it should, stops where it should, and
    /// agrees with the full parser.
    @Test func stringsAreScannedToTheRightByte() {
        for before in 0..<40 {
            let head = String(repeating: "k", count: before)
            for (inside, fast) in [("", true), (#"\n"#, true), (#"\""#, true), (#"\u0041"#, false), ("\u{1}", false),
                                   ("\u{7F}", false), ("é", false), ("\t", false)] {
                for tail in ["", "t", String(repeating: "t", count: 20)] {
                    // A long item after, so the string's end falls at every offset of a step.
                    let text = #"RDATA caches w 3 ["get_device",[""# + head + inside + tail
                        + #"","DDDDDDDDDDDDDDDDDDDD"],17]"#
                    let line = Array(text.utf8)
                    let read = FastLine.read(line)
                    #expect((read != nil) == fast, "\(text)")
                    if let read { #expect(read.agrees(with: line), "\(text)") }
                }
            }
            // A string left open at the end of the scan is no string, whatever lies past the end.
            let open = Array(("\"" + head + "\"").utf8)
            open.withUnsafeBufferPointer { bytes in
                var index = 0
                #expect(RowScan.value(bytes, &index, bytes.count - 1, depth: 0) == nil, "\(before)")
            }
        }
    }

    /// The digest tells rows apart that differ in one byte anywhere, or only in length, and is
    /// the same whichever way the row came.
    @Test func digestsTellRowsApart() {
        for length in 1...40 {
            let row = Array(repeating: UInt8(ascii: "a"), count: length)
            var seen: Set<UInt64> = [ReplicationLine.digest(stream: "typing", row: row[...]),
                                     ReplicationLine.digest(stream: "typing", row: (row + [UInt8(ascii: "a")])[...])]
            #expect(seen.count == 2, "length \(length)")
            for position in 0..<length {
                var changed = row
                changed[position] = UInt8(ascii: "b")
                seen.insert(ReplicationLine.digest(stream: "typing", row: changed[...]))
            }
            #expect(seen.count == length + 2, "length \(length)")
        }
        #expect(ReplicationLine.digest(stream: "typing", row: Array("[1]".utf8)[...])
                != ReplicationLine.digest(stream: "events", row: Array("[1]".utf8)[...]))
    }

    /// Past the bound of writers kept, lines are still read the fast way, each writer's
    /// names found part by part.
    @Test func writersPastTheBoundAreStillRead() {
        var reader = FastLineReader()
        for index in 0...WriterTable.capacity {
            let line = Array("POSITION typing w\(index) 1 2".utf8)
            _ = line.withUnsafeBufferPointer { reader.read($0) }
        }
        // A new writer, a new writer of a name kept, and one kept.
        for line in ["POSITION typing one_more 1 2", "POSITION events w7 1 2", "POSITION typing w7 1 2"] {
            let read = Array(line.utf8).withUnsafeBufferPointer { reader.read($0) }
            let parts = line.split(separator: " ").map(String.init)
            #expect(read == .position(stream: StreamName(rawValue: parts[1]), instance: InstanceName(rawValue: parts[2]),
                                      previous: 1, new: 2))
        }
    }

    /// The wire state keeps the same whichever way a line goes: a republished row is a
    /// duplicate, and a row with a `\\u` escape (the full way) is kept and decoded like any other.
    @Test func bothWaysKeepTheSame() {
        var state = WireState()
        state.ingest(Array(#"RDATA typing w 8 ["!r",["@a"]]"#.utf8), channel: "hs", at: 1)
        state.ingest(Array(#"RDATA typing w 8 ["!r",["@a"]]"#.utf8), channel: "hs", at: 2)
        #expect(state.duplicates == 1 && state.positions[WriterKey("typing", "w")]?.rows == 2)
        state.ingest(Array(#"RDATA typing w 9 ["!r",["\u0040b"]]"#.utf8), channel: "hs", at: 3)
        #expect(state.positions[WriterKey("typing", "w")]?.token == 9)
        guard case .row(let entry)? = state.streamRows.elements.last else {
            Issue.record("no row")
            return
        }
        #expect(entry.row == .typing(roomID: "!r", userIDs: ["@b"]))
        #expect(state.commands == ["RDATA": 3])
    }

    @Test func namesAreKeptOnce() {
        var names = NameTable()
        let first = Array("client_reader1".utf8).withUnsafeBufferPointer { names.instance($0) }
        let again = Array("client_reader1".utf8).withUnsafeBufferPointer { names.instance($0) }
        #expect(first == "client_reader1" && again == first)
        #expect(Array("a b".utf8).withUnsafeBufferPointer { names.instance($0) } == nil)
        #expect(Array("".utf8).withUnsafeBufferPointer { names.instance($0) } == nil)
        // Read eight bytes a step: a byte that is no printable ASCII is found wherever it stands.
        for bad: UInt8 in [0x20, 0x00, 0x7F, 0x80, 0xFF, 0x0A] {
            for position in 0..<19 {
                var bytes = Array("event_persister_123".utf8)
                bytes[position] = bad
                #expect(bytes.withUnsafeBufferPointer { names.instance($0) } == nil, "\(bad) at \(position)")
            }
        }
        for edge in ["!", "~~~~~~~~", "!~!~!~!~!", "a" + String(repeating: "~", count: 40)] {
            #expect(Array(edge.utf8).withUnsafeBufferPointer { names.instance($0) }?.rawValue == edge)
        }
        // A name that is no writer's, kept the same way.
        #expect(Array("get_users_in_room".utf8).withUnsafeBufferPointer { names.name($0) } == "get_users_in_room")
        // A name longer than any process's is read, not kept.
        let long = String(repeating: "x", count: NameTable.longest + 1)
        let read = Array(long.utf8).withUnsafeBufferPointer { names.instanceWithID($0) }
        #expect(read?.name.rawValue == long && read?.id == nil)
        #expect(Array("client_reader1".utf8).withUnsafeBufferPointer { names.instanceWithID($0) }?.id == 0)
        // Past the bound, names are still read, made afresh.
        for index in 0..<NameTable.capacity { _ = Array("w\(index)".utf8).withUnsafeBufferPointer { names.instance($0) } }
        #expect(Array("one_more".utf8).withUnsafeBufferPointer { names.instance($0) } == "one_more")
        #expect(Array("client_reader1".utf8).withUnsafeBufferPointer { names.instance($0) } == "client_reader1")
    }

    /// The duplicate window against a dictionary of every row: a row is found, with its value,
    /// for at least `capacity` rows after it, and forgotten after twice that at most.
    @Test func recentRowsKeepTheirWindow() {
        let capacity = 64
        var recent = RecentRows<Int>(capacity: capacity)
        var insertedAt: [Int64: Int] = [:]
        var inserted = 0
        var generator = SystemRandomNumberGenerator()
        for step in 0..<20000 {
            let token = Int64.random(in: 0..<300, using: &generator)
            let digest = UInt64(token) &* 31
            let found = recent.slot(token: token, digest: digest)
            if let at = insertedAt[token] {
                let since = inserted - at
                if since <= capacity { #expect(found != nil, "step \(step): \(since) rows since") }
                if since > 2 * capacity { #expect(found == nil, "step \(step): \(since) rows since") }
                if let found { #expect(recent[found] == at) }
            } else {
                #expect(found == nil, "step \(step)")
            }
            if found == nil {
                inserted += 1
                recent.insert(token: token, digest: digest, inserted)
                insertedAt[token] = inserted
            }
        }
    }
}

@Suite struct RowShapeTests {
    /// Every stream the full decoder knows has a rule for the fast way, so none is left out
    /// by mistake, but pushers: their rows carry a push token, which the full way drops.
    @Test func everyKnownStreamHasARule() {
        #expect(Set(RowShape.rules.keys) == RowDecoder.knownStreams.subtracting(["pushers"]))
        var state = WireState()
        state.ingest(Array(#"RDATA pushers master 4 ["@a:hs","m.http","pushkey-secret",false]"#.utf8), channel: "hs", at: 1)
        #expect(state.positions[WriterKey("pushers", "master")]?.rows == 1)
        #expect(!String(decoding: state.streamRows.elements.compactMap {
            if case .row(let entry) = $0 { return entry.rowJSON } else { return nil }
        }.joined(), as: UTF8.self).contains("pushkey-secret"))
    }

    /// A line longer than the full parser takes is not taken the fast way either.
    @Test func aLineTooLongForTheFullParserIsNotTakenEither() {
        let long = #"RDATA typing w 8 ["!r",["# + String(repeating: #""@a","#, count: ReplicationLine.maximumLength / 5) + #""@b"]]"#
        #expect(FastLine.read(Array(long.utf8)) == nil)
        guard case .failure(let failure) = ReplicationLine.parse(long) else {
            Issue.record("a line too long was parsed")
            return
        }
        #expect(failure.reason == .tooLong)
    }
}
