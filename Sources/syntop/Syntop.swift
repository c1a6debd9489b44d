import Deployments
import ArgumentParser
import CLibPQ
import CNCursesW
import Config
import Console
import Feeds
import Foundation
import Observation
import Settings
import Terminal

@main
struct Syntop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "syntop",
        abstract: "A terminal console for Synapse deployments of a main process and workers.",
        discussion: Manual.discussion,
        version: Syntop.version,
        subcommands: [ConsoleCommand.self, PokesCommand.self, RolesCommand.self, PositionsCommand.self,
                      HistoryCommand.self, RoomsCommand.self, RoomCommand.self, CheckCommand.self, ExporterCommand.self, RecordCommand.self,
                      ThemesCommand.self, ConfigCommand.self, TokenCommand.self],
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

    @Flag(inversion: .prefixedNo, help: "Colour, or attributes only (--no-color, as NO_COLOR does).")
    var color: Bool?

    @Option(name: .customLong("color-depth"),
            help: "Force the colour depth instead of detecting it: mono, 8, 16 or 256.")
    var colorDepth: String?

    func given() throws -> [SettingKey: SettingValue] {
        var given: [SettingKey: SettingValue] = [:]
        given[.theme] = try SettingKey.theme.given(theme)
        given[.colorDepth] = try SettingKey.colorDepth.given(colorDepth)
        given[.color] = color.map(SettingValue.flag)
        return given
    }

    func validate() throws {
        _ = try given()
    }

    static func forcedDepth(_ settings: Settings) -> ColorDepth? {
        settings.flag(.color) ? settings.text(.colorDepth).flatMap(ColorDepth.init(rawValue:)) : .mono
    }

    static func themeRequest(_ settings: Settings) -> String? {
        settings.text(.theme) ?? ProcessInfo.processInfo.environment["SYNTOP_THEME"].flatMap { $0.isEmpty ? nil : $0 }
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
    @OptionGroup var context: ContextOption

    @Option(help: ArgumentHelp("Seconds between database reads: "
                               + RefreshInterval.steps.map { String(format: "%g", $0) }.joined(separator: ", ")
                               + " (the nearest of them; default: 2; + and - change it).", valueName: "s"))
    var refresh: Double?

    @Option(help: ArgumentHelp("Replay speed: a factor (1 = as recorded) or max.", valueName: "n|max"))
    var speed = "1"

    func validate() throws {
        _ = try SettingKey.refresh.given(refresh)
    }

    /// A deployment to watch, from resolved settings; a replay only for the first.
    func deployment(_ settings: Settings, replay: String?, switched: Bool) throws -> ConsoleDeployment {
        // --probe publishes into the deployment the command line started with, never into one
        // switched to.
        let source = WireSourceSettings(settings: settings, probe: switched ? false : self.source.probe, replay: replay,
                                        window: ReplayWindow(from: self.source.from, to: self.source.to))
        let database = DatabaseSource(settings: settings)
        let (config, found) = SynapseConfigSearch.config(source, database)
        let notice = found.map { Notice($0.text, $0.warning ? .warning : .info) }
        let speed = ReplaySpeed(speed)
        if replay != nil && speed == nil { throw ValidationError("--speed takes a number above 0, or max") }
        let watched: Deployment
        do {
            watched = try resolving { try Deployment(source, database, config: config, settings: settings) }
        } catch let error as RecordingFile.Failure {
            throw ValidationError(error.description)
        }
        var settingsNotice = settings.problemSummary.map { Notice($0, .warning) }
        if switched, settingsNotice == nil, let context = settings.context {
            settingsNotice = Notice("context \(context)")
        }
        return ConsoleDeployment(
            themeRequest: DisplayOptions.themeRequest(settings), deployment: watched,
            refreshSeconds: settings.number(.refresh) ?? RefreshInterval.steps[RefreshInterval.defaultStep], speed: speed ?? .factor(1),
            configSearch: notice, settingsNotice: settingsNotice, context: settings.context, contexts: settings.contextNames)
    }

    func run() throws {
        var commandLine = try display.given()
        for given in [try source.given(), try database.given(), try alerts.given()] {
            commandLine.merge(given) { _, new in new }
        }
        commandLine[.refresh] = try SettingKey.refresh.given(refresh)
        let settings = try loadSettings(request: context.request, commandLine: commandLine,
                                        commandLineNamesDeployment: source.replay != nil)
        // A switch of context takes the deployment from the new context; the rest of the
        // command line still applies.
        let nonDeploymentOptions = commandLine.filter { !$0.key.isDeployment }
        let session = ConsoleSession(
            catalog: themeCatalog(), forcedDepth: DisplayOptions.forcedDepth(settings),
            noColor: ProcessInfo.processInfo.environment["NO_COLOR"],
            start: try deployment(settings, replay: source.replay, switched: false),
            resolveContext: { name in
                try deployment(loadSettings(request: Settings.ContextRequest(name, by: ":context"), commandLine: nonDeploymentOptions),
                                 replay: nil, switched: true)
            })
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
