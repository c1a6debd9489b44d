@testable import Store
import Testing
import Wire
@testable import Console

@Suite struct TokenCheckTests {
    let streams = [
        StreamPositionStore.Stream(stream: "events", writers: [.init(instance: "event_persister1", streamId: 568),
                                                               .init(instance: "event_persister2", streamId: 569)],
                                   maxId: 569),
        StreamPositionStore.Stream(stream: "device_lists", writers: [.init(instance: "master", streamId: 257),
                                                                     .init(instance: "client1", streamId: 215)],
                                   maxId: 257),
    ]

    @Test func withinTheWritersIsNotAhead() throws {
        let check = TokenCheck.compare(try SyncToken.parse("m560~1.569_0_5_0_0_0_0_257"), streams: streams,
                                       instances: [1: "event_persister2"])
        #expect(check.ahead.isEmpty)
        #expect(check.fields[0].writers.first == .init(instance: "event_persister2", token: 569, database: 569))
        #expect(check.fields[0].token == "m560~1.569")
        // Typing lives in memory: never judged.
        #expect(check.fields[2].note?.hasPrefix("typing is kept in memory") == true && !check.fields[2].ahead)
    }

    @Test func aPositionNeverWrittenIsAhead() throws {
        let check = TokenCheck.compare(try SyncToken.parse("s569_0_0_0_0_0_0_m250~7.1257"), streams: streams,
                                       instances: [:])
        #expect(check.ahead.map(\.name) == ["device_lists"])
        #expect(check.fields[7].writers.first?.instance == "instance id 7")
        #expect(check.fields[7].furthest == 1257)
    }

    @Test func withoutADatabaseNothingIsJudged() throws {
        let check = TokenCheck.compare(try SyncToken.parse("s999999_1"), streams: nil, instances: [:])
        #expect(check.ahead.isEmpty && check.fields[0].note == nil)
    }
}

@Suite struct TokenCommandTests {
    @Test func theTokenCommandOpensItBesideThePositionsOrSaysWhatIsWrong() {
        var state = ConsoleState(size: .init(width: 120, height: 40))
        #expect(ConsoleReducer.runCommand(&state, "token s1_x").isEmpty)
        #expect(state.notice == Notice("token: field 2 (presence) 'x': not a whole number", .warning))
        #expect(ConsoleReducer.runCommand(&state, "token s569_0_0_0_0_0_0_m250~7.1257") == [.refreshDatabase])
        #expect(state.screen == .positions && state.details[.positions] == .token("s569_0_0_0_0_0_0_m250~7.1257"))
        #expect(DatabaseRequest.of(state).reads.contains(.instanceMap(token: "s569_0_0_0_0_0_0_m250~7.1257")))
        let streams = [StreamPositionStore.Stream(stream: "device_lists", writers: [.init(instance: "master", streamId: 257)],
                                                  maxId: 257)]
        state.database.positions = Fetched(streams, at: 1)
        var data = DetailData(detail: .token("s569_0_0_0_0_0_0_m250~7.1257"))
        data.instances = [7: "client1"]
        state.database.detail = Fetched(data, at: 1)
        let text = ConsoleView.render(state).text()
        #expect(text.contains("Token s569_0_0_0_0_0_0_m250~7.1257 · 1 ahead"))
        let row = text.split(separator: "\n").first { $0.contains("│device_lists") } ?? ""
        #expect(row.contains("client1 1257/-/-") && row.contains("master -/257/-") && row.contains("AHEAD: 1257 never written"),
                "\(row)")
    }
}
