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

    @Test func aMalformedTokenSaysWhichFieldAndWhy() {
        let cases: [(String, String)] = [
            ("", "the token is empty"),
            ("x5_1", "field 1 (room) 'x5': a room key starts with s, t or m"),
            ("s1_a", "field 2 (presence) 'a': not a whole number"),
            ("s1_1_1_m5~1-7", "field 4 (receipts) 'm5~1-7': '1-7' is not <instance id>.<position>"),
            ("t5_1", "field 1 (room) 't5': t<topological>-<stream> expected"),
            ("s1_-3", "field 2 (presence) '-3': not a whole number"),
            ("x/s1", "the connection position before '/' (sliding sync) is not a whole number"),
            ("s1" + String(repeating: "_0", count: 14), "15 fields separated by '_'; Synapse's tokens have at most 14"),
            ("s99999999999999999999", "field 1 (room) 's99999999999999999999': not a whole number"),
        ]
        for (text, message) in cases {
            #expect(throws: SyncToken.Problem(description: message)) { try SyncToken.parse(text) }
        }
    }
}
