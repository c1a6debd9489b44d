import Findings

/// Something wrong in Synapse's configuration: where, which key, and what. Never the value, so
/// a password can never reach a screen or a log through it.
public struct ConfigProblem: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var severity: Severity
    public var file: String
    public var line: Int?
    public var key: String?
    public var message: String

    public init(_ severity: Severity, file: String, line: Int? = nil, key: String? = nil, _ message: String) {
        self.severity = severity
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        return "\(place): \(key.map { "\($0): " } ?? "")\(message)"
    }
}
