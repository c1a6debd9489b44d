import Testing
import Terminal
@testable import Console

@Suite struct ScreenSnapshotTests {
    static let sizes = [Size(width: 80, height: 24), Size(width: 120, height: 40),
                        Size(width: 40, height: 10)]

    @Test(arguments: ScreenID.allCases)
    func everyScreenAtEverySize(screen: ScreenID) {
        for size in Self.sizes {
            var state = ConsoleState(size: size)
            state.screen = screen
            expectSnapshot(ConsoleView.render(state).text(),
                           named: "\(screen.title.lowercased())-\(size.width)x\(size.height)")
        }
    }

    @Test func helpOverlay() {
        for size in Self.sizes.prefix(2) {
            var state = ConsoleState(size: size)
            _ = ConsoleReducer.reduce(&state, .toggleHelp)
            expectSnapshot(ConsoleView.render(state).text(), named: "help-\(size.width)x\(size.height)")
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
        expectSnapshot(buffer.text(), named: "positions-filtering-80x24")
        #expect(buffer.cursor?.x == 7)
        #expect(buffer.cursor?.y == 23)
    }

    @Test func tooSmallAtThirtyByEight() {
        let text = ConsoleView.render(ConsoleState(size: Size(width: 30, height: 8))).text()
        expectSnapshot(text, named: "too-small-30x8")
        #expect(text.contains("need 50 x 12"))
        #expect(text.contains("have 30 x 8"))
    }
}
