import Testing
@testable import Wire

@Suite struct SyncTokenTests {
    @Test func aSyncNextBatchOfSynapse1163() throws {
        let token = try SyncToken.parse("s569_58_0_31_39_1_39_255_0_14_2_1_1_1")
        #expect(token.fields.count == 14)
        #expect(token.fields.map(\.name).prefix(3) == ["room", "presence", "typing"])
        #expect(token.fields[0].position == SyncToken.Position(minimum: 569, writers: []))
        #expect(token.fields[7].stream == "device_lists" && token.fields[7].position.minimum == 255)
        #expect(token.fields[13].name == "profile_updates" && token.fields[13].position.minimum == 1)
    }

    @Test func multiWriterPositionsAndPadding() throws {
        let token = try SyncToken.parse("m100~1.105~2.103~_1_2_m5~3.7")
        #expect(token.fields[0].position.minimum == 100)
        #expect(token.fields[0].position.writers.map(\.instance) == [1, 2])
        #expect(token.fields[0].position.furthest == 105)
        #expect(token.fields[3].position.writers.map(\.position) == [7])
        // A shorter token (an older Synapse) is padded with 0, as Synapse pads it.
        #expect(token.fields.count == 14 && token.fields[13].position.minimum == 0)
    }

    @Test func slidingSyncAndPaginationTokens() throws {
        let sliding = try SyncToken.parse("5/s10_1_2_3_4_5_6_7_8_9_10_11_12_13")
        #expect(sliding.connectionPosition == 5)
        let page = try SyncToken.parse("t3-99_1")
        #expect(page.fields[0].position.topological == 3 && page.fields[0].position.minimum == 99)
    }

    @Test func backfilledHistoryHasANegativeRoomStream() throws {
        // A /messages token deep in backfilled history, and a live one at backfill's edge.
        let page = try SyncToken.parse("t5--123_1")
        #expect(page.fields[0].stream == "backfill")
        #expect(page.fields[0].position == SyncToken.Position(minimum: -123, writers: [], topological: 5))
        #expect(try SyncToken.parse("s-1_2").fields[0].stream == "backfill")
        #expect(try SyncToken.parse("s0").fields[0].stream == "events")
        #expect(try SyncToken.parse("m-9~1.-4").fields[0].position.writers.map(\.position) == [-4])
    }

    @Test func numbersAsPythonReadsThem() throws {
        // Space after a field, signs and underscores (a number's, in the connection position),
        // other decimal digits: Python's int reads them all, so Synapse does.
        let token = try SyncToken.parse("1_0/s +5 _-3_\u{0665}_\u{FF17}\u{00A0}")
        #expect(token.connectionPosition == 10)
        #expect(token.fields.prefix(4).map(\.position.minimum) == [5, -3, 5, 7])
        // A multi-writer position starts with a digit: no sign, no space.
        #expect(throws: SyncToken.Problem.self) { try SyncToken.parse("s1_1_1_-3") }
        #expect(throws: SyncToken.Problem.self) { try SyncToken.parse("s1_1_1_ 3") }
        #expect(try SyncToken.parse("s1_1_1_3 ").fields[3].position.minimum == 3)
    }

    @Test func aWriterNamedTwiceKeepsItsFirstPlaceAndLastPosition() throws {
        let token = try SyncToken.parse("m5~1.6~2.9~1.7~")
        #expect(token.fields[0].position.writers.map(\.instance) == [1, 2])
        #expect(token.fields[0].position.writers.map(\.position) == [7, 9])
        // Only the position kept must fit 64 bits.
        #expect(try SyncToken.parse("m5~1.99999999999999999999~1.6").fields[0].position.furthest == 6)
    }

    @Test func aMalformedTokenSaysWhichFieldAndWhy() {
        let cases: [(String, String)] = [
            ("", "the token is empty"),
            ("x5_1", "field 1 (room) 'x5': a room key starts with s, t or m"),
            (" s5", "field 1 (room) ' s5': a room key starts with s, t or m (there is space before it)"),
            ("s1_a", "field 2 (presence) 'a': not a whole number"),
            ("s1__2", "field 2 (presence) '': empty where a number belongs"),
            ("s1_1_1_m5~1-7", "field 4 (receipts) 'm5~1-7': '1-7' is not <instance id>.<position>"),
            ("s1_1_1_m5~1.x", "field 4 (receipts) 'm5~1.x': '1.x' is not <instance id>.<position>: not a whole number"),
            ("m5~1.6~2.5", "field 1 (room) 'm5~1.6~2.5': instance id 2 is at 5, not past the minimum 5; "
                + "Synapse refuses a writer at or behind it"),
            ("t5_1", "field 1 (room) 't5': t<topological>-<stream> expected, and there is no '-'"),
            ("t-5-1", "field 1 (room) 't-5-1': the topological ordering: empty where a number belongs"),
            ("t5-1-2", "field 1 (room) 't5-1-2': the stream ordering: not a whole number"),
            ("s1_1_1_-3", "field 4 (receipts) '-3': a number (from 0) or m<min>~<instance id>.<position>... expected"),
            ("x/s1", "sliding sync's connection position 'x' before '/': not a whole number"),
            ("s1" + String(repeating: "_0", count: 14), "15 fields separated by '_'; Synapse's tokens have at most 14"),
            ("s99999999999999999999", "field 1 (room) 's99999999999999999999': Synapse reads 99999999999999999999, "
                + "but syntop cannot hold a position past 64 bits (PostgreSQL's bigint cannot either)"),
            ("s-9223372036854775808", "field 1 (room) 's-9223372036854775808': Synapse reads -9223372036854775808, "
                + "but syntop cannot hold its backfill position, 9223372036854775807 + 1 (PostgreSQL's bigint cannot either)"),
            ("s1_" + String(repeating: "1", count: 4301), "field 2 (presence) '" + String(repeating: "1", count: 40)
                + "…': more than 4300 digits, which Python refuses to read"),
            // A control character is shown escaped, never sent to the terminal.
            ("s1_\u{1B}[2J", "field 2 (presence) '\\u{1b}[2J': not a whole number"),
        ]
        for (text, message) in cases {
            #expect(throws: SyncToken.Problem(description: message)) { try SyncToken.parse(text) }
        }
    }
}
