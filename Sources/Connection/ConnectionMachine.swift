/// How one of syntop's sources (Redis, PostgreSQL) is doing, as the header shows it.
public enum ConnectionStatus: Equatable, Sendable {
    case connecting(attempt: Int)
    /// Connected (for Redis: subscribed to every channel) since then.
    case ready(since: Double)
    /// Lost or refused since `since`; the next attempt is at `retryAt`.
    case waiting(since: Double, retryAt: Double, error: String)

    public var isReady: Bool {
        if case .ready = self { true } else { false }
    }
}

/// The reconnect rules every source shares, as a value: events in, actions out, no socket and
/// no timer inside. The adapter performs the actions; the console learns the status.
public struct ConnectionMachine: Equatable, Sendable {
    /// Seconds before attempt n + 1 after n failures in a row: quick at first, then no more
    /// often than every 30 s, so a server that is down is not hammered.
    public static let backoff: [Double] = [0.5, 1, 2, 4, 8, 15, 30]

    public enum Event: Equatable, Sendable {
        case start
        /// The connection is up (for Redis: every SUBSCRIBE acknowledged).
        case connected
        /// It failed or was lost, with what to tell the operator (never a secret).
        case failed(String)
        /// The retry timer asked for earlier has fired.
        case retryDue
        case stop
    }

    public enum Action: Equatable, Sendable {
        /// Open a connection now.
        case connect
        /// Close what is open, if anything.
        case close
        case scheduleRetry(afterSeconds: Double)
        case cancelRetry
        case report(ConnectionStatus)
    }

    public private(set) var status: ConnectionStatus = .connecting(attempt: 1)
    /// Failures since the source was last up: what the backoff and the attempt number count.
    private var failures = 0
    private var failedSince: Double?
    private var running = false
    private var retryPending = false

    public init() {}

    public mutating func handle(_ event: Event, at time: Double) -> [Action] {
        switch event {
        case .start:
            guard !running else { return [] }
            running = true
            return attemptNow()
        case .connected:
            guard running else { return [.close] }
            failures = 0
            failedSince = nil
            return report(.ready(since: time))
        case .failed(let error):
            guard running, !retryPending else { return [.close] }
            let since = failedSince ?? time
            failedSince = since
            failures += 1
            let delay = ConnectionMachine.backoff[min(failures - 1, ConnectionMachine.backoff.count - 1)]
            retryPending = true
            return [.close] + report(.waiting(since: since, retryAt: time + delay, error: error))
                + [.scheduleRetry(afterSeconds: delay)]
        case .retryDue:
            guard running, retryPending else { return [] }
            retryPending = false
            return attemptNow()
        case .stop:
            running = false
            let cancel: [Action] = retryPending ? [.cancelRetry] : []
            retryPending = false
            return [.close] + cancel
        }
    }

    private mutating func attemptNow() -> [Action] {
        report(.connecting(attempt: failures + 1)) + [.connect]
    }

    private mutating func report(_ status: ConnectionStatus) -> [Action] {
        self.status = status
        return [.report(status)]
    }
}
