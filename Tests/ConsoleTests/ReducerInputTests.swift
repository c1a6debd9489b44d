import Testing
import Wire
@testable import Console
@testable import Observation

@Suite struct SeekTests {
    /// `:seek` reaches the loop as a time of the recording, and the screens start afresh there.
    @Test func seekCommandAndTheStateAfterIt() {
        var state = ConsoleState(size: .init(width: 100, height: 30))
        var lines = ""
        for second in 0..<100 { lines += "\(1_800_000_000 + second).0\ths\tPOSITION typing w \(second) \(second + 1)\n" }
        var replay = ReplayHarness(lines)
        state.observation.source = .replay(file: "r.rec", cursor: ReplayCursor(span: replay.span, speed: .max))
        replay.playToTheEnd(&state)
        #expect(state.wire.lines == 100)
        #expect(ConsoleReducer.runCommand(&state, "seek 08:00:90").isEmpty)
        #expect(state.notice?.level == .warning)
        #expect(ConsoleReducer.runCommand(&state, "seek 09:00").isEmpty)
        #expect(state.notice?.text == "the recording runs from 08:00:00 to 08:01:39")
        let seek = ConsoleReducer.runCommand(&state, "seek 08:01:00")
        #expect(seek == [.observation(.seekReplay(1_800_000_060))])
        // Finished, it plays on from the new place; the screens start afresh there.
        #expect(replay.perform(seek, &state) == [.observation(.startReplay)])
        #expect(state.wire.lines == 0)
        replay.playToTheEnd(&state)
        #expect(state.wire.lines == 40 && state.wire.firstLineAt == 1_800_000_060)
        // A step back from where it stands.
        _ = ConsoleReducer.runCommand(&state, "pause")
        #expect(ConsoleReducer.runCommand(&state, "seek -30s") == [.observation(.seekReplay(1_800_000_069))])
        #expect(replay.perform([.observation(.seekReplay(1_800_000_069))], &state).isEmpty)
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
        var state = ConsoleState.connected(.init(width: 120, height: 40))
        for index in 1...60 {
            state.observation.wire.ingest(Array("POSITION caches client_reader\(index) 1 2".utf8), channel: "hs", at: 1)
        }
        #expect(state.roundOf(command: "process client_reader42") == [.positions, .extremities(threshold: 10), .roles])
        #expect(state.screen == .roles && state.details[.roles] == .process("client_reader42"))
        #expect(state.roundOf(command: "stream caches") == [.positions, .extremities(threshold: 10)])
        #expect(state.screen == .positions && state.details[.positions] == .stream("caches"))
        #expect(ConsoleReducer.runCommand(&state, "stream nope").isEmpty)
        #expect(state.notice?.text.hasPrefix(":stream takes a stream seen or configured: caches") == true)
        #expect(ConsoleReducer.runCommand(&state, "process nope").isEmpty && state.notice?.level == .warning)
    }
}
