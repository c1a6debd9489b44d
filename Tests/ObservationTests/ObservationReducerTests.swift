import Config
import Connection
import Redis
import Testing
import Wire
@testable import Observation
@testable import Store

let session = SessionStore.Session(role: "syntop_reader", readOnly: true, statementTimeout: "2s", schemaVersion: 94,
                                   compatVersion: 84, backgroundUpdatesPending: 0, roleCanWrite: false, missingTables: [],
                                   warnings: [])

/// Hands each action to the observation, as a consumer's loop does; what it asks for.
@discardableResult
func observe(_ observation: inout Observation, _ actions: ObservationAction...) -> [ObservationEffect] {
    actions.flatMap { ObservationReducer.reduce(&observation, $0) }
}

func reads(_ effects: [ObservationEffect]) -> [DatabaseRead]? {
    effects.lazy.compactMap { if case .read(let reads) = $0 { reads } else { nil } }.first
}

/// The database's rounds: the session first on every connection, then the standing reads, the
/// alerts' and what the consumer looks at, one round at a time, every interval.
@Suite struct ReadRoundTests {
    let setup = ObservationSetup(database: "--db", reads: [.positions], roomAlerts: true, refreshSeconds: 5)

    @Test func theSessionFirstThenARoundThenTheNextAtTheInterval() {
        var observation = Observation()
        #expect(observe(&observation, .start(setup)).isEmpty)
        #expect(observation.database.status == .connecting(attempt: 1))
        #expect(observe(&observation, .connection(.postgres, .ready(since: 1))) == [.read([.session])])
        #expect(observe(&observation, .database(.session(Fetched(session, at: 1))), .databaseRoundFinished)
                    == [.read([.positions, .extremities(threshold: 10)])])
        #expect(observation.database.rounds == 0)
        let scheduled = observe(&observation, .databaseRoundFinished)
        #expect(observation.database.rounds == 1)
        guard case .schedule(.databaseRound(let generation), afterSeconds: 5)? = scheduled.first else {
            Issue.record("no next round: \(scheduled)")
            return
        }
        #expect(observe(&observation, .timer(.databaseRound(generation))) == [.read([.positions, .extremities(threshold: 10)])])
    }

    /// A shorter refresh takes effect at once: the round waiting for the old interval is stale.
    @Test func aNewIntervalReschedulesTheRoundWaiting() {
        var observation = Observation()
        observe(&observation, .start(setup), .connection(.postgres, .ready(since: 1)),
                .database(.session(Fetched(session, at: 1))), .databaseRoundFinished)
        guard case .schedule(.databaseRound(let waiting), afterSeconds: 5)? = observe(&observation, .databaseRoundFinished).first,
              case .schedule(.databaseRound(let next), afterSeconds: 2)? = observe(&observation, .refreshEvery(2)).first else {
            Issue.record("the new interval did not reschedule the round")
            return
        }
        #expect(observe(&observation, .timer(.databaseRound(waiting))).isEmpty)
        #expect(observe(&observation, .timer(.databaseRound(next))) == [.read([.positions, .extremities(threshold: 10)])])
    }

    @Test func whatTheConsumerWantsIsReadBesideTheStandingReadsOnce() {
        var observation = Observation()
        observe(&observation, .start(setup), .connection(.postgres, .ready(since: 1)),
                .database(.session(Fetched(session, at: 1))), .databaseRoundFinished, .databaseRoundFinished)
        observe(&observation, .want([.roles, .positions, .room("!r", reuse: nil)]))
        #expect(reads(observe(&observation, .readNow)) == [.positions, .extremities(threshold: 10), .roles, .room("!r", reuse: nil)])
    }

    /// A read asked for while a round runs comes right after it; a timer asked for before is stale.
    @Test func readNowDuringARoundFollowsItAndStaleTimersDoNothing() {
        var observation = Observation()
        observe(&observation, .start(setup), .connection(.postgres, .ready(since: 1)),
                .database(.session(Fetched(session, at: 1))), .databaseRoundFinished)
        let first = observe(&observation, .databaseRoundFinished)
        guard case .schedule(.databaseRound(let stale), _)? = first.first else {
            Issue.record("no next round")
            return
        }
        #expect(reads(observe(&observation, .readNow)) != nil)
        #expect(observe(&observation, .readNow).isEmpty)
        #expect(observe(&observation, .timer(.databaseRound(stale))).isEmpty)
        #expect(reads(observe(&observation, .databaseRoundFinished)) != nil)
    }

    @Test func aLostConnectionDropsTheRoundAndTheNextConnectionReadsTheSessionAgain() {
        var observation = Observation()
        observe(&observation, .start(setup), .connection(.postgres, .ready(since: 1)),
                .database(.session(Fetched(session, at: 1))), .databaseRoundFinished)
        #expect(observe(&observation, .connection(.postgres, .waiting(since: 2, retryAt: 3, error: "lost"))).isEmpty)
        #expect(observe(&observation, .databaseRoundFinished).isEmpty)
        #expect(observe(&observation, .readNow).isEmpty)
        #expect(observe(&observation, .connection(.postgres, .ready(since: 3))) == [.read([.session])])
    }

    /// A repeating consumer reads nothing of a schema syntop does not know; one that prints
    /// once reads what it was asked, and reads no more.
    @Test func anUnknownSchemaAndAConsumerThatReadsOnce() {
        var unknown = session
        unknown.schemaVersion = 200
        var observation = Observation()
        observe(&observation, .start(setup), .connection(.postgres, .ready(since: 1)), .database(.session(Fetched(unknown, at: 1))))
        #expect(reads(observe(&observation, .databaseRoundFinished)) == nil)
        var once = Observation()
        observe(&once, .start(ObservationSetup(database: "--db", reads: [.roles], repeating: false)),
                .connection(.postgres, .ready(since: 1)), .database(.session(Fetched(unknown, at: 1))))
        #expect(observe(&once, .databaseRoundFinished) == [.read([.roles])])
        #expect(observe(&once, .databaseRoundFinished).isEmpty)
        #expect(once.database.rounds == 1)
    }

    /// The session's warnings are told, each; its errors kept for the documents.
    @Test func theSessionsWarningsAreTold() {
        var warned = session
        warned.warnings = ["no grant on devices", "schema 95 is newer"]
        var observation = Observation()
        observe(&observation, .start(setup))
        #expect(observe(&observation, .database(.session(Fetched(warned, at: 1, errors: ["x"]))))
                    == [.tell(.sessionWarning("no grant on devices")), .tell(.sessionWarning("schema 95 is newer"))])
        #expect(observation.database.sessionErrors == ["x"])
    }
}

/// The processes' rounds: every configured process and Redis's count, then the next at the interval.
@Suite struct ProcessRoundTests {
    let config = ConfigLoader.parse([(file: "homeserver.yaml", text: """
        server_name: hs
        listeners: [{port: 8008, type: http, resources: [{names: [client]}]}]
        database: {name: psycopg2, args: {}}
        """)])

    @Test func roundsAtTheIntervalAndOnlyWhereAsked() {
        var observation = Observation()
        let setup = ObservationSetup(config: config, wire: .live(endpoint: "e", serverName: "hs", probe: false),
                                     refreshSeconds: 3, subscribers: ["hs", "hs/USER_IP"])
        let started = observe(&observation, .start(setup))
        guard case .askProcesses(let round)? = started.first else {
            Issue.record("no round: \(started)")
            return
        }
        #expect(round.probes.map(\.instance) == ["master"] && round.subscribers == ["hs", "hs/USER_IP"])
        #expect(observation.processRounds.running)
        let next = observe(&observation, .processRoundFinished)
        guard case .schedule(.processRound(let generation), afterSeconds: 3)? = next.first else {
            Issue.record("no next round: \(next)")
            return
        }
        #expect(observation.processRounds.finished == 1)
        #expect(observe(&observation, .timer(.processRound(generation))) == started)
        var quiet = Observation()
        var asked = setup
        asked.askProcesses = false
        #expect(observe(&quiet, .start(asked)).isEmpty)
    }

    /// Redis closed subscribers for their output buffer while syntop was lost: probably syntop.
    @Test func aDropForTheOutputBufferIsExplained() {
        var observation = Observation()
        observe(&observation, .start(ObservationSetup(wire: .live(endpoint: "e", serverName: "hs", probe: false))),
                .connection(.redis, .ready(since: 1)))
        var before = SubscriberCount(at: 10, channels: ["hs": 2])
        before.limitDisconnections = 4
        observe(&observation, .subscribersCounted(before), .connection(.redis, .waiting(since: 12, retryAt: 13, error: "closed")))
        var after = SubscriberCount(at: 14, channels: ["hs": 2])
        after.limitDisconnections = 5
        after.pubsubLimit = OutputBufferLimit(hard: 32 << 20, soft: 8 << 20, seconds: 60)
        let told = observe(&observation, .subscribersCounted(after))
        #expect(told == [.tell(.droppedForFallingBehind(limit: " (client-output-buffer-limit pubsub: 32M at once, 8.0M for 60 s)"))])
        #expect(told.first.map { if case .tell(let happening) = $0 { happening.text } else { "" } }
                    == "Redis probably dropped syntop's subscription for falling behind the traffic "
                    + "(client-output-buffer-limit pubsub: 32M at once, 8.0M for 60 s)")
        #expect(observation.wire.lastDisconnect?.explained == true)
    }
}

/// The replay: held, stepped, sped up, moved, and what its ticks ask for.
@Suite struct ReplayTests {
    let span = RecordingSpan(size: 100, first: 1, last: 9)

    @Test func aHeldReplayStopsTickingAndStepsOneMessage() {
        var observation = Observation()
        #expect(observe(&observation, .start(ObservationSetup(wire: .replay(file: "r", span: span, speed: .factor(1)))))
                    == [.startReplay])
        #expect(observe(&observation, .replayTick(clock: 5)) == [.feedReplay(ReplayFeed(until: 1, limit: ReplayCursor.chunk))])
        #expect(observe(&observation, .holdReplay(true)).isEmpty)
        #expect(observe(&observation, .replayTick(clock: 6)) == [.stopReplay])
        #expect(observe(&observation, .replayStep) == [.feedReplay(ReplayFeed(until: nil, limit: 1))])
        #expect(observe(&observation, .holdReplay(false)) == [.startReplay])
        #expect(observe(&observation, .replayFailed("gone")) == [.tell(.replayFailed("gone")), .stopReplay])
    }

    @Test func aSeekStartsTheWireAfresh() {
        var observation = Observation()
        observe(&observation, .start(ObservationSetup(wire: .replay(file: "r", span: span, speed: .max))),
                .replayed(ReplayBatch(lines: [ArraySlice(Array("2.0\ths\tPOSITION typing w 1 1".utf8))], position: 30,
                                      nextTime: 3, finished: false)))
        #expect(observation.wire.lines == 1)
        #expect(observe(&observation, .replaySought(time: 5, position: 60, nextTime: 5, finished: false)) == [.startReplay])
        #expect(observation.wire.lines == 0)
        guard case .replay(_, let cursor) = observation.source else {
            Issue.record("not a replay")
            return
        }
        #expect(cursor.position == 60 && cursor.shownTime == 5)
    }

    /// The clock: a replay's time is the recording's, the database's the wall clock.
    @Test func theClockOfAReplayAndOfALiveSource() {
        var replay = Observation()
        observe(&replay, .start(ObservationSetup(wire: .replay(file: "r", span: span, speed: .max))),
                .replayed(ReplayBatch(lines: [ArraySlice(Array("2.0\ths\tREPLICATE".utf8))], position: 30, nextTime: nil,
                                      finished: true)), .tick(clock: 5000))
        #expect(replay.now == 2 && replay.databaseNow == 5000)
        var live = Observation()
        observe(&live, .start(ObservationSetup(wire: .live(endpoint: "e", serverName: "hs", probe: true))), .tick(clock: 70))
        #expect(live.now == 70 && live.clock == nil && live.probe.allowed)
        #expect(observe(&live, .connection(.redis, .ready(since: 70))) == [.probe])
        #expect(observe(&live, .probeAnswered(at: 71, receivers: 3, error: nil))
                    == [.tell(.probePublished(receivers: 3))])
        #expect(live.probe.at == 71)
    }

    /// A start is a new deployment: nothing of the last one stays.
    @Test func aStartForgetsTheLastDeployment() {
        var observation = Observation()
        observe(&observation, .start(ObservationSetup(database: "a", wire: .live(endpoint: "e", serverName: "hs", probe: false))),
                .wire([WireMessage(channel: "hs", payload: ArraySlice(Array("POSITION events ep1 1 2".utf8)), time: 1)]))
        #expect(observation.wire.positions.count == 1)
        observe(&observation, .start(ObservationSetup(feeds: [])))
        #expect(observation.wire.positions.isEmpty && observation.database.display == nil)
        #expect(observation.wire.feeds.isEmpty && !observation.listened)
    }
}
