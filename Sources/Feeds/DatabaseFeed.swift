import Connection
import EventLoop
import Observation
import Postgres
import Store

/// The database as a source: one read-only connection, reconnected as the connection machine
/// says (through its driver), which runs the rounds of reads the observation asks for and hands
/// their answers back. It decides nothing about what to read, nor when.
final class DatabaseFeed {
    private let conninfo: String
    private let timeoutMS: Int
    private let retry: Bool
    private let loop: EventLoop
    private let now: () -> Double
    private let dispatch: (ObservationAction) -> Void
    /// Each statement's answer, as it comes.
    private let answered: () -> Void
    private lazy var driver = ConnectionDriver(
        loop: loop, now: now, connect: { [unowned self] in self.connect() }, close: { [unowned self] in self.close() },
        report: { [unowned self] status in self.reported(status) })
    private var connection: PGConnection?
    /// Counts the connections, so that a round's answers on a connection since closed are dropped.
    private var generation = 0

    /// `retry`: reconnect after a failure (the console, the exporter), or give up (the
    /// commands that print once).
    init(conninfo: String, timeoutMS: Int, retry: Bool, loop: EventLoop, now: @escaping () -> Double,
         dispatch: @escaping (ObservationAction) -> Void, answered: @escaping () -> Void = {}) {
        self.answered = answered
        self.conninfo = conninfo
        self.timeoutMS = timeoutMS
        self.retry = retry
        self.loop = loop
        self.now = now
        self.dispatch = dispatch
    }

    private func reported(_ status: ConnectionStatus) {
        // A command that prints once does not wait for a database that is down.
        if !retry, case .waiting = status { driver.handle(.stop) }
        dispatch(.connection(.postgres, status))
    }

    func start() { driver.handle(.start) }

    func stop() { driver.handle(.stop) }

    /// Runs one round: every read at once on the connection, each answer handed back as it
    /// comes, then the round's end.
    /// A round asked for on a connection lost meanwhile is dropped: the loss's status resets
    /// the observation's round.
    func read(_ reads: [DatabaseRead]) {
        guard let connection, connection.state == .ready else { return }
        let asked = generation
        var remaining = reads.count
        for read in reads {
            connection.run(read.plan, answered: answered) { [unowned self] updates, errors in
                guard asked == self.generation else { return }
                for update in updates(self.now(), errors) { self.dispatch(.database(update)) }
                remaining -= 1
                if remaining == 0 { self.dispatch(.databaseRoundFinished) }
            }
        }
    }

    private func connect() {
        let made = PGConnection(conninfo: conninfo, statementTimeoutMS: timeoutMS, loop: loop) { [unowned self] state in
            switch state {
            case .ready: self.driver.handle(.connected)
            case .failed(let error): self.driver.handle(.failed(error.message))
            case .connecting: break
            }
        }
        // A connection that failed at once has already said so, and the retry is scheduled.
        if case .failed = made.state { return }
        connection = made
    }

    private func close() {
        connection?.close()
        connection = nil
        generation += 1
    }
}
