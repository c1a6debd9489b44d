import Glibc

/// Nanoseconds of the monotonic clock.
public func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// One thread, one `poll()`: file descriptors with handlers, and timers. Every handler runs on
/// the thread that calls `run`, so the things they touch (curses, libpq, the Redis socket)
/// never see another thread. Handlers must do bounded, non-blocking work.
public final class EventLoop {
    public typealias SourceID = Int
    public typealias TimerID = Int

    private struct Source {
        var fd: Int32
        /// Asked before every poll, so a source can add POLLOUT only while it has output.
        var events: () -> Int16
        var handler: (Int16) -> Void
    }

    private struct Timer {
        var deadline: UInt64
        var interval: UInt64?
        var body: () -> Void
    }

    private var sources: [SourceID: Source] = [:]
    private var timers: [TimerID: Timer] = [:]
    private var nextID = 1
    private var stopped = false
    private let clock: () -> UInt64

    public init(clock: @escaping () -> UInt64 = monotonicNanoseconds) {
        self.clock = clock
    }

    public var now: UInt64 { clock() }

    @discardableResult
    public func watch(fd: Int32, events: @escaping () -> Int16,
                      handler: @escaping (Int16) -> Void) -> SourceID {
        let id = nextID
        nextID += 1
        sources[id] = Source(fd: fd, events: events, handler: handler)
        return id
    }

    public func unwatch(_ id: SourceID) {
        sources[id] = nil
    }

    /// Runs `body` after `milliseconds`, and then every `repeating` milliseconds if given.
    @discardableResult
    public func schedule(after milliseconds: Int, repeating: Int? = nil,
                         _ body: @escaping () -> Void) -> TimerID {
        let id = nextID
        nextID += 1
        timers[id] = Timer(deadline: clock() + UInt64(max(0, milliseconds)) * 1_000_000,
                           interval: repeating.map { UInt64(max(1, $0)) * 1_000_000 },
                           body: body)
        return id
    }

    public func cancel(_ id: TimerID) {
        timers[id] = nil
    }

    public func stop() {
        stopped = true
    }

    public var isStopped: Bool { stopped }

    /// Runs until `stop()` is called.
    public func run() {
        stopped = false
        while !stopped {
            runOnce(maxWait: -1)
        }
    }

    /// Waits for at most `maxWait` milliseconds (-1: until the next timer or event), then runs
    /// what is due: ready sources first, then expired timers.
    public func runOnce(maxWait: Int) {
        var timeout = maxWait
        if let nearest = timers.values.map(\.deadline).min() {
            let now = clock()
            let untilTimer = nearest > now ? Int((nearest - now + 999_999) / 1_000_000) : 0
            timeout = timeout < 0 ? untilTimer : min(timeout, untilTimer)
        }
        let ids = Array(sources.keys)
        var fds = ids.map { id -> pollfd in
            let source = sources[id]!
            return pollfd(fd: source.fd, events: source.events(), revents: 0)
        }
        let ready = fds.withUnsafeMutableBufferPointer { buffer in
            poll(buffer.baseAddress, nfds_t(buffer.count), Int32(clamping: timeout))
        }
        if ready > 0 {
            for (index, id) in ids.enumerated() where fds[index].revents != 0 {
                // A handler may have removed another source.
                sources[id]?.handler(fds[index].revents)
            }
        }
        runDueTimers()
    }

    private func runDueTimers() {
        let now = clock()
        let due = timers.filter { $0.value.deadline <= now }.sorted { $0.value.deadline < $1.value.deadline }
        for (id, timer) in due {
            guard timers[id] != nil else { continue }
            if let interval = timer.interval {
                // Next deadline from now, not from the old one: a late tick never bursts.
                timers[id]?.deadline = now + interval
            } else {
                timers[id] = nil
            }
            timer.body()
        }
    }
}
