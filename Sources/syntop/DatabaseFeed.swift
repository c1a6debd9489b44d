import Connection
import Console
import EventLoop
import Postgres
import Store

/// Keeps the console's database side fresh: one read-only connection, reconnected as the
/// connection machine says (through its driver); every refresh interval (and at once when the screen asks) it runs
/// the stores' reads the current screen needs, one round at a time.
final class DatabaseFeed {
    private let conninfo: String
    private let timeoutMS: Int
    private let loop: EventLoop
    private let now: () -> Double
    /// What the screen needs now, read from the console state at each round.
    private let request: () -> (DatabaseRequest, Double)
    private let onStatus: (ConnectionStatus) -> Void
    private let deliver: (DatabaseUpdate) -> Void
    private lazy var driver = ConnectionDriver(
        loop: loop, now: now, connect: { [unowned self] in self.connect() }, close: { [unowned self] in self.close() },
        report: { [unowned self] status in self.onStatus(status) })
    private var connection: PGConnection?
    private var roundRunning = false
    private var roundWanted = false
    private var refreshTimer: EventLoop.TimerID?

    init(conninfo: String, timeoutMS: Int, loop: EventLoop, now: @escaping () -> Double,
         request: @escaping () -> (DatabaseRequest, Double), onStatus: @escaping (ConnectionStatus) -> Void,
         deliver: @escaping (DatabaseUpdate) -> Void) {
        self.conninfo = conninfo
        self.timeoutMS = timeoutMS
        self.loop = loop
        self.now = now
        self.request = request
        self.onStatus = onStatus
        self.deliver = deliver
    }

    func start() { driver.handle(.start) }

    func stop() { driver.handle(.stop) }

    /// Reads now (or right after the round under way).
    func refresh() {
        guard connection?.state == .ready else { return }
        if roundRunning {
            roundWanted = true
            return
        }
        runRound()
    }

    private func connect() {
        let made = PGConnection(conninfo: conninfo, statementTimeoutMS: timeoutMS, loop: loop) { [unowned self] state in
            switch state {
            case .ready:
                self.driver.handle(.connected)
                self.readSession()
            case .failed(let error):
                self.driver.handle(.failed(error.message))
            case .connecting:
                break
            }
        }
        // A connection that failed at once has already said so, and the retry is scheduled.
        if case .failed = made.state { return }
        connection = made
    }

    private func close() {
        connection?.close()
        connection = nil
        roundRunning = false
        if let refreshTimer { loop.cancel(refreshTimer) }
        refreshTimer = nil
    }

    private func readSession() {
        connection?.run(SessionStore.read) { [unowned self] session, _ in
            self.deliver(.session(session))
            // The first round waits for the session: an unknown schema is read no further.
            self.refresh()
        }
    }

    /// One round: every read the screen needs, then the next round after the refresh interval.
    private func runRound() {
        let (wanted, interval) = request()
        guard let connection, !wanted.reads.isEmpty else {
            scheduleNext(interval)
            return
        }
        roundRunning = true
        var remaining = wanted.reads.count
        for read in wanted.reads {
            connection.run(read.plan) { [unowned self] update, errors in
                self.deliver(update(self.now(), errors))
                remaining -= 1
                guard remaining == 0, self.roundRunning else { return }
                self.roundRunning = false
                self.scheduleNext(interval)
                if self.roundWanted {
                    self.roundWanted = false
                    self.refresh()
                }
            }
        }
    }

    private func scheduleNext(_ interval: Double) {
        if let refreshTimer { loop.cancel(refreshTimer) }
        refreshTimer = loop.schedule(after: Int(interval * 1000)) { [unowned self] in
            self.refreshTimer = nil
            self.refresh()
        }
    }
}
