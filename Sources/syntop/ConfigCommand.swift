import Deployments
import ArgumentParser
import Config
import Contract
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

    func validate() throws {
        if source.probe || source.replay != nil {
            throw ValidationError("--probe and --replay are per run: no setting of the file stands for them")
        }
    }

    func run() throws {
        let settings = try context.settings(display.given(), source.given(), database.given(), alerts.given())
        let catalog = themeCatalog()
        let report = ConfigReport(settings, themeFolders: [catalog.userDirectory, catalog.bundledDirectory].compactMap { $0 })
        if json {
            try printJSON(report)
        } else {
            print(report.text)
        }
        if !report.problems.isEmpty { throw ExitCode(1) }
    }
}
