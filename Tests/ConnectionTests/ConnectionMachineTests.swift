import Testing
@testable import Connection

@Suite struct ConnectionMachineTests {
    @Test func connectsAndReportsReady() {
        var machine = ConnectionMachine()
        #expect(machine.handle(.start, at: 0) == [.report(.connecting(attempt: 1)), .connect])
        #expect(machine.handle(.start, at: 0).isEmpty)
        #expect(machine.handle(.connected, at: 1) == [.report(.ready(since: 1))])
        #expect(machine.status == .ready(since: 1))
    }

    /// 0.5, 1, 2, 4, 8, 15, then every 30 s; `since` stays the first failure's time.
    @Test func backsOffWhileItFailsAndStartsOverOnceUp() {
        var machine = ConnectionMachine()
        _ = machine.handle(.start, at: 0)
        var delays: [Double] = []
        var time = 0.0
        for attempt in 1...9 {
            let actions = machine.handle(.failed("refused"), at: time)
            guard case .scheduleRetry(let delay) = actions.last else {
                Issue.record("no retry after attempt \(attempt): \(actions)")
                return
            }
            #expect(actions.contains(.report(.waiting(since: 0, retryAt: time + delay, error: "refused"))))
            delays.append(delay)
            time += delay
            #expect(machine.handle(.retryDue, at: time) == [.report(.connecting(attempt: attempt + 1)), .connect])
        }
        #expect(delays == [0.5, 1, 2, 4, 8, 15, 30, 30, 30])
        _ = machine.handle(.connected, at: time)
        // A loss starts the backoff over: 0.5 s, then 1 s, the second try named attempt 2.
        #expect(machine.handle(.failed("lost"), at: 500)
                == [.close, .report(.waiting(since: 500, retryAt: 500.5, error: "lost")), .scheduleRetry(afterSeconds: 0.5)])
        #expect(machine.handle(.retryDue, at: 500.5) == [.report(.connecting(attempt: 2)), .connect])
        #expect(machine.handle(.failed("still"), at: 501).last == .scheduleRetry(afterSeconds: 1))
    }

    @Test func aSecondFailureBeforeTheRetryChangesNothing() {
        var machine = ConnectionMachine()
        _ = machine.handle(.start, at: 0)
        _ = machine.handle(.failed("refused"), at: 0)
        #expect(machine.handle(.failed("again"), at: 0.1) == [.close])
        #expect(machine.status == .waiting(since: 0, retryAt: 0.5, error: "refused"))
    }

    @Test func stopCancelsTheRetryAndIgnoresLateEvents() {
        var machine = ConnectionMachine()
        _ = machine.handle(.start, at: 0)
        _ = machine.handle(.failed("refused"), at: 0)
        #expect(machine.handle(.stop, at: 1) == [.close, .cancelRetry])
        #expect(machine.handle(.retryDue, at: 2).isEmpty)
        #expect(machine.handle(.connected, at: 2) == [.close])
    }
}
