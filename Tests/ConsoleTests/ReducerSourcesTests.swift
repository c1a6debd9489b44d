import Connection
import Redis
@testable import Store
import Testing
import Terminal
import Wire
@testable import Console
@testable import Observation

/// What the sources, timers and the loop report reaches the state as actions, and what the
/// loop must do comes back as effects.
@Suite struct ReducerSourcesTests {
    func setup(_ wire: ObservationSetup.WireInput, database: String? = nil) -> ConsoleSetup {
        ConsoleSetup(size: Size(width: 100, height: 30), themeName: "default",
                     observation: ObservationSetup(database: database, wire: wire))
    }

    @Test func aReplayStartsTicksAndStopsAtItsEnd() {
        var state = ConsoleState(size: Size(width: 100, height: 30))
        var replay = ReplayHarness("1.0\ths\tPOSITION typing w 1 1\n2.0\ths\tPOSITION typing w 1 2\n")
        #expect(replay.reduce(&state, .start(setup(.replay(file: "r.rec", span: replay.span, speed: .factor(1))))) == [.observation(.startReplay)])
        // The first tick plays what is due at the recording's start, and the loop reads it.
        #expect(ConsoleReducer.reduce(&state, .observed(.replayTick(clock: 10)))
                    == [.observation(.feedReplay(ReplayFeed(until: 1, limit: ReplayCursor.chunk)))])
        #expect(replay.reduce(&state, .observed(.replayTick(clock: 10))).isEmpty)
        #expect(state.wire.positions[WriterKey("typing", "w")]?.token == 1)
        #expect(replay.reduce(&state, .observed(.replayTick(clock: 10.5))).isEmpty)
        #expect(state.wire.positions[WriterKey("typing", "w")]?.token == 1)
        #expect(replay.reduce(&state, .observed(.replayTick(clock: 11))) == [.observation(.stopReplay)])
        #expect(state.wire.positions[WriterKey("typing", "w")]?.token == 2)
        // The frame's time is the recording's; the database's is the clock.
        _ = ConsoleReducer.reduce(&state, .frame(clock: 5000))
        #expect(state.now == 2 && state.databaseNow == 5000)
    }

    @Test func aPausedReplayStopsTicking() {
        var state = ConsoleState(size: Size(width: 100, height: 30))
        let replay = ReplayHarness("1.0\ths\tREPLICATE\n9.0\ths\tREPLICATE\n")
        _ = ConsoleReducer.reduce(&state, .start(setup(.replay(file: "r.rec", span: replay.span, speed: .factor(1)))))
        _ = ConsoleReducer.reduce(&state, .togglePause)
        #expect(ConsoleReducer.reduce(&state, .observed(.replayTick(clock: 1))) == [.observation(.stopReplay)])
        #expect(state.wire.lines == 0)
    }

    @Test func redisStatusesAndTheProbeOnStart() {
        var state = ConsoleState(size: Size(width: 100, height: 30))
        _ = ConsoleReducer.reduce(&state, .start(setup(.live(endpoint: "127.0.0.1:6379", serverName: "hs", probe: true))))
        #expect(state.observation.probe.allowed)
        #expect(ConsoleReducer.reduce(&state, .observed(.connection(.redis, .ready(since: 1)))) == [.observation(.probe)])
        #expect(ConsoleReducer.reduce(&state, .observed(.connection(.redis, .waiting(since: 5, retryAt: 6, error: "lost")))).isEmpty)
        #expect(state.wire.disconnectedSince == 5)
        // Published once, on the first subscription only.
        #expect(ConsoleReducer.reduce(&state, .observed(.connection(.redis, .ready(since: 7)))).isEmpty)
        #expect(state.wire.disconnectedSince == nil)
        _ = ConsoleReducer.reduce(&state, .observed(.wire([WireMessage(channel: "hs", payload: Array("POSITION events ep1 3 3".utf8),
                                                                       time: 8)])))
        #expect(state.wire.positions[WriterKey("events", "ep1")]?.token == 3)
        _ = ConsoleReducer.reduce(&state, .observed(.probeAnswered(at: 9, receivers: 4, error: nil)))
        #expect(state.observation.probe.at == 9 && state.notice?.text.contains("4 receiver(s)") == true)
        _ = ConsoleReducer.reduce(&state, .observed(.probeAnswered(at: 10, receivers: nil, error: "refused")))
        #expect(state.observation.probe.at == 9 && state.notice?.level == .warning)
    }

    @Test func theDatabaseStatusAndItsAnswers() {
        var state = ConsoleState(size: Size(width: 100, height: 30))
        _ = ConsoleReducer.reduce(&state, .start(setup(.none, database: "--db")))
        #expect(state.database.status == .connecting(attempt: 1))
        // The session is read first on every connection, and a round of reads follows it.
        #expect(ConsoleReducer.reduce(&state, .observed(.connection(.postgres, .ready(since: 3))))
                    == [.observation(.read([.session]))])
        #expect(state.database.status == .ready(since: 3))
        let session = SessionStore.Session(role: "r", readOnly: true, statementTimeout: "2s", schemaVersion: 94,
                                           compatVersion: 84, backgroundUpdatesPending: 0, roleCanWrite: false,
                                           missingTables: [], warnings: ["missing grant on devices"])
        _ = ConsoleReducer.reduce(&state, .observed(.database(.session(Fetched(session, at: 3)))))
        #expect(state.notice == Notice("postgres: missing grant on devices", .warning))
        #expect(ConsoleReducer.reduce(&state, .observed(.databaseRoundFinished))
                    == [.observation(.read([.positions, .extremities(threshold: 10), .pokes]))])
        _ = ConsoleReducer.reduce(&state, .observed(.database(.positions(Fetched([], at: 4)))))
        #expect(state.database.positions?.at == 4)
        // The round's end schedules the next one, at the refresh interval.
        #expect(ConsoleReducer.reduce(&state, .observed(.databaseRoundFinished))
                    == [.observation(.schedule(.databaseRound(3), afterSeconds: 2))])
    }

    @Test func aContextIsNamedInTheHeaderAndSwitchedWithItsCommand() {
        var state = ConsoleState(size: Size(width: 100, height: 30))
        var first = setup(.live(endpoint: "10.0.0.5:6379", serverName: "prod.example", probe: false), database: "context prod's db")
        first.context = "prod"
        first.contexts = ["prod", "staging"]
        first.observation.refreshSeconds = 4
        _ = ConsoleReducer.reduce(&state, .start(first))
        #expect(state.refreshSeconds == 5)
        #expect(ConsoleView.render(state).text().split(separator: "\n")[0].hasPrefix(" syntop  [prod]  redis: connecting to 10.0.0.5:6379"))
        #expect(ConsoleReducer.runCommand(&state, "context").isEmpty)
        #expect(state.notice?.text == "contexts: prod (current), staging")
        #expect(ConsoleReducer.runCommand(&state, "ctx staging") == [.switchContext("staging")])
        _ = ConsoleReducer.reduce(&state, .contextFailed(name: "staging", reason: "--redis: bad URL"))
        #expect(state.notice?.level == .critical)
        #expect(state.notice?.text == "context staging: --redis: bad URL; still on context prod")

        // What was seen of prod goes with the switch; the screen stays.
        _ = ConsoleReducer.reduce(&state, .observed(.wire([WireMessage(channel: "prod.example",
                                                                       payload: Array("POSITION events ep1 3 3".utf8), time: 8)])))
        _ = ConsoleReducer.reduce(&state, .showScreen(.positions))
        var second = setup(.none, database: "context staging's db")
        second.context = "staging"
        second.contexts = ["prod", "staging"]
        second.settingsNotice = Notice("context staging")
        _ = ConsoleReducer.reduce(&state, .start(second))
        #expect(state.wire.positions.isEmpty)
        #expect(state.screen == .positions)
        #expect(state.context == "staging")
        #expect(state.notice?.text == "context staging")
        #expect(ConsoleView.render(state).text().split(separator: "\n")[0].hasPrefix(" syntop  [staging]  redis: not connected"))
    }

    @Test func withoutAConfigFileThereIsNoContextToSwitchTo() {
        var state = ConsoleState(size: Size(width: 100, height: 30))
        _ = ConsoleReducer.reduce(&state, .start(setup(.none)))
        #expect(ConsoleView.render(state).text().split(separator: "\n")[0].hasPrefix(" syntop  redis: not connected"))
        #expect(ConsoleReducer.runCommand(&state, "context").isEmpty)
        #expect(state.notice?.text.hasPrefix("no contexts") == true)
        // The loop reads the file again: a context added since is found, a missing one refused.
        #expect(ConsoleReducer.runCommand(&state, "context prod") == [.switchContext("prod")])
    }
}
