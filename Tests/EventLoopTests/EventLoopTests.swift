import Glibc
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
