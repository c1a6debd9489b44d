import Deployments
import EventLoop
import Feeds
import Foundation
import Observation
import Replication
import Store
import Wire

/// Why a command that prints once could not read what it needed; it says so on stderr and
/// exits 2.
struct SourceFailure: Error, CustomStringConvertible {
    var description: String
}

/// The pump of the commands that print once (`check` and the JSON commands): the observation
/// driven by the same sources and actions as the console's, one after the other as the command
/// needs them. The wire is listened to for its window (or a recording read whole) and then
/// closed; then the database is read (`check` reads it before the window too, to see what moved
/// during it) and the processes are asked, so that what they say is of the moment it prints.
final class Collect {
    private let deployment: Deployment
    /// What the sources said, to the end (also when `run` throws).
    private(set) var observation = Observation()
    private let loop = EventLoop()
    private var feeds: Feeds!
    private let listen: Double
    /// `check`: a round of reads before the window, and one after it.
    private let readBeforeListening: Bool
    private let askProcesses: Bool
    /// The database rounds to wait for.
    private var rounds = 1
    private var listened = false
    private var subscribed = false
    private var lastRedisError: String?
    /// The database's failure, and whether the window had passed by then.
    private(set) var databaseFailure: (String, afterListening: Bool)?
    private var lastAnswer: UInt64 = 0
    /// The positions the database held after the first round, before the window closed.
    private(set) var firstPositions: Fetched<[StreamPositionStore.Stream]>?
    private var processDeadline: UInt64?

    init(_ deployment: Deployment, listen: Double, readBeforeListening: Bool = false, askProcesses: Bool = false) {
        self.deployment = deployment
        self.listen = listen
        self.readBeforeListening = readBeforeListening
        self.askProcesses = askProcesses
    }

    /// Runs to the end. Throws `SourceFailure` where the wire could not be listened to or read
    /// (the database's failure is `databaseFailure`, which a JSON command throws and `check` reports).
    func run(_ setup: ObservationSetup) throws -> Observation {
        var setup = setup
        // The processes are asked when the window closes, not at the start.
        setup.askProcesses = false
        feeds = Feeds(deployment.sources(retryDatabase: false), loop: loop) { [unowned self] in self.dispatch($0) }
        feeds.onDatabaseProgress = { [unowned self] in self.lastAnswer = self.loop.now }
        dispatch(.start(setup))
        if case .replay = deployment.wire {
            do {
                try feeds.replayWhole(into: &observation)
            } catch {
                throw SourceFailure(description: "\(error)")
            }
        }
        let signals = try SignalPipe()
        loop.watch(fd: signals.readFD, events: { Int16(POLLIN) }) { [unowned self] _ in
            if signals.drain().contains(where: { $0 != SIGWINCH }) { self.loop.stop() }
        }
        lastAnswer = loop.now
        if readBeforeListening { feeds.startDatabase() }
        if case .live = deployment.wire {
            feeds.startWire()
            loop.schedule(after: Int(listen * 1000)) { [unowned self] in self.windowClosed() }
        } else {
            windowClosed()
        }
        // A database that stops answering is given its statement timeout and 10 s more.
        let patience = UInt64((deployment.database?.timeoutMS ?? 0) + 10_000) * 1_000_000
        loop.schedule(after: 250, repeating: 250) { [unowned self] in
            if let deadline = self.processDeadline, self.loop.now > deadline { self.processDeadline = 0 }
            if self.deployment.database != nil, self.databaseFailure == nil, !self.databaseDone,
               self.loop.now - self.lastAnswer > patience {
                self.databaseFailure = ("database: no answer in time", self.listened)
            }
            self.stopWhenDone()
        }
        if !loop.isStopped { loop.run() }
        feeds.stop()
        if case .live = deployment.wire, !subscribed {
            let endpoint = deployment.counted.map { "\($0.endpoint)" } ?? "?"
            throw SourceFailure(description: "Redis at \(endpoint): \(lastRedisError ?? "no subscription within \(listen) s")")
        }
        return observation
    }

    /// The window is over: the wire is closed and its time is now; the database is read (again,
    /// for `check`) and the processes asked.
    private func windowClosed() {
        feeds.stopWire()
        dispatch(.tick(clock: unixTime()))
        lastAnswer = loop.now
        if readBeforeListening {
            // A round that starts from here on: after the one under way, if any.
            rounds = observation.database.rounds + (observation.reads.running ? 2 : 1)
            dispatch(.readNow)
        } else {
            feeds.startDatabase()
        }
        if askProcesses {
            // Every process's listeners, 8 at a time with 2 s each, and Redis's count.
            let requests = observation.probes.reduce(0) { $0 + $1.health.count + ($1.metrics == nil ? 0 : 1) }
            processDeadline = loop.now + UInt64(2000 * ((requests + 7) / 8 + 1) + 2000) * 1_000_000
            dispatch(.askProcesses)
        }
        // Only now: what is waited for after the window is all asked for.
        listened = true
        stopWhenDone()
    }

    private var databaseDone: Bool {
        deployment.database == nil || databaseFailure != nil || observation.database.rounds >= rounds
    }

    private func stopWhenDone() {
        let processes = processDeadline == 0 || !observation.processRounds.running
        if listened && databaseDone && processes { loop.stop() }
    }

    private func dispatch(_ action: ObservationAction) {
        switch action {
        case .connection(.redis, .ready):
            subscribed = true
        case .connection(.redis, .waiting(_, _, let error)):
            lastRedisError = error
            // Never subscribed, nothing was lost: no gap to mark.
            if !subscribed { return }
        case .connection(.postgres, .waiting(_, _, let error)):
            databaseFailure = ("database: " + error, listened)
        case .database(let update):
            if case .positions(let positions) = update, firstPositions == nil { firstPositions = positions }
        default:
            break
        }
        for effect in ObservationReducer.reduce(&observation, action) {
            // A recording is read whole here, not played.
            if effect == .startReplay { continue }
            feeds.perform(effect)
        }
        stopWhenDone()
    }
}
