import Config
import Foundation
@testable import Store
import Terminal
import Testing
import Wire
@testable import Console
@testable import Observation

/// What `syntop ... --json` printed against the real stack (Tests/Fixtures/database), read
/// back into the console's database state. The fixtures were taken during an outage of hs2,
/// right after `hs1-beside-database.rec` was recorded.
let databaseFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../Fixtures/database").standardizedFileURL

func fixture<T: Decodable>(_ name: String, _ type: T.Type) throws -> T {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(T.self, from: Data(contentsOf: databaseFixtures.appendingPathComponent(name)))
}

struct PokesFixture: Decodable {
    struct Side: Decodable {
        var destinations: [DeviceListStore.Destination]
        var conversion: DeviceListStore.Conversion
        var session: SessionStore.Session
    }
    var database: Side
}

struct PositionsFixture: Decodable {
    struct Side: Decodable { var streams: [StreamPositionStore.Stream] }
    var database: Side
}

struct RolesFixture: Decodable {
    struct Side: Decodable { var instances: [RoleStore.Instance] }
    var database: Side
}

struct HistoryFixture: Decodable {
    var user: String
    var history: [MembershipStore.Event]
    var current: [MembershipStore.Current]
}

/// The recording beside the database as it was, at the recording's last moment.
func stackState(size: Size = Size(width: 120, height: 40), thresholds: AlertThresholds = AlertThresholds()) throws -> ConsoleState {
    var state = try replayedState("hs1-beside-database.rec", size: size, config: stackConfig(), database: "--db",
                                  thresholds: thresholds)
    let at = state.now
    let pokes = try fixture("pokes.json", PokesFixture.self).database
    state.observe(.connection(.postgres, .ready(since: at - 60)), .database(.session(Fetched(pokes.session, at: at))),
                  .databaseRoundFinished,
                  .database(.pokes(Fetched(DeviceListStore.Pokes(destinations: pokes.destinations, conversion: pokes.conversion),
                                           at: at))),
                  .database(.positions(Fetched(try fixture("positions.json", PositionsFixture.self).database.streams, at: at))),
                  .database(.roles(Fetched(try fixture("roles.json", RolesFixture.self).database.instances, at: at))),
                  .databaseRoundFinished)
    return state
}

func withHistory(_ state: inout ConsoleState, _ file: String) throws {
    let history = try fixture(file, HistoryFixture.self)
    _ = ConsoleReducer.runCommand(&state, "user " + history.user)
    state.observe(.database(.history(Fetched(MembershipStore.Page(user: history.user, before: nil, events: history.history,
                                                                  current: history.current, nextBefore: 1), at: state.now))),
                  .databaseRoundFinished)
}

@Suite struct DatabaseScreenTests {
    @Test func pokesShowTheDestinationThatIsDown() throws {
        let state = try stackState()
        let screen = ConsoleView.render(state)
        let text = screen.text()
        expectSnapshot(screen, named: "pokes-database-120x40")
        let row = try #require(text.split(separator: "\n").first { $0.contains("127.0.0.1:52695") })
        #expect(row.contains(" 55 "))
        #expect(row.contains("down since 2026-11-27"))
        #expect(text.contains("postgres: syntop_reader read-only, data 0s"))
        #expect(text.contains("0 room change(s) not yet converted"))
    }

    @Test func positionsPutTheDatabaseBesideTheWire() throws {
        var state = try stackState()
        state.screen = .positions
        let screen = ConsoleView.render(state)
        let text = screen.text()
        expectSnapshot(screen, named: "positions-database-120x40")
        let account = try #require(text.split(separator: "\n").first { $0.contains("account_data") && $0.contains("master") })
        // The wire's position, its age, the database's, their difference and the stream's
        // maximum, each read from its own source.
        let wire = try #require(state.wire.positions[WriterKey("account_data", "master")]?.token)
        let stored = try #require(state.database.storedPositions[WriterKey("account_data", "master")])
        let maximum = try #require(state.database.streamMaxima["account_data"])
        let cells = account.split(separator: " ").dropFirst(3).prefix(5).map(String.init)
        #expect(cells == [String(wire), "0s", String(stored), String(stored - wire), String(maximum)], "\(account)")
    }

    /// At 140 columns the short columns are whole, and the flags (read first) get the most room.
    @Test func rolesColumnsTakeWhatTheirContentNeeds() throws {
        var state = try stackState(size: Size(width: 140, height: 40))
        state.screen = .roles
        let screen = ConsoleView.render(state)
        let text = screen.text()
        expectSnapshot(screen, named: "roles-database-140x40")
        let lines = text.split(separator: "\n")
        let master = try #require(lines.first { $0.contains("│master ") })
        #expect(master.contains("main, pusher, appservice"))
        #expect(master.contains("as configured") && master.contains("positions ok"))
        #expect(lines.contains { $0.contains("not seen on the wire (idle, or not runn") })
        // Enter on master: the role and every flag, whole.
        _ = ConsoleReducer.reduce(&state, .moveToTop)
        _ = ConsoleReducer.reduce(&state, .drillDown)
        #expect(state.details[.roles] == .process("master"))
        // The first stream is selected, below the role and the flags: Enter opens it.
        let table = try #require(ScreenContent.focusedPanel(&state)?.table)
        #expect(table.selection.map { table.rows[$0].tag } == "account_data")
        // (No snapshot: the title names the config file by its absolute path.)
        let detail = ConsoleView.render(state).text()
        // Read as words, across wrapped lines and the frame.
        let words = detail.split(whereSeparator: { " │\n".contains($0) }).joined(separator: " ")
        let role = try #require(state.config?.processes.first { $0.instance == "master" })
        #expect(words.contains((["main"] + role.duties).joined(separator: ", ")))
        let flags = RolesScreen.processRoles(state).first { $0.instance == "master" }?.flags ?? []
        #expect(!flags.isEmpty)
        for flag in flags { #expect(words.contains(flag.message), "\(flag.message)") }
    }

    /// A replay is old, the database is live: its ages and retries go by the wall clock.
    @Test func aReplayBesideALiveDatabase() throws {
        var state = try stackState()
        let clock = state.now + 4 * 86_400
        state.observe(.tick(clock: clock), .connection(.postgres, .waiting(since: clock - 3, retryAt: clock + 4,
                                                                          error: "Connection refused")))
        let text = ConsoleView.render(state).text()
        #expect(text.contains("retry in 4s"), "\(text.split(separator: "\n")[0])")
        // The data was read at the replay's time (the fixture's), four days before the clock.
        #expect(text.contains("data 4d old"))
    }

    @Test func rolesShowWhatTheDatabaseHolds() throws {
        var state = try stackState(size: Size(width: 200, height: 40))
        state.screen = .roles
        let text = ConsoleView.render(state).text()
        let sender = try #require(text.split(separator: "\n").first { $0.contains("federation_sender1") })
        #expect(sender.contains("federation"))
        #expect(!text.contains("only in the database"))
    }

    @Test func historyShowsTheBanAndTheRejoin() throws {
        var state = try stackState()
        try withHistory(&state, "history-kicked.json")
        let screen = ConsoleView.render(state)
        let text = screen.text()
        expectSnapshot(screen, named: "history-kicked-120x40")
        let changes = text.split(separator: "\n").filter { $0.contains("general") && $0.contains("2026-") }
        // Newest first: join, the invite before it, the unban, the ban with its reason.
        let ban = try #require(changes.firstIndex { $0.contains(" ban ") && $0.contains("traffic ban") })
        #expect(ban == 3)
        #expect(changes[2].contains("unban") && changes[1].contains("invite") && changes[0].contains("join"))
        #expect(changes[0].contains("self") && changes[2].contains("@alice:test.local:46669"))
        #expect(text.contains("(] older)"))
    }

    @Test func historyMarksRoomsTheServerLeft() throws {
        var state = try stackState()
        try withHistory(&state, "history-leaver.json")
        let screen = ConsoleView.render(state)
        let text = screen.text()
        expectSnapshot(screen, named: "history-leaver-120x40")
        let leave = try #require(text.split(separator: "\n").first { $0.contains("hs2 lounge") && $0.contains("2026-") })
        #expect(leave.contains(" left ") && leave.contains("leave"))
        #expect(text.contains("left the room"))
    }

    @Test func enterOpensADestinationAndEscComesBack() throws {
        var state = try stackState()
        _ = ConsoleReducer.reduce(&state, .switchPanel)
        _ = ConsoleReducer.reduce(&state, .moveSelection(1))
        #expect(state.roundOf(.drillDown) == [.positions, .extremities(threshold: 10), .pokes, .destinationUsers("127.0.0.1:52695")])
        #expect(state.details[.pokes] == .destination("127.0.0.1:52695"))
        var data = DetailData(detail: .destination("127.0.0.1:52695"))
        data.destinationUsers = [DeviceListStore.UserPokes(userId: "@carol:test.local:46669", pokes: 20,
                                                           oldestAt: state.now - 90, newestStreamId: 900)]
        state.observe(.database(.detail(Fetched(data, at: state.now))))
        let text = ConsoleView.render(state).text()
        #expect(text.contains("Waiting pokes for 127.0.0.1:52695 by user"))
        #expect(text.contains("@carol:test.local:46669"))
        #expect(text.contains("down since"))
        // The list opened with its first row selected: a second Enter goes one level further,
        // with no arrow key between. Esc closes the drill-down.
        #expect(ScreenContent.view(state).panels.first?.table.selection == 0)
        #expect(state.roundOf(.drillDown)?.last == .userDevices("@carol:test.local:46669"))
        #expect(state.details[.pokes] == .user("@carol:test.local:46669"))
        _ = ConsoleReducer.reduce(&state, .back)
        #expect(state.details[.pokes] == nil)
    }

    /// Enter on a membership opens all its fields; `y` copies the selected one, the event ID first.
    @Test func aMembershipOpensWithItsEventID() throws {
        var state = try stackState()
        try withHistory(&state, "history-kicked.json")
        var page = try #require(state.database.history?.value)
        for index in page.events.indices {
            page.events[index].eventId = "$event\(index):test.local"
            page.events[index].roomVersion = "10"
        }
        state.observe(.database(.history(Fetched(page, at: state.now))))
        let ban = try #require(page.events.firstIndex { $0.change == "ban" })
        _ = ConsoleReducer.reduce(&state, .moveToTop)
        _ = ConsoleReducer.reduce(&state, .moveSelection(ban))
        #expect(ConsoleReducer.reduce(&state, .copySelection) == [.copyToClipboard("$event\(ban):test.local")])
        #expect(reads(ConsoleReducer.reduce(&state, .drillDown)) != nil)
        #expect(state.details[.history] == .membership("$event\(ban):test.local"))
        let text = ConsoleView.render(state).text()
        let lines = text.split(separator: "\n")
        #expect(lines.contains { $0.contains("Event ID") && $0.contains("$event\(ban):test.local") })
        #expect(lines.contains { $0.contains("Kind") && $0.contains("membership change: ban") })
        #expect(lines.contains { $0.contains("Reason") && $0.contains("traffic ban") })
        #expect(lines.contains { $0.contains("Room version") && $0.contains("10") })
        #expect(lines.contains { $0.contains("Sender") && $0.contains("@alice:") })
        // The first row (the event ID) is selected on opening: `y` copies it at once.
        #expect(ConsoleReducer.reduce(&state, .copySelection) == [.copyToClipboard("$event\(ban):test.local")])
        _ = ConsoleReducer.reduce(&state, .moveSelection(1))
        #expect(ConsoleReducer.reduce(&state, .copySelection).isEmpty)
        #expect(state.notice?.text == "this row has no ID to copy")
        _ = ConsoleReducer.reduce(&state, .back)
        #expect(state.details[.history] == nil && state.historyUser != nil)
    }

    @Test func theCachesStreamShowsInvalidationsPerFunction() throws {
        var state = try stackState()
        state.screen = .positions
        state.details[.positions] = .stream("caches")
        let text = ConsoleView.render(state).text()
        #expect(text.contains("Cache invalidations per cache function"))
        let stats = state.wire.caches.max { $0.value.invalidations < $1.value.invalidations }!
        #expect(text.contains(stats.key))
    }

    @Test func theEventsStreamShowsRedactionsAsSuch() throws {
        var state = ConsoleState(size: Size(width: 160, height: 30))
        state.observation.wire.ingest(Array(#"RDATA events event_persister1 10 ["ev",["$a","!r","m.room.redaction",null,"$t",null,null,false,false]]"#.utf8),
                          channel: "hs", at: 100)
        state.observation.wire.ingest(Array(#"RDATA events event_persister1 11 ["ev",["$b","!r","m.room.redaction",null,null,null,null,false,false]]"#.utf8),
                          channel: "hs", at: 101)
        state.observation.source = .replay(file: "x", cursor: ReplayCursor(span: span(), speed: .max))
        state.screen = .positions
        state.details[.positions] = .stream("events")
        state.observation.now = 102
        let text = ConsoleView.render(state).text()
        #expect(text.contains("redacts $t"))
        #expect(text.contains("redaction without a target"))
    }

    @Test func theProcessDetailListsItsStreamsAndLocks() throws {
        var state = try stackState()
        state.screen = .roles
        state.details[.roles] = .process("stream_writer1")
        let text = ConsoleView.render(state).text()
        #expect(text.contains("Streams of stream_writer1"))
        for stream in ["receipts", "to_device", "typing"] { #expect(text.contains("│\(stream) ")) }
    }

    @Test func anUnknownSchemaShowsNoFigures() throws {
        var state = try stackState()
        var session = try #require(state.database.session)
        session.schemaVersion = 120
        state.observe(.database(.session(Fetched(session, at: state.now))))
        // No read of it: the round has nothing to ask.
        #expect(reads(ConsoleReducer.reduce(&state, .showScreen(.history))) == nil)
        let text = ConsoleView.render(state).text()
        #expect(text.contains("Synapse schema 120 is one syntop does not know (84-94): no figures shown."))
    }
}
