import Glibc
import Connection
import Testing
@testable import EventLoop

@Suite(.serialized) struct EventLoopTests {
    @Test func timersRunInDeadlineOrderAndOneShotsRunOnce() {
        let loop = EventLoop()
        var fired: [String] = []
        loop.schedule(after: 20) { fired.append("late") }
        loop.schedule(after: 1) { fired.append("early") }
        let stopper = loop.schedule(after: 40) { loop.stop() }
        loop.run()
        loop.cancel(stopper)
        #expect(fired == ["early", "late"])
    }

    @Test func aRepeatingTimerKeepsFiringUntilCancelled() {
        let loop = EventLoop()
        var ticks = 0
        var id = 0
        id = loop.schedule(after: 1, repeating: 2) {
            ticks += 1
            if ticks == 5 {
                loop.cancel(id)
                loop.stop()
            }
        }
        loop.run()
        #expect(ticks == 5)
    }

    @Test func aReadableDescriptorRunsItsHandler() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        let loop = EventLoop()
        var received: [UInt8] = []
        let id = loop.watch(fd: ends[0], events: { Int16(POLLIN) }) { _ in
            var byte: UInt8 = 0
            _ = read(ends[0], &byte, 1)
            received.append(byte)
            loop.stop()
        }
        var byte: UInt8 = 42
        _ = write(ends[1], &byte, 1)
        loop.schedule(after: 2000) { loop.stop() }
        loop.run()
        loop.unwatch(id)
        #expect(received == [42])
    }

    @Test func anIdleLoopSleepsUntilTheNextTimer() {
        let loop = EventLoop()
        let start = monotonicNanoseconds()
        loop.schedule(after: 50) { loop.stop() }
        var wakeups = 0
        while !loop.isStopped {
            loop.runOnce(maxWait: -1)
            wakeups += 1
        }
        #expect(wakeups <= 2)
        #expect(monotonicNanoseconds() - start >= 50_000_000)
    }

    @Test func signalsArriveThroughThePipe() throws {
        let signals = try SignalPipe()
        // Process-directed: the test thread itself may block signals.
        kill(getpid(), SIGWINCH)
        var fd = pollfd(fd: signals.readFD, events: Int16(POLLIN), revents: 0)
        #expect(poll(&fd, 1, 2000) == 1)
        #expect(signals.drain() == [SIGWINCH])
        #expect(signals.drain().isEmpty)
    }
}

/// The driver performs the machine's actions on a real loop; a connect that fails at once is
/// handled after the actions under way, not in the middle of them.
@Suite struct ConnectionDriverTests {
    @Test func aConnectThatFailsAtOnceIsRetriedAfterTheBackoff() {
        let loop = EventLoop()
        var statuses: [ConnectionStatus] = []
        var connects = 0
        var driver: ConnectionDriver!
        driver = ConnectionDriver(loop: loop, now: { Double(loop.now) / 1e9 }, connect: {
            connects += 1
            if connects < 3 { driver.handle(.failed("refused")) } else { driver.handle(.connected) }
        }, close: {}, report: { status in
            statuses.append(status)
            if case .ready = status { loop.stop() }
        })
        driver.handle(.start)
        #expect(connects == 1)
        #expect(statuses.count == 2)
        if case .waiting(_, _, let error) = statuses.last { #expect(error == "refused") } else { Issue.record("\(statuses)") }
        loop.schedule(after: 5000) { loop.stop() }
        loop.run()
        // Retried after 0.5 s and then 1 s, up on the third attempt.
        #expect(connects == 3)
        #expect(statuses.map { if case .connecting(let attempt) = $0 { attempt } else { 0 } }.filter { $0 > 0 } == [1, 2, 3])
        if case .ready = statuses.last {} else { Issue.record("\(statuses)") }
    }
}
