import Config
import Foundation
import Testing
import Terminal
import Wire
@testable import Console
@testable import Observation

let consoleFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../Fixtures/recordings").standardizedFileURL

/// A console that has replayed a whole recording, at a fixed clock and time zone.
func replayedState(_ name: String, size: Size, config: SynapseConfig? = nil, database: String? = nil,
                   thresholds: AlertThresholds = AlertThresholds()) throws -> ConsoleState {
    var replay = ReplayHarness(Array(try Data(contentsOf: consoleFixtures.appendingPathComponent(name))))
    var state = ConsoleState.started(size, ObservationSetup(
        config: config, thresholds: thresholds, database: database, wire: .replay(file: "Tests/Fixtures/recordings/\(name)", span: replay.span, speed: .max)))
    replay.playToTheEnd(&state)
    // A frame at the recording's last moment: the database is read then too.
    _ = ConsoleReducer.reduce(&state, .frame(clock: state.wire.lastLineAt ?? 0))
    return state
}

@Suite struct WireScreenTests {
    @Test func pokesFromARecording() throws {
        let state = try replayedState("hs1-with-hs2.rec", size: Size(width: 120, height: 40))
        let screen = ConsoleView.render(state)
        let text = screen.text()
        expectSnapshot(screen, named: "pokes-replay-120x40")
        #expect(text.contains("replay: hs1-with-hs2.rec 20:19:13 100% max done"))
    }

    @Test func positionsFromARecordingFlagTheRestart() throws {
        var state = try replayedState("hs1-with-hs2.rec", size: Size(width: 120, height: 40))
        state.screen = .positions
        _ = ConsoleReducer.reduce(&state, .beginInput(.filter))
        for character in "typ" { _ = ConsoleReducer.reduce(&state, .inputCharacter(character)) }
        _ = ConsoleReducer.reduce(&state, .submitInput)
        let screen = ConsoleView.render(state)
        let text = screen.text()
        expectSnapshot(screen, named: "positions-replay-typing-120x40")
        #expect(text.contains("restarted ×1"))
        #expect(text.contains("alerts 1"))
    }

    @Test func aLostConnectionIsAMarkedRowAcrossTheTable() {
        var state = ConsoleState(size: Size(width: 100, height: 20))
        state.observation.wire.ingest(Array(#"RDATA device_lists master 2 ["@a:x",false,true]"#.utf8), channel: "hs", at: 3600)
        state.observation.wire.markDisconnected(at: 3661, reason: "Server closed the connection")
        state.observation.now = 3700
        let text = ConsoleView.render(state).text()
        #expect(text.contains("01:01:01 — connection lost: Server closed the connection; rows published meanwhile"))
        #expect(text.contains("replication connection lost"))
    }

    @Test func clockAndAge() {
        #expect(TimeText.clock(3661.9, utcOffset: 0) == "01:01:01")
        #expect(TimeText.clock(3661, utcOffset: -7200) == "23:01:01")
        #expect(TimeText.clock(.infinity, utcOffset: 0) == "--:--:--")
        #expect(TimeText.age(59) == "59s")
        #expect(TimeText.age(3599) == "59m")
        #expect(TimeText.age(90000) == "1d")
        #expect(TimeText.age(-3) == "0s")
    }

    @Test func pausingFreezesWhatTheScreensShow() {
        var state = ConsoleState(size: Size(width: 100, height: 20))
        state.observation.wire.ingest(Array(#"RDATA device_lists master 2 ["@a:x",false,true]"#.utf8), channel: "hs", at: 1)
        _ = ConsoleReducer.reduce(&state, .togglePause)
        state.observation.wire.ingest(Array(#"RDATA device_lists master 3 ["@b:x",false,true]"#.utf8), channel: "hs", at: 2)
        #expect(!ConsoleView.render(state).text().contains("@b:x"))
        _ = ConsoleReducer.reduce(&state, .togglePause)
        #expect(ConsoleView.render(state).text().contains("@b:x"))
    }

    @Test func theProbeNeedsLiveRedisAndPermission() {
        var state = ConsoleState(size: Size(width: 100, height: 20))
        #expect(ConsoleReducer.reduce(&state, .probe).isEmpty)
        state.observation.source = .live(endpoint: "h:1", serverName: "hs", status: .ready(since: 0))
        #expect(ConsoleReducer.reduce(&state, .probe).isEmpty)
        #expect(state.notice?.text.contains("--probe") == true)
        state.observation.probe.allowed = true
        #expect(ConsoleReducer.reduce(&state, .probe) == [.observation(.probe)])
    }

    @Test func steppingAndSpeedApplyToAReplay() {
        var state = ConsoleState(size: Size(width: 100, height: 20))
        #expect(ConsoleReducer.reduce(&state, .replayStep).isEmpty)
        var replay = ReplayHarness("1.0\ths\tPOSITION typing w 1 1\n2.0\ths\tPOSITION typing w 1 2\n")
        state.observation.source = .replay(file: "f", cursor: ReplayCursor(span: replay.span, speed: .factor(1)))
        #expect(ConsoleReducer.reduce(&state, .replayStep).isEmpty)
        _ = ConsoleReducer.reduce(&state, .togglePause)
        // Paused, `.` asks the loop for one message.
        #expect(ConsoleReducer.reduce(&state, .replayStep) == [.observation(.feedReplay(ReplayFeed(until: nil, limit: 1)))])
        #expect(replay.reduce(&state, .replayStep).isEmpty)
        guard case .replay(_, let cursor) = state.wireSource else {
            Issue.record("the source is no longer the replay")
            return
        }
        #expect(cursor.messages == 1 && cursor.shownTime == 1)
        #expect(state.displayedWire.positions[WriterKey("typing", "w")]?.token == 1)
        _ = ConsoleReducer.runCommand(&state, "speed 10")
        if case .replay(_, let cursor) = state.wireSource {
            #expect(cursor.speed == .factor(10))
        } else {
            Issue.record("not a replay")
        }
        _ = ConsoleReducer.runCommand(&state, "speed never")
        #expect(state.notice?.level == .warning)
    }
}
