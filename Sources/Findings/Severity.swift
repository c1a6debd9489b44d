/// How much a finding matters, wherever it shows: an alert in the status line and in `check`, a
/// flag on a process, a notice, a problem in the configuration.
public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
    /// Worth knowing; nothing is wrong.
    case info
    /// Something works less than it should, or soon will not.
    case warning = "warn"
    /// Something is broken: Synapse would refuse it, or a stream stopped.
    case critical = "crit"

    private var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .critical: 2
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}
