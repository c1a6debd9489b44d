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

    public var status: ConnectionStatus { machine.status }

    public init(loop: EventLoop, now: @escaping () -> Double, connect: @escaping () -> Void,
                close: @escaping () -> Void, report: @escaping (ConnectionStatus) -> Void) {
        self.loop = loop
        self.now = now
        self.connect = connect
        self.close = close
        self.report = report
    }

    public func handle(_ event: ConnectionMachine.Event) {
        for action in machine.handle(event, at: now()) {
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
