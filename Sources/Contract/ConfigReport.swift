import Foundation

/// `syntop config`: syntop's file, its contexts, and where every setting comes from; secrets
/// as `<set>`.
public struct ConfigReport: Encodable {
    public struct File: Encodable {
        public var path: String?
        public var exists: Bool
        public var used: Bool

        public init(path: String?, exists: Bool, used: Bool) {
            self.path = path
            self.exists = exists
            self.used = used
        }
    }

    public struct Setting: Encodable {
        public var key: String
        public var value: String?
        public var from: String

        public init(key: String, value: String?, from: String) {
            self.key = key
            self.value = value
            self.from = from
        }
    }

    public var file: File
    public var context: String?
    public var contextChosenBy: String?
    public var contexts: [String]
    public var themeFolders: [String]
    public var settings: [Setting]
    /// What the settings reach: Synapse's config files, Redis, the database.
    public var synapseConfig: [String]
    public var redis: String
    public var database: String
    public var problems: [ProblemReport]

    public init(file: File, context: String?, contextChosenBy: String?, contexts: [String], themeFolders: [String],
                settings: [Setting], synapseConfig: [String], redis: String, database: String, problems: [ProblemReport]) {
        self.file = file
        self.context = context
        self.contextChosenBy = contextChosenBy
        self.contexts = contexts
        self.themeFolders = themeFolders
        self.settings = settings
        self.synapseConfig = synapseConfig
        self.redis = redis
        self.database = database
        self.problems = problems
    }

    /// The report as `syntop config` prints it without --json.
    public var text: String {
        let report = self
        var lines: [String] = []
        let file = report.file.path.map { path in
            path + (report.file.exists ? (report.file.used ? "" : " (not used: see the problems)") : " (none there)")
        } ?? "none (no $HOME or $XDG_CONFIG_HOME)"
        lines.append(Self.row("config file", file))
        lines.append(Self.row("context", report.context.map { "\($0), chosen by \(report.contextChosenBy ?? "?")" } ?? "none"))
        lines.append(Self.row("contexts", report.contexts.isEmpty ? "none" : report.contexts.joined(separator: ", ")))
        lines.append(Self.row("theme folders", report.themeFolders.joined(separator: ", ")))
        lines.append("")
        // A long value (a list of paths) pushes its own origin along, not the whole column.
        let width = min(report.settings.map { ($0.value ?? "-").count }.max() ?? 0, 48) + 2
        lines.append("setting".padding(toLength: 21, withPad: " ", startingAt: 0)
                     + "value".padding(toLength: width, withPad: " ", startingAt: 0) + "from")
        for setting in report.settings {
            let value = setting.value ?? "-"
            lines.append(setting.key.padding(toLength: 21, withPad: " ", startingAt: 0)
                         + (value.count < width ? value.padding(toLength: width, withPad: " ", startingAt: 0) : value + "  ")
                         + setting.from)
        }
        lines.append("")
        lines.append(Self.row("Synapse config", report.synapseConfig.isEmpty ? "none named" : report.synapseConfig.joined(separator: ", ")))
        lines.append(Self.row("redis", report.redis))
        lines.append(Self.row("database", report.database))
        lines.append("")
        if report.problems.isEmpty {
            lines.append("no problems")
        } else {
            lines.append("\(report.problems.count) problem(s); where a value is ignored, its default applies:")
            for problem in report.problems {
                let place = problem.file + (problem.line.map { ":\($0)" } ?? "")
                lines.append("  \(problem.severity) \(place): " + (problem.key.map { "\($0): " } ?? "") + problem.message)
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func row(_ label: String, _ value: String) -> String {
        label.padding(toLength: 15, withPad: " ", startingAt: 0) + value
    }
}
