import Testing
import Terminal
@testable import Console
@testable import Observation
@testable import Store

@Suite struct RoomsScreenTests {
    func state() -> ConsoleState {
        var s = ConsoleState.connected(Size(width: 120, height: 40))
        s.observe(.tick(clock: 1000))
        return s
    }

    @Test func keyFiveOpensRoomsAndItsReadIsTheList() {
        var s = state()
        // The alerts' read runs whatever the screen.
        #expect(s.roundOf(.showScreen(.rooms)) == [.positions, .extremities(threshold: 10), .rooms(match: "")])
    }

    /// The list held is read again by what changed, from where its cursor says; a failed read,
    /// or another filter, reads it whole.
    @Test func theListHeldIsReadByWhatChanged() {
        var s = state()
        _ = s.roundOf(.showScreen(.rooms))
        var list = RoomStore.RoomList(match: "", rooms: [], roomsKnown: nil)
        list.cursor.newest = 50_000
        func raw(_ action: Action) -> [DatabaseRead] {
            let effects = ConsoleReducer.reduce(&s, action)
            s.observe(.databaseRoundFinished)
            return effects.lazy.compactMap { if case .observation(.read(let reads)) = $0 { reads } else { nil } }.first ?? []
        }
        s.observe(.database(.rooms(Fetched(list.marked(at: 1000), at: 1000))))
        #expect(raw(.observed(.readNow)).last == .roomsChanged(held: list.marked(at: 1000),
                                                              since: 50_000 - ChangeCursor.settleOrderings, now: 1000))
        s.observe(.database(.rooms(Fetched(list.marked(at: 1000), at: 1000, errors: ["canceling statement"]))))
        #expect(raw(.observed(.readNow)).last == .rooms(match: ""))
    }

    @Test func theFilterIsAskedOfTheDatabase() {
        var s = state()
        _ = s.roundOf(.showScreen(.rooms))
        _ = ConsoleReducer.reduce(&s, .beginInput(.filter))
        #expect(s.roundOf(.inputCharacter("x"))?.last == .rooms(match: "x"))
        _ = ConsoleReducer.reduce(&s, .submitInput)
        #expect(s.roundOf(.back)?.last == .rooms(match: ""))
        #expect(s.filter(.rooms).isEmpty)
    }

    @Test func roomCommandOpensOneAndKeepsItsDifferenceWhileTheExtremitiesStay() {
        var s = state()
        #expect(ConsoleReducer.runCommand(&s, "room nothing").isEmpty)
        #expect(s.notice?.level == .warning)
        #expect(reads(ConsoleReducer.runCommand(&s, "room !r:x"))?.last == .room("!r:x", reuse: nil))
        #expect(s.screen == .rooms && s.details[.rooms] == .room("!r:x"))
        let difference = AuthChainDifference.Result(method: .chainCover, stateSets: 2, events: 3, extremities: ["$a", "$b"])
        var data = DetailData(detail: .room("!r:x"))
        data.room = RoomDetailStore.RoomDetail(roomId: "!r:x", room: RoomStore.Room(roomId: "!r:x", forwardExtremities: 2),
                                              extremities: [], difference: difference, memberships: [], destinations: [])
        s.observe(.database(.detail(Fetched(data, at: 999))), .databaseRoundFinished)
        var stamped = difference
        stamped.computedAt = 999
        #expect(s.roundOf(.observed(.readNow))?.last == .room("!r:x", reuse: RoomDetailStore.Reuse(difference: stamped)))
        let panels = ScreenContent.view(s).panels
        #expect(panels.count == 4)
        #expect(panels[0].table.rows.first?.cells.last?.text == "3 events · chain cover index · 2 states")
    }

    /// A room's servers are held for its next reads, and read from its members again after
    /// ten minutes; their waiting pokes are held for seconds.
    @Test func aRoomsServersAreHeldForTenMinutes() {
        var s = state()
        _ = ConsoleReducer.runCommand(&s, "room !r:x")
        var data = DetailData(detail: .room("!r:x"))
        data.room = RoomDetailStore.RoomDetail(roomId: "!r:x", room: nil, extremities: [],
                                              difference: AuthChainDifference.Result(method: nil, stateSets: 1, extremities: []),
                                              memberships: [], destinations: [])
        data.room?.servers = ["a.example", "b.example"]
        data.room?.serversReadAt = 1000
        data.room?.pokesCountedAt = 1000
        s.observe(.database(.detail(Fetched(data, at: 1000))), .databaseRoundFinished)
        func reuse() -> RoomDetailStore.Reuse? {
            for case .room(_, let reuse?) in s.roundOf(.observed(.readNow)) ?? [] { return reuse }
            return nil
        }
        // Their pokes are kept for a few seconds, the servers for ten minutes.
        #expect(reuse()?.servers == ["a.example", "b.example"] && reuse()?.destinations == [])
        s.observe(.tick(clock: 1000 + RoomDetailStore.pokesRecountSeconds))
        #expect(reuse()?.servers == ["a.example", "b.example"] && reuse()?.destinations == nil)
        s.observe(.tick(clock: 1000 + RoomDetailStore.serversRereadSeconds))
        #expect(reuse()?.servers == nil)
    }

    @Test func aFailedDifferenceIsTriedAgainLaterAndTheAlertsReadOnceAMinute() {
        var s = state()
        _ = ConsoleReducer.runCommand(&s, "room !r:x")
        let failed = AuthChainDifference.Result(method: .chainCover, stateSets: 2, note: "the statement timeout",
                                                extremities: ["$a", "$b"], failed: true)
        var data = DetailData(detail: .room("!r:x"))
        data.room = RoomDetailStore.RoomDetail(roomId: "!r:x", room: nil, extremities: [], difference: failed,
                                              memberships: [], destinations: [])
        s.observe(.database(.detail(Fetched(data, at: 1000))), .database(.extremities(Fetched(RoomStore.OverExtremities(rooms: [], threshold: 10, limit: 50), at: 1000))),
                  .databaseRoundFinished, .tick(clock: 1030))
        let early = s.roundOf(.observed(.readNow)) ?? []
        #expect(early.contains { if case .room(_, .some) = $0 { true } else { false } })
        #expect(!early.contains(.extremities(threshold: 10)))
        s.observe(.tick(clock: 1000 + retryFailedAfter))
        let later = s.roundOf(.observed(.readNow)) ?? []
        #expect(later.contains(.room("!r:x", reuse: RoomDetailStore.Reuse(difference: nil))))
        #expect(later.contains(.extremities(threshold: 10)))
        // The list is not read while a room's drill-down takes its place.
        #expect(!later.contains(.rooms(match: "")))
    }

    @Test func theWorstRoomsComeFirstAndAreMarked() {
        var s = state()
        _ = ConsoleReducer.reduce(&s, .showScreen(.rooms))
        s.observe(.database(.rooms(Fetched(RoomStore.RoomList(match: "", rooms: [
            RoomStore.Room(roomId: "!bad:x", name: "Bad", forwardExtremities: 60, joinedMembers: 10, localMembers: 2),
            RoomStore.Room(roomId: "!ok:x", forwardExtremities: 1, joinedMembers: 5000, localMembers: 5000, serverInRoom: false),
        ], roomsKnown: 200_000), at: 999))))
        let table = ScreenContent.view(s).panels[0].table
        #expect(table.rows.map(\.tag) == ["!bad:x", "!ok:x"])
        #expect(table.rows[0].element == .crit && table.rows[1].element == .normal)
        #expect(table.rows[0].cells[1].text == "Bad · !bad:x" && table.rows[1].cells[8].text == "left")
        #expect(ScreenContent.view(s).panels[0].title.contains("2 of about 200000 rooms"))
    }

    @Test func roomsOverTheThresholdsAreAlerts() {
        var thresholds = AlertThresholds()
        let rooms = [RoomStore.Extremities(roomId: "!a", name: "A", forwardExtremities: 55),
                     RoomStore.Extremities(roomId: "!b", name: nil, forwardExtremities: 12),
                     RoomStore.Extremities(roomId: "!c", name: nil, forwardExtremities: 3)]
        let alerts = Alerts.extremityAlerts(rooms, thresholds: thresholds)
        #expect(alerts.map(\.level) == [.critical, .warning])
        #expect(alerts[0].message.hasPrefix("55 forward extremities (A)"))
        thresholds.extremitiesWarning = 2
        #expect(Alerts.extremityAlerts(rooms, thresholds: thresholds).count == 3)
    }

    @Test func fourPanelsShareTheBody() {
        let layout = ConsoleLayout(size: Size(width: 120, height: 40))
        let frames = layout.panels(count: 4)
        #expect(frames.map(\.height).reduce(0, +) == layout.body.height)
        #expect(frames.map(\.height).max()! - frames.map(\.height).min()! <= 1)
        // The smallest console still gets a frame for each, inside its body.
        let small = ConsoleLayout(size: ConsoleLayout.minimum)
        let thin = small.panels(count: 4)
        #expect(thin.count == 4 && thin.map(\.height).reduce(0, +) == small.body.height)
    }
}
