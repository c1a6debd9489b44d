import Testing
import Wire
@testable import Console

@Suite struct ReplayCursorTests {
    func batch(_ count: Int, next: Double?, finished: Bool = false) -> ReplayBatch {
        ReplayBatch(lines: Array(repeating: [], count: count), position: 0, nextTime: next, finished: finished)
    }

    @Test func recordedTimeRunsAtTheChosenSpeed() {
        var cursor = ReplayCursor(span: span(first: 100, last: 104), speed: .factor(2))
        // Clock 50 is recorded 100; each clock second is two recorded seconds.
        #expect(cursor.due(at: 50) == ReplayFeed(until: 100, limit: ReplayCursor.chunk))
        cursor.fed(batch(1, next: 100.5), lastTime: 100)
        #expect(cursor.due(at: 50.2) == nil)
        #expect(cursor.due(at: 50.3) == ReplayFeed(until: 100.6, limit: ReplayCursor.chunk))
        cursor.fed(batch(1, next: 104, finished: false), lastTime: 100.5)
        #expect(cursor.due(at: 51.9) == nil)
        #expect(cursor.due(at: 52)?.until == 104)
        cursor.fed(batch(1, next: nil, finished: true), lastTime: 104)
        #expect(cursor.finished && cursor.due(at: 99) == nil && cursor.messages == 3)
    }

    @Test func holdingResumesWhereItStopped() {
        var cursor = ReplayCursor(span: span(first: 0, last: 20), speed: .factor(1))
        #expect(cursor.due(at: 0)?.until == 0)
        cursor.fed(batch(1, next: 10), lastTime: 0)
        cursor.hold()
        // An hour later the next message is still the one that was due next.
        #expect(cursor.due(at: 3600)?.until == 10)
        cursor.fed(batch(1, next: 20), lastTime: 10)
        #expect(cursor.due(at: 3605) == nil)
        #expect(cursor.shownTime == 10)
    }

    @Test func seekingMovesRecordedTime() {
        var cursor = ReplayCursor(span: span(first: 0, last: 100), speed: .factor(1))
        _ = cursor.due(at: 5)
        cursor.sought(to: 60, position: 600, nextTime: 60.5, finished: false)
        #expect(cursor.shownTime == 60 && cursor.position == 600)
        #expect(cursor.due(at: 7) == nil)
        #expect(cursor.due(at: 7.5)?.until == 60.5)
    }

    @Test func maxSpeedTakesChunksAndShowsHowFar() {
        var cursor = ReplayCursor(span: RecordingSpan(size: 1000, first: 1, last: 2), speed: .max)
        #expect(cursor.due(at: 0) == ReplayFeed(until: nil, limit: ReplayCursor.chunk))
        cursor.fed(ReplayBatch(lines: [], position: 250, nextTime: 1.5, finished: false), lastTime: 1.2)
        #expect(cursor.percent == 25)
    }

    @Test func speedsFromText() {
        #expect(ReplaySpeed("max") == .max)
        #expect(ReplaySpeed("10") == .factor(10))
        #expect(ReplaySpeed("0.5")?.description == "×0.5")
        #expect(ReplaySpeed("0") == nil)
        #expect(ReplaySpeed("fast") == nil)
    }

    /// `:seek` reaches the loop as a time of the recording, and the screens start afresh there.
    @Test func seekCommandAndTheStateAfterIt() {
        var state = ConsoleState(size: .init(width: 100, height: 30))
        var lines = ""
        for second in 0..<100 { lines += "\(1_800_000_000 + second).0\ths\tPOSITION typing w \(second) \(second + 1)\n" }
        var replay = ReplayHarness(lines)
        state.wireSource = .replay(file: "r.rec", cursor: ReplayCursor(span: replay.span, speed: .max))
        replay.playToTheEnd(&state)
        #expect(state.wire.lines == 100)
        #expect(ConsoleReducer.runCommand(&state, "seek 08:00:90").isEmpty)
        #expect(state.notice?.level == .warning)
        #expect(ConsoleReducer.runCommand(&state, "seek 09:00").isEmpty)
        #expect(state.notice?.text == "the recording runs from 08:00:00 to 08:01:39")
        let seek = ConsoleReducer.runCommand(&state, "seek 08:01:00")
        #expect(seek == [.seekReplay(1_800_000_060)])
        // Finished, it plays on from the new place; the screens start afresh there.
        #expect(replay.perform(seek, &state) == [.startReplay])
        #expect(state.wire.lines == 0)
        replay.playToTheEnd(&state)
        #expect(state.wire.lines == 40 && state.wire.firstLineAt == 1_800_000_060)
        // A step back from where it stands.
        _ = ConsoleReducer.runCommand(&state, "pause")
        #expect(ConsoleReducer.runCommand(&state, "seek -30s") == [.seekReplay(1_800_000_069)])
        #expect(replay.perform([.seekReplay(1_800_000_069)], &state).isEmpty)
        // Paused, it stays paused at the new place, afresh.
        #expect(state.paused && state.displayedWire.lines == 0)
        #expect(ConsoleView.wireStatus(state).hasPrefix("replay: r.rec 08:01:09 "))
        _ = replay.perform(ConsoleReducer.runCommand(&state, "resume"), &state)
        replay.playToTheEnd(&state)
        #expect(state.wire.lines == 31)
    }
}

@Suite struct OpenNamedTests {
    /// `:stream` and `:process` open one of many writers, however deep it is folded.
    @Test func streamAndProcessCommands() {
        var state = ConsoleState(size: .init(width: 120, height: 40))
        for index in 1...60 {
            state.wire.ingest(Array("POSITION caches client_reader\(index) 1 2".utf8), channel: "hs", at: 1)
        }
        #expect(ConsoleReducer.runCommand(&state, "process client_reader42") == [.refreshDatabase])
        #expect(state.screen == .roles && state.details[.roles] == .process("client_reader42"))
        #expect(ConsoleReducer.runCommand(&state, "stream caches") == [.refreshDatabase])
        #expect(state.screen == .positions && state.details[.positions] == .stream("caches"))
        #expect(ConsoleReducer.runCommand(&state, "stream nope").isEmpty)
        #expect(state.notice?.text.hasPrefix(":stream takes a stream seen or configured: caches") == true)
        #expect(ConsoleReducer.runCommand(&state, "process nope").isEmpty && state.notice?.level == .warning)
    }
}
