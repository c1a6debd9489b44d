import ArgumentParser
import CLibPQ
import CNCursesW
import Config
import Console
import Foundation
import Terminal

@main
struct Syntop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "syntop",
        abstract: "A terminal console for Synapse deployments of a main process and workers.",
        discussion: """
            syntop watches Synapse's replication stream and reads its database, read-only, to show \
            device-list pokes, which process writes which stream, stream positions and a user's \
            membership history.
            """,
        version: Syntop.version,
        subcommands: [ConsoleCommand.self, PokesCommand.self, RolesCommand.self, PositionsCommand.self,
                      HistoryCommand.self, CheckCommand.self, RecordCommand.self,
                      ThemesCommand.self],
        defaultSubcommand: ConsoleCommand.self)

    /// The version a package is built as.
    static let release = "0.1.0"

    static var version: String {
        let pq = Int(PQlibVersion())
        let curses = String(cString: curses_version())
        let path = CommandLine.arguments[0].contains("/") ? CommandLine.arguments[0] : "/proc/self/exe"
        let commit = BuildInfo.commit(executablePath: path).map { ", commit \($0)" } ?? ""
        return "syntop \(release)\(commit) (libpq \(pq / 10000).\(pq % 10000), \(curses))"
    }
}

/// Options every command that draws with a theme shares.
struct DisplayOptions: ParsableArguments {
    @Option(help: "Theme name or path to a .theme file (default: $SYNTOP_THEME, else 'default').")
    var theme: String?

    @Flag(name: .customLong("no-color"), help: "Attributes only, no colour (as NO_COLOR does).")
    var noColor = false

    @Option(name: .customLong("color-depth"),
            help: "Force the colour depth instead of detecting it: mono, 8, 16 or 256.")
    var colorDepth: String?

    func forcedDepth() throws -> ColorDepth? {
        if noColor { return .mono }
        guard let colorDepth else { return nil }
        guard let depth = ColorDepth(rawValue: colorDepth) else {
            throw ValidationError("--color-depth takes mono, 8, 16 or 256")
        }
        return depth
    }
}

func themeCatalog() -> ThemeCatalog {
    let environment = ProcessInfo.processInfo.environment
    return ThemeCatalog(
        userDirectory: ThemeCatalog.userDirectory(environment: environment),
        bundledDirectory: ThemeCatalog.bundledDirectory(
            executablePath: CommandLine.arguments[0].contains("/")
                ? CommandLine.arguments[0] : "/proc/self/exe"))
}

struct ConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Open the interactive console (the default command).")

    @OptionGroup var display: DisplayOptions
    @OptionGroup var source: WireSourceOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var alerts: AlertOptions

    @Option(help: ArgumentHelp("Replay speed: a factor (1 = as recorded) or max.", valueName: "n|max"))
    var speed = "1"

    func wireInput(_ config: SynapseConfig?) throws -> ConsoleWireInput {
        if let file = source.replay {
            guard let speed = ReplaySpeed(speed) else { throw ValidationError("--speed takes a number above 0, or max") }
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read the recording \(file)")
            }
            return .replay(file: file, data: Array(data), speed: speed)
        }
        guard source.hasRedis(config) else { return .none }
        return .live(endpoint: try source.endpoint(config), serverName: try source.resolvedServerName(config),
                     userIP: source.userIp, probe: source.probe)
    }

    /// Without -c, the config where Synapse's Debian package keeps it, and a sentence saying
    /// what was tried.
    func defaultConfig() -> (SynapseConfig?, Notice?) {
        let environment = ProcessInfo.processInfo.environment
        let named = source.redis != nil || source.replay != nil || database.db != nil
            || environment["SYNTOP_REDIS"] != nil || environment["SYNTOP_DB"] != nil
        guard source.configPaths.isEmpty, !named else { return (source.loadConfig(), nil) }
        let candidates = ["/etc/matrix-synapse/homeserver.yaml", "/etc/matrix-synapse/conf.d", "/etc/matrix-synapse/workers"]
        let found = candidates.filter { FileManager.default.fileExists(atPath: $0) }
        guard found.first == candidates[0] else {
            return (nil, Notice("no -c given and no /etc/matrix-synapse/homeserver.yaml (Debian's place): "
                                + "give -c homeserver.yaml -c workers/, or --redis and --db", .warning))
        }
        return (ConfigLoader.load(paths: found), Notice("no -c given: read " + found.joined(separator: ", ")))
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let (config, notice) = defaultConfig()
        let target = database.resolve(config)
        let session = ConsoleSession(
            catalog: themeCatalog(),
            themeRequest: display.theme ?? environment["SYNTOP_THEME"].flatMap { $0.isEmpty ? nil : $0 },
            forcedDepth: try display.forcedDepth(),
            noColor: environment["NO_COLOR"],
            wireInput: try wireInput(config), config: config,
            database: target.map { ConsoleDatabase(conninfo: $0.conninfo, display: $0.display,
                                                   statementTimeoutMS: database.statementTimeout) },
            thresholds: alerts.thresholds, startNotice: notice)
        let status = session.run()
        if status != 0 { throw ExitCode(status) }
    }
}

struct ThemesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "themes",
        abstract: "List the themes syntop can find and check each of them.",
        discussion: "Exits 1 when a theme has problems; each is reported with its file and line.")

    func run() throws {
        let catalog = themeCatalog()
        let files = catalog.files()
        var problems = 0
        print("Looked in: \(catalog.userDirectory ?? "(no user folder)"), "
              + "\(catalog.bundledDirectory ?? "(no bundled themes/ folder found)")")
        for file in files {
            let (_, issues) = ThemeCatalog.load(path: file.path, name: file.name)
            let status = issues.isEmpty ? "ok" : "\(issues.count) problem(s)"
            print("\(file.name.padding(toLength: 10, withPad: " ", startingAt: 0)) "
                  + "\(status.padding(toLength: 14, withPad: " ", startingAt: 0)) \(file.path)")
            for issue in issues { print("  \(issue)") }
            problems += issues.count
        }
        if files.isEmpty { print("no theme files found; the built-in default and mono themes are used") }
        if problems > 0 { throw ExitCode(1) }
    }
}
