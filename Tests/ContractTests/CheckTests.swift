import Contract
import SnapshotSupport
@testable import Store
import Observation
import Testing
import Wire

/// `check`'s verdict: its lines and exit status, from an observation as its pump leaves it.
@Suite struct CheckTests {
    func stack() throws -> Observation { try DocumentSnapshotTests().stack(feeds: []) }

    @Test func aRecordingBesideTheDatabase() throws {
        let verdict = CheckVerdict(try stack(), before: [:], failures: .init(), settingsProblems: [], listenSeconds: 10,
                                   replay: true)
        #expect(verdict.exitStatus == 0)
        expectSnapshot(verdict.lines.joined(separator: "\n") + "\n", named: "check-replay.txt")
    }

    /// Live, a writer whose database position moved while the wire said nothing is critical.
    @Test func aStallWhileListeningIsCritical() throws {
        var observation = Observation()
        observe(&observation, .start(ObservationSetup(database: "--db", wire: .live(endpoint: "127.0.0.1:6379", serverName: "hs",
                                                                                     probe: false))),
                .connection(.redis, .ready(since: 100)),
                .wire([WireMessage(channel: "hs", payload: ArraySlice(Array("POSITION events ep1 5 5".utf8)), time: 101)]),
                .connection(.postgres, .ready(since: 100)),
                .database(.positions(Fetched([StreamPositionStore.Stream(stream: "events", writers: [.init(instance: "ep1", streamId: 9)])],
                                             at: 112))),
                .databaseRoundFinished, .tick(clock: 112))
        let verdict = CheckVerdict(observation, before: [WriterKey("events", "ep1"): 5], failures: .init(), settingsProblems: [],
                                   listenSeconds: 10, replay: false)
        #expect(verdict.exitStatus == 2)
        #expect(verdict.lines == [
            "SYNTOP CRITICAL - 1 critical, 0 warning | critical=1 warning=0 writers=1 lines=1 rooms_over_extremities=0 processes_down=0",
            "CRITICAL events/ep1: stalled: the database moved 5 -> 9 while the wire said nothing of it",
        ])
    }

    /// What could not be read is said once, in check's own words, and nothing else claims it.
    @Test func whatCouldNotBeReadIsAFindingOfItsOwn() {
        var observation = Observation()
        observe(&observation, .start(ObservationSetup(database: "--db")),
                .connection(.postgres, .waiting(since: 1, retryAt: 2, error: "connection refused")), .tick(clock: 2))
        let verdict = CheckVerdict(observation, before: [:],
                                   failures: .init(database: "database: connection refused", wire: "Redis at 127.0.0.1:1: refused"),
                                   settingsProblems: ["~/.config/syntop/config.yaml:3: refresh: not a number"],
                                   listenSeconds: 10, replay: false)
        #expect(verdict.exitStatus == 2)
        #expect(verdict.lines == [
            "SYNTOP CRITICAL - 2 critical, 1 warning | critical=2 warning=1 writers=0 lines=0 rooms_over_extremities=0 processes_down=0",
            "CRITICAL postgres: database: connection refused",
            "CRITICAL redis: Redis at 127.0.0.1:1: refused",
            "WARNING config: ~/.config/syntop/config.yaml:3: refresh: not a number",
        ])
        var quiet = Observation()
        observe(&quiet, .start(ObservationSetup()), .tick(clock: 2))
        let ok = CheckVerdict(quiet, before: [:], failures: .init(), settingsProblems: [], listenSeconds: 10, replay: false)
        #expect(ok.exitStatus == 0)
        #expect(ok.lines == ["SYNTOP OK - no findings (no wire, no database) | critical=0 warning=0 writers=0 lines=0 "
                             + "rooms_over_extremities=0 processes_down=0"])
    }
}
