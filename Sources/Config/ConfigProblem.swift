import Findings
import Yams

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

/// A YAML file's document, or what is wrong with it. Yams's own message quotes the line, which
/// may hold a secret: only the problem and the place are kept.
public enum YAMLDocument {
    public static func compose(_ text: String, file: String) -> Result<Node?, ConfigProblem> {
        do {
            return .success(try Yams.compose(yaml: text))
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
                 .composer(_, let problem, let mark, _):
                return .failure(ConfigProblem(.critical, file: file, line: mark.line, "YAML: \(problem)"))
            default:
                return .failure(ConfigProblem(.critical, file: file, "YAML cannot be read"))
            }
        } catch {
            return .failure(ConfigProblem(.critical, file: file, "YAML cannot be read"))
        }
    }
}
