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

/// Which recorded messages are due: a plain value the loop asks on every tick.
public struct ReplayCursor: Equatable, Sendable {
    public let times: [Double]
    public private(set) var next = 0
    public var speed: ReplaySpeed
    /// The recorded time that corresponds to `anchorClock`.
    private var anchorRecorded: Double
    private var anchorClock: Double?
    /// At `max` speed, how many messages one tick may take, so keys stay responsive.
    public static let chunk = 5000

    public init(times: [Double], speed: ReplaySpeed) {
        self.times = times
        self.speed = speed
        anchorRecorded = times.first ?? 0
    }

    public var total: Int { times.count }
    public var finished: Bool { next >= times.count }

    /// The range of message indices due at `clock` (a monotonic time in seconds), advancing
    /// past them. Call `hold()` while paused.
    public mutating func due(at clock: Double) -> Range<Int> {
        guard !finished else { return next..<next }
        let start = next
        switch speed {
        case .max:
            next = min(times.count, next + ReplayCursor.chunk)
        case .factor(let factor):
            if anchorClock == nil { anchorClock = clock }
            let recordedNow = anchorRecorded + (clock - anchorClock!) * factor
            while next < times.count && times[next] <= recordedNow { next += 1 }
        }
        return start..<next
    }

    /// Keeps recorded time still while paused: playback resumes where it stopped.
    public mutating func hold() {
        if next < times.count { anchorRecorded = times[next] }
        anchorClock = nil
    }

    /// One message, for single-stepping while paused.
    public mutating func step() -> Range<Int> {
        guard !finished else { return next..<next }
        next += 1
        if next < times.count { anchorRecorded = times[next] }
        anchorClock = nil
        return (next - 1)..<next
    }
}
