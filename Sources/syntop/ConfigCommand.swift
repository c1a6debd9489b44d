import ArgumentParser
import Config
import Foundation
import Settings

/// `syntop config`: where syntop looks for its files, and what every setting comes to.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show syntop's config file, its contexts, and the settings a command would run with.",
        discussion: """
            The file is $XDG_CONFIG_HOME/syntop/config.yaml (else ~/.config/syntop/config.yaml): defaults for \
            the options at its top level, and under contexts: one entry per deployment, chosen with --context, \
            $SYNTOP_CONTEXT or the file's context: key. Each setting comes from the command line, else the \
            context, else the file's top level, else syntop's default; secrets are shown as <set>. Exits 1 when \
            the file has problems (each with its file, line and key) and 0 otherwise.
            """)

    @OptionGroup var display: DisplayOptions
    @OptionGroup var source: WireSourceOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var alerts: AlertOptions
    @OptionGroup var context: ContextOption

    @Flag(help: "Print JSON instead of text.")
    var json = false

    struct Report: Encodable {
        struct File: Encodable {
            var path: String?
            var exists: Bool
            var used: Bool
        }

        struct Setting: Encodable {
            var key: String
            var value: String?
            var from: String
        }

        var file: File
        var context: String?
        var contextChosenBy: String?
        var contexts: [String]
        var themeFolders: [String]
        var settings: [Setting]
        /// What the settings reach: Synapse's config files, Redis, the database.
        var synapseConfig: [String]
        var redis: String
        var database: String
        var problems: [ProblemReport]
    }

    func validate() throws {
        if source.probe || source.replay != nil {
            throw ValidationError("--probe and --replay are per run: no setting of the file stands for them")
        }
    }

    func run() throws {
        let settings = try context.settings(display.given(), source.given(), database.given(), alerts.given())
        let report = Self.report(settings)
        if json {
            try printJSON(report)
        } else {
            print(Self.text(report))
        }
        if !report.problems.isEmpty { throw ExitCode(1) }
    }

    static func report(_ settings: Settings) -> Report {
        let catalog = themeCatalog()
        let wire = WireSourceSettings(settings: settings, probe: false, replay: nil)
        let config = wire.loadConfig()
        var redis: String
        if wire.hasRedis(config) {
            do {
                let endpoint = try wire.endpoint(config)
                redis = endpoint.description + (endpoint.username.map { " as \($0)" } ?? "")
                    + (endpoint.password == nil ? "" : ", password \(MaskedSecret.placeholder)")
                redis += (try? wire.resolvedServerName(config)).map { ", channel \($0)" } ?? ", no server_name"
            } catch {
                redis = "cannot be used: \(error)"
            }
        } else {
            redis = "none named"
        }
        let database = DatabaseSource(settings: settings).resolve(config)
            .map { MaskedSecret.conninfo($0.conninfo) + " (\($0.display))" } ?? "none named"
        let synapseProblems = config?.problems.count ?? 0
        return Report(
            file: Report.File(path: settings.filePath, exists: settings.file != nil,
                              used: settings.file.map { !$0.ignored } ?? false),
            context: settings.context, contextChosenBy: settings.contextChosenBy, contexts: settings.contextNames,
            themeFolders: [catalog.userDirectory, catalog.bundledDirectory].compactMap { $0 },
            settings: SettingKey.allCases.map { key in
                Report.Setting(key: key.rawValue,
                               value: settings.values[key].map { MaskedSecret.shown($0.value, key: key) },
                               from: settings.originText(key))
            },
            synapseConfig: wire.configPaths.map { path in
                path + (FileManager.default.fileExists(atPath: path) ? "" : " (missing)")
            } + (synapseProblems > 0 ? ["\(synapseProblems) problem(s) there: `syntop roles --json` lists them"] : []),
            redis: redis, database: database,
            problems: settings.problems.map(ProblemReport.init))
    }

    static func text(_ report: Report) -> String {
        var lines: [String] = []
        let file = report.file.path.map { path in
            path + (report.file.exists ? (report.file.used ? "" : " (not used: see the problems)") : " (none there)")
        } ?? "none (no $HOME or $XDG_CONFIG_HOME)"
        lines.append(row("config file", file))
        lines.append(row("context", report.context.map { "\($0), chosen by \(report.contextChosenBy ?? "?")" } ?? "none"))
        lines.append(row("contexts", report.contexts.isEmpty ? "none" : report.contexts.joined(separator: ", ")))
        lines.append(row("theme folders", report.themeFolders.joined(separator: ", ")))
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
        lines.append(row("Synapse config", report.synapseConfig.isEmpty ? "none named" : report.synapseConfig.joined(separator: ", ")))
        lines.append(row("redis", report.redis))
        lines.append(row("database", report.database))
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
