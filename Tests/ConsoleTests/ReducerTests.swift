import Testing
import Terminal
@testable import Console
@testable import Observation

@Suite struct ReducerTests {
    func state() -> ConsoleState { ConsoleState(size: Size(width: 100, height: 30)) }

    func press(_ keys: [Key], in state: inout ConsoleState) -> [Effect] {
        var effects: [Effect] = []
        for key in keys {
            if let action = Bindings.action(for: .key(key), in: state) {
                effects += ConsoleReducer.reduce(&state, action)
            }
        }
        return effects
    }

    @Test func numberKeysAndTabSwitchScreens() {
        var s = state()
        _ = press([.character("3")], in: &s)
        #expect(s.screen == .positions)
        _ = press([.tab, .tab, .tab], in: &s)
        #expect(s.screen == .pokes)
        _ = press([.backTab], in: &s)
        #expect(s.screen == .rooms)
    }

    /// Space, `:pause` and `:resume` are one action: the screens freeze, and a paused replay
    /// is fed again only when resumed.
    @Test func pauseAndResumeHoweverTheyAreAsked() {
        var s = state()
        s.observation.source = .replay(file: "r.rec", cursor: ReplayCursor(span: span(first: 1, last: 2), speed: .max))
        s.observation.wire.ingest(Array("POSITION typing w 1 1".utf8), channel: "hs", at: 1)
        #expect(ConsoleReducer.runCommand(&s, "pause").isEmpty)
        #expect(s.paused && s.frozenWire != nil)
        s.observation.wire.ingest(Array("POSITION typing w 1 2".utf8), channel: "hs", at: 2)
        #expect(s.displayedWire.positions.first?.value.token == 1)
        #expect(ConsoleReducer.runCommand(&s, "pause").isEmpty)
        #expect(s.notice?.text == "the replay is already paused")
        #expect(ConsoleReducer.runCommand(&s, "resume") == [.observation(.startReplay)])
        #expect(!s.paused && s.frozenWire == nil)
        #expect(s.displayedWire.positions.first?.value.token == 2)
        #expect(press([.character(" ")], in: &s).isEmpty)
        #expect(s.paused)
        #expect(press([.character(" ")], in: &s) == [.observation(.startReplay)])
        // A live feed has nothing to schedule.
        s.observation.source = .live(endpoint: "e", serverName: "hs", status: .connecting(attempt: 1))
        #expect(ConsoleReducer.runCommand(&s, "pause").isEmpty && s.frozenWire != nil)
        #expect(ConsoleReducer.runCommand(&s, "resume").isEmpty && s.frozenWire == nil)
    }

    /// A click on a tab is the number key: the new screen's database panels are read at once.
    @Test func aClickOnATabRefreshesLikeTheNumberKey() {
        var s = ConsoleState.connected()
        let tabs = ConsoleLayout(size: s.size).tabAreas()
        #expect(reads(ConsoleReducer.reduce(&s, .click(x: tabs[2].x, y: tabs[2].y))) == [.positions, .extremities(threshold: 10)])
        #expect(s.screen == .positions)
        #expect(ConsoleReducer.reduce(&s, .click(x: tabs[2].x, y: tabs[2].y)).isEmpty)
    }

    @Test func qQuitsButClosesTheHelpFirst() {
        var s = state()
        #expect(press([.character("?")], in: &s).isEmpty)
        #expect(s.helpVisible)
        #expect(press([.character("q")], in: &s).isEmpty)
        #expect(!s.helpVisible)
        #expect(press([.character("q")], in: &s) == [.quit])
    }

    @Test func anotherKeyClosesTheHelpAndActs() {
        var s = state()
        _ = press([.function(1), .character("2")], in: &s)
        #expect(!s.helpVisible)
        #expect(s.screen == .roles)
    }

    @Test func movementKeysScrollTheHelp() {
        var s = ConsoleState(size: Size(width: 80, height: 24))
        _ = press([.character("?"), .down, .down, .character("j")], in: &s)
        #expect(s.helpVisible)
        #expect(s.helpOffset == 3)
        _ = press([.pageDown, .pageDown, .pageDown], in: &s)
        let overlay = ConsoleView.helpOverlay(offset: 0)
        let layout = ConsoleLayout(size: s.size)
        #expect(s.helpOffset == overlay.lines().count - overlay.visibleLines(in: layout.body))
    }

    @Test func theFilterFollowsTypingAndEscRestoresThePreviousOne() {
        var s = state()
        _ = press([.character("/"), .character("e"), .character("v")], in: &s)
        #expect(s.filter(.pokes) == "ev")
        #expect(s.input?.text == "ev")
        _ = press([.enter], in: &s)
        #expect(s.input == nil)
        #expect(s.filter(.pokes) == "ev")
        _ = press([.character("/"), .backspace, .backspace, .character("x"), .escape], in: &s)
        #expect(s.filter(.pokes) == "ev")
        _ = press([.escape], in: &s)
        #expect(s.filter(.pokes) == "")
        #expect(s.notice == Notice("filter cleared"))
    }

    @Test func keysAreTextWhileTyping() {
        var s = state()
        _ = press([.character(":"), .character("q"), .character("2")], in: &s)
        #expect(s.input?.text == "q2")
        #expect(s.screen == .pokes)
    }

    @Test func commands() {
        var s = ConsoleState.connected()
        #expect(reads(ConsoleReducer.runCommand(&s, "roles")) == [.positions, .extremities(threshold: 10), .roles])
        #expect(s.screen == .roles)
        #expect(ConsoleReducer.runCommand(&s, "theme light") == [.applyTheme("light")])
        #expect(ConsoleReducer.runCommand(&s, "quit") == [.quit])
        _ = ConsoleReducer.runCommand(&s, "refresh 10")
        #expect(s.refreshSeconds == 10)
        _ = ConsoleReducer.runCommand(&s, "refresh 3")
        #expect(s.refreshSeconds == 10)
        #expect(s.notice?.level == .warning)
        _ = ConsoleReducer.runCommand(&s, "frobnicate now")
        #expect(s.notice == Notice("unknown command ':frobnicate'; ? lists the commands", .warning))
        _ = ConsoleReducer.runCommand(&s, "filter abc")
        #expect(s.filter(.roles) == "abc")
    }

    @Test func refreshIntervalStaysWithinItsSteps() {
        var s = state()
        _ = press(Array(repeating: .character("+"), count: 20), in: &s)
        #expect(s.refreshSeconds == 60)
        _ = press(Array(repeating: .character("-"), count: 20), in: &s)
        #expect(s.refreshSeconds == 0.5)
    }

    @Test func spacePausesAndResumes() {
        var s = state()
        _ = press([.character(" ")], in: &s)
        #expect(s.paused)
        _ = press([.character(" ")], in: &s)
        #expect(!s.paused)
    }

    @Test func sortKeysCycleColumnsAndReverse() {
        var s = state()
        _ = press([.character(">")], in: &s)
        #expect(s.table(TableKey(.pokes)).sort == SortOrder(column: 0, ascending: true))
        _ = press([.character("<"), .character("r")], in: &s)
        #expect(s.table(TableKey(.pokes)).sort == SortOrder(column: 5, ascending: false))
    }

    @Test func clickingATabSelectsItsScreen() {
        var s = state()
        let areas = ConsoleLayout(size: s.size).tabAreas()
        _ = ConsoleReducer.reduce(&s, .click(x: areas[3].x + 1, y: areas[3].y))
        #expect(s.screen == .history)
        let action = Bindings.action(for: .mouse(MouseEvent(.press, x: areas[1].x, y: areas[1].y)), in: s)
        _ = ConsoleReducer.reduce(&s, action!)
        #expect(s.screen == .roles)
    }

    @Test func selectionStaysEmptyOnAnEmptyTable() {
        var s = state()
        _ = press([.down, .pageDown, .end], in: &s)
        #expect(s.table(TableKey(.pokes)).selection == nil)
        _ = press([.enter], in: &s)
        #expect(s.notice == Notice("nothing selected to open"))
    }

    @Test func everyKeyInTheTableIsBoundOnce() {
        let all = Bindings.keys.flatMap(\.keys)
        #expect(Set(all).count == all.count)
    }
}
