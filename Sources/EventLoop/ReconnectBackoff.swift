/// How long to wait before reconnecting after consecutive failures: quick at first, then no
/// more often than every 30 s, so a server that is down is not hammered.
public enum ReconnectBackoff {
    public static let steps: [Double] = [0.5, 1, 2, 4, 8, 15, 30]

    /// Seconds to wait before attempt `attempt` (1 is the first retry).
    public static func delay(attempt: Int) -> Double {
        steps[min(max(attempt - 1, 0), steps.count - 1)]
    }
}
