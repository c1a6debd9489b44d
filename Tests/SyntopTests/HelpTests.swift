import ArgumentParser
import Foundation
import SnapshotSupport
import Testing
@testable import syntop

/// Every command's `--help` is part of what syntop promises (scripts and operators read it),
/// so each is a snapshot beside the tests. SYNTOP_RECORD_SNAPSHOTS=1 rewrites them and fails
/// the run, as the screens' do.
@Suite struct HelpTests {
    static let commands: [(String, ParsableCommand.Type)] = [("syntop", Syntop.self)]
        + Syntop.configuration.subcommands.map { ($0.configuration.commandName ?? "?", $0) }

    @Test func everyCommandsHelp() {
        for (name, command) in Self.commands {
            let help = Syntop.helpMessage(for: command, columns: 100) + "\n"
            expectSnapshot(help, named: "help-\(name).txt")
        }
    }

    /// The root command's discussion is the manual's: it names every screen and key table.
    @Test func theManualNamesEveryCommand() {
        let help = Syntop.helpMessage(columns: 100)
        for (name, _) in Self.commands.dropFirst() { #expect(help.contains(name), "\(name)") }
    }
}
