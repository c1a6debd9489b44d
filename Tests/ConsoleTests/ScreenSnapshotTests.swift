import Testing
import Terminal
@testable import Console
@testable import Observation

@Suite struct ScreenSnapshotTests {
    static let sizes = [Size(width: 80, height: 24), Size(width: 120, height: 40),
                        Size(width: 40, height: 10)]

    @Test(arguments: ScreenID.allCases)
    func everyScreenAtEverySize(screen: ScreenID) {
        for size in Self.sizes {
            var state = ConsoleState(size: size)
            state.screen = screen
            expectSnapshot(ConsoleView.render(state),
                           named: "\(screen.title.lowercased())-\(size.width)x\(size.height)")
        }
    }

    @Test func helpOverlay() {
        for size in Self.sizes.prefix(2) {
            var state = ConsoleState(size: size)
            _ = ConsoleReducer.reduce(&state, .toggleHelp)
            expectSnapshot(ConsoleView.render(state), named: "help-\(size.width)x\(size.height)")
        }
    }

    @Test func filterInputPausedAndANotice() {
        var state = ConsoleState(size: Size(width: 80, height: 24))
        _ = ConsoleReducer.reduce(&state, .showScreen(.positions))
        _ = ConsoleReducer.reduce(&state, .togglePause)
        _ = ConsoleReducer.reduce(&state, .sortNextColumn)
        _ = ConsoleReducer.reduce(&state, .beginInput(.filter))
        for character in "device" { _ = ConsoleReducer.reduce(&state, .inputCharacter(character)) }
        let buffer = ConsoleView.render(state)
        expectSnapshot(buffer, named: "positions-filtering-80x24")
        #expect(buffer.cursor?.x == 7)
        #expect(buffer.cursor?.y == 23)
    }

    @Test func tooSmallAtThirtyByEight() {
        let screen = ConsoleView.render(ConsoleState(size: Size(width: 30, height: 8)))
        let text = screen.text()
        expectSnapshot(screen, named: "too-small-30x8")
        #expect(text.contains("need 50 x 12"))
        #expect(text.contains("have 30 x 8"))
    }
}

@Suite struct SnapshotColourTests {
    /// The same text drawn without its critical colour is a different snapshot.
    @Test func aCriticalRowThatLosesItsColourIsADifferentSnapshot() throws {
        var state = ConsoleState(size: Size(width: 100, height: 20))
        state.observation.wire.ingest(Array("POSITION events ep1 1 2".utf8), channel: "hs", at: 1)
        state.observation.wire.markDisconnected(at: 1, reason: "lost")
        state.observation.now = 5
        let screen = ConsoleView.render(state)
        var faded = ScreenBuffer(size: screen.size)
        for y in 0..<screen.size.height {
            for x in 0..<screen.size.width where !screen[x, y].isContinuation {
                let cell = screen[x, y]
                faded.put(cell.text, x: x, y: y, element: cell.element == .crit ? .normal : cell.element)
            }
        }
        #expect(Snapshot.elements(screen).contains("c"))
        #expect(faded.text() == screen.text())
        #expect(Snapshot.elements(faded) != Snapshot.elements(screen))
    }
}
