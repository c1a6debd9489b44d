@testable import Store
import Testing
import Wire
@testable import Observation

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

    @Test func aBackfillPositionIsBesideBackfillsWriters() throws {
        let backfill = StreamPositionStore.Stream(stream: "backfill", writers: [.init(instance: "event_persister1", streamId: 120)],
                                                  maxId: 120)
        let within = TokenCheck.compare(try SyncToken.parse("t5--118_1"), streams: streams + [backfill], instances: [:])
        #expect(within.fields[0].stream == "backfill" && within.fields[0].furthest == 118 && within.ahead.isEmpty)
        #expect(within.fields[0].token == "t5--118" && within.fields[0].topological == 5)
        // Further back than anything backfilled yet.
        let beyond = TokenCheck.compare(try SyncToken.parse("s-123"), streams: streams + [backfill], instances: [:])
        #expect(beyond.ahead.map(\.name) == ["room"] && beyond.fields[0].written == 120)
    }
}
