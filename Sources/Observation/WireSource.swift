import Connection
import Wire

/// Where the console's replication data comes from, as the header shows it.
public enum WireSource: Equatable, Sendable {
    case none
    case live(endpoint: String, serverName: String, status: ConnectionStatus)
    case replay(file: String, cursor: ReplayCursor)
}

public enum ReplaySpeed: Equatable, Sendable, CustomStringConvertible {
    /// Recorded time runs this many times faster than the clock.
    case factor(Double)
    /// As fast as the console can take it.
    case max

    public init?(_ text: String) {
        if text == "max" {
            self = .max
        } else if let value = Double(text), value > 0, value.isFinite {
            self = .factor(value)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .max: "max"
        case .factor(let value): value == value.rounded() ? "×\(Int(value))" : "×\(value)"
        }
    }
}

/// A recording as the console plays it: its size, the times of its first and last messages,
/// and the window `--from` and `--to` chose.
public struct RecordingSpan: Equatable, Sendable {
    public var size: Int64
    public var first: Double
    public var last: Double
    /// Where the replay starts and ends (`--from`, `--to`), in recorded time.
    public var start: Double
    public var end: Double?

    public init(size: Int64, first: Double, last: Double, start: Double? = nil, end: Double? = nil) {
        self.size = size
        self.first = first
        self.last = last
        self.start = start ?? first
        self.end = end
    }
}

/// What the loop is asked to read from the recording: the messages up to a recorded time (all
/// of them at `max` speed), at most `limit`.
public struct ReplayFeed: Equatable, Sendable {
    public var until: Double?
    public var limit: Int

    public init(until: Double?, limit: Int) {
        self.until = until
        self.limit = limit
    }
}

/// What the loop read: the lines, in order, and where the recording now stands.
public struct ReplayBatch: Equatable, Sendable {
    public var lines: [ArraySlice<UInt8>]
    /// Bytes read so far, and the time of the next message, if any is left.
    public var position: Int64
    public var nextTime: Double?
    public var finished: Bool

    public init(lines: [ArraySlice<UInt8>], position: Int64, nextTime: Double?, finished: Bool) {
        self.lines = lines
        self.position = position
        self.nextTime = nextTime
        self.finished = finished
    }
}

/// Where the replay stands in recorded time, and what is due next: a plain value the loop
/// asks on every tick. The recording itself stays with the loop, read as it plays.
public struct ReplayCursor: Equatable, Sendable {
    public var speed: ReplaySpeed
    public let span: RecordingSpan
    public private(set) var position: Int64 = 0
    /// The time of the last message played, and of the next one once known.
    public private(set) var played: Double?
    public private(set) var nextTime: Double?
    public private(set) var finished = false
    public private(set) var messages = 0
    /// The recorded time that corresponds to `anchorClock`.
    private var anchorRecorded: Double
    private var anchorClock: Double?
    /// At `max` speed, how many messages one tick may take, so keys stay responsive.
    public static let chunk = 5000

    public init(span: RecordingSpan, speed: ReplaySpeed) {
        self.span = span
        self.speed = speed
        anchorRecorded = span.start
    }

    /// What is due at `clock` (a monotonic time in seconds), or nil when nothing is yet.
    /// Call `hold()` while paused.
    public mutating func due(at clock: Double) -> ReplayFeed? {
        guard !finished else { return nil }
        switch speed {
        case .max:
            return ReplayFeed(until: nil, limit: ReplayCursor.chunk)
        case .factor(let factor):
            if anchorClock == nil { anchorClock = clock }
            let recordedNow = anchorRecorded + (clock - anchorClock!) * factor
            if let nextTime, nextTime > recordedNow { return nil }
            return ReplayFeed(until: recordedNow, limit: ReplayCursor.chunk)
        }
    }

    /// Keeps recorded time still while paused: playback resumes where it stopped.
    public mutating func hold() {
        anchorRecorded = nextTime ?? played ?? anchorRecorded
        anchorClock = nil
    }

    /// The loop read `batch`.
    public mutating func fed(_ batch: ReplayBatch, lastTime: Double?) {
        position = batch.position
        nextTime = batch.nextTime
        finished = batch.finished
        messages += batch.lines.count
        if let lastTime { played = lastTime }
        // Held (paused, or stepping): the next message is where playback resumes.
        if anchorClock == nil, let nextTime { anchorRecorded = nextTime }
    }

    /// The loop moved to `time`: playback goes on from there.
    public mutating func sought(to time: Double, position: Int64, nextTime: Double?, finished: Bool) {
        self.position = position
        self.nextTime = nextTime
        self.finished = finished
        played = nil
        anchorRecorded = time
        anchorClock = nil
    }

    /// Where the replay stands in recorded time: the last message played, or where it was
    /// moved to before any.
    public var shownTime: Double { played ?? anchorRecorded }

    /// How far through the recording, in bytes.
    public var percent: Int {
        span.size > 0 ? Int(Double(position) * 100 / Double(span.size)) : 100
    }
}
