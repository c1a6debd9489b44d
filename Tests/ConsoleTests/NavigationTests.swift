import Terminal
import Testing
@testable import Console
@testable import Observation
@testable import Store

/// Drill-downs, panels, History's user pick and paging: what the keys do and what they ask
/// the database for.
@Suite struct NavigationTests {
    func state() -> ConsoleState { .connected(Size(width: 120, height: 40)) }

    @Test func historyListsUsersUntilOneIsPicked() {
        var s = state()
        #expect(s.roundOf(.showScreen(.history)) == [.positions, .extremities(threshold: 10), .users(prefix: "@")])
        _ = ConsoleReducer.reduce(&s, .beginInput(.filter))
        // The @ every user ID starts with may be left out.
        #expect(s.roundOf(.inputCharacter("k")) == [.positions, .extremities(threshold: 10), .users(prefix: "@k")])
        _ = ConsoleReducer.reduce(&s, .submitInput)
        s.observe(.database(.users(Fetched(UserMatches(prefix: "@k", matches: [UserStore.Match(userId: "@kicked:hs", local: true)]),
                                           at: 0))))
        _ = ConsoleReducer.reduce(&s, .moveSelection(1))
        #expect(s.roundOf(.drillDown) == [.positions, .extremities(threshold: 10), .history(user: "@kicked:hs", before: nil)])
        #expect(s.historyUser == "@kicked:hs")
        #expect(s.filter(.history) == "")
        _ = ConsoleReducer.reduce(&s, .back)
        #expect(s.historyUser == nil)
    }

    @Test func theUserCommandOpensAHistoryOrAPrefix() {
        var s = state()
        #expect(reads(ConsoleReducer.runCommand(&s, "user @alice:example.com"))?.last == .history(user: "@alice:example.com", before: nil))
        #expect(s.screen == .history && s.historyUser == "@alice:example.com")
        _ = ConsoleReducer.runCommand(&s, "user ali")
        #expect(s.historyUser == nil && s.historyPrefix == "@ali")
        _ = ConsoleReducer.runCommand(&s, "user")
        #expect(s.notice?.level == .warning)
    }

    @Test func pagesGoOlderAndBackNewer() {
        var s = state()
        _ = ConsoleReducer.runCommand(&s, "user @a:hs")
        #expect(ConsoleReducer.reduce(&s, .olderPage).isEmpty)
        #expect(s.notice?.text == "no older membership events")
        s.observe(.databaseRoundFinished,
                  .database(.history(Fetched(MembershipStore.Page(user: "@a:hs", before: nil, events: [], current: [],
                                                                  nextBefore: 500), at: 0))))
        #expect(s.roundOf(.olderPage)?.last == .history(user: "@a:hs", before: 500))
        // The page on hand is for another `before`: no second jump until the new page is read.
        #expect(ConsoleReducer.reduce(&s, .olderPage).isEmpty)
        #expect(s.roundOf(.newerPage)?.last == .history(user: "@a:hs", before: nil))
        #expect(s.historyPages.isEmpty)
        #expect(ConsoleReducer.reduce(&s, .newerPage).isEmpty)
    }

    @Test func wMovesBetweenPanelsAndEachKeepsItsSelection() throws {
        var s = try stackState()
        // From the first row, selected from the start.
        _ = ConsoleReducer.reduce(&s, .moveSelection(1))
        _ = ConsoleReducer.reduce(&s, .moveSelection(1))
        _ = ConsoleReducer.reduce(&s, .switchPanel)
        #expect(s.focusedKey == TableKey(.pokes, panel: 1))
        _ = ConsoleReducer.reduce(&s, .moveSelection(1))
        #expect(s.table(TableKey(.pokes, panel: 1)).selection == 0)
        #expect(s.table(TableKey(.pokes)).selection == 2)
        _ = ConsoleReducer.reduce(&s, .switchPanel)
        #expect(s.focusedKey == TableKey(.pokes))
        _ = ConsoleReducer.reduce(&s, .showScreen(.positions))
        _ = ConsoleReducer.reduce(&s, .switchPanel)
        #expect(s.notice?.text == "this screen has one panel")
    }

    @Test func clickingTheLowerPanelFocusesIt() throws {
        var s = try stackState()
        let area = ConsoleView.tableArea(s, panel: 1, of: 2)
        _ = ConsoleReducer.reduce(&s, .click(x: area.x + 2, y: area.y + 1))
        #expect(s.focusedKey.panel == 1)
        #expect(s.table(TableKey(.pokes, panel: 1)).selection == 0)
    }

    @Test func enterOnAStreamOpensItsDetailAndEscClosesIt() throws {
        var s = try stackState()
        _ = ConsoleReducer.reduce(&s, .showScreen(.positions))
        // The first row is selected from the start: Enter opens it, no arrow key needed.
        _ = ConsoleReducer.reduce(&s, .drillDown)
        #expect(s.details[.positions] == .stream("account_data"))
        #expect(s.observation.reads.wanted.isEmpty)
        _ = ConsoleReducer.reduce(&s, .back)
        #expect(s.details[.positions] == nil)
    }

    @Test func dateTimesInTheLocalZone() {
        #expect(TimeText.dateTime(0, utcOffset: 0) == "1970-01-01 00:00")
        #expect(TimeText.dateTime(1_795_819_942, utcOffset: 0) == "2026-11-27 22:52")
        #expect(TimeText.dateTime(1_795_819_942, utcOffset: 3600) == "2026-11-27 23:52")
        #expect(TimeText.dateTime(951_782_400, utcOffset: 0) == "2000-02-29 00:00")
        #expect(TimeText.dateTime(-1, utcOffset: 0) == "1969-12-31 23:59")
        #expect(TimeText.dateTime(.nan, utcOffset: 0) == "----------")
    }
}
