import Connection

/// Performs a connection machine's actions on the loop for one source: the retry timer is kept
/// here, opening, closing and the status are the source's own.
public final class ConnectionDriver {
    private let loop: EventLoop
    private let now: () -> Double
    private let connect: () -> Void
    private let close: () -> Void
    private let report: (ConnectionStatus) -> Void
    private var machine = ConnectionMachine()
    private var retryTimer: EventLoop.TimerID?
    /// Events that arrive while actions run (a connect that fails at once) wait their turn.
    private var pending: [ConnectionMachine.Event] = []
    private var handling = false

    public init(loop: EventLoop, now: @escaping () -> Double, connect: @escaping () -> Void,
                close: @escaping () -> Void, report: @escaping (ConnectionStatus) -> Void) {
        self.loop = loop
        self.now = now
        self.connect = connect
        self.close = close
        self.report = report
    }

    public func handle(_ event: ConnectionMachine.Event) {
        pending.append(event)
        guard !handling else { return }
        handling = true
        defer { handling = false }
        while !pending.isEmpty {
            perform(machine.handle(pending.removeFirst(), at: now()))
        }
    }

    private func perform(_ actions: [ConnectionMachine.Action]) {
        for action in actions {
            switch action {
            case .connect: connect()
            case .close: close()
            case .scheduleRetry(let delay):
                retryTimer = loop.schedule(after: Int(delay * 1000)) { [unowned self] in
                    self.retryTimer = nil
                    self.handle(.retryDue)
                }
            case .cancelRetry:
                if let retryTimer { loop.cancel(retryTimer) }
                retryTimer = nil
            case .report(let status): report(status)
            }
        }
    }
}
