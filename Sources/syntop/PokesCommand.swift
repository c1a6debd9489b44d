import ArgumentParser
import Config
import Console
import EventLoop
import Foundation
import Glibc
import Replication
import Settings
import Store
import Wire

struct PokesDatabaseSide: Encodable {
    var database: String
    var session: SessionStore.Session
    var destinations: [DeviceListStore.Destination]
    var conversion: DeviceListStore.Conversion
    var errors: [String]
}

struct PokesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pokes",
        abstract: "Device-list changes on the wire, and outbound pokes still waiting per destination in the database.",
        discussion: OutputOptions.mergedDiscussion)

    @OptionGroup var source: WireSourceOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "How many of the most recent device-list rows to include.")
    var limit = 100

    @Option(help: "Counts of waiting pokes stop here (shown as capped).")
    var cap = 1000

    @OptionGroup var context: ContextOption

    func run() throws {
        try output.requireJSON(screen: "Pokes", key: 1)
        let settings = try ScreenSettings(source, database, output, context)
        let database = settings.database
        try printMerged(settings, feeds: .deviceLists, wire: { state, report, now, _ in
            PokesReport(state, source: report, now: now, limit: limit)
        }, database: { target in
            let ((session, pokes), errors) = try read(SessionStore.read.then(DeviceListStore.pokes(cap: cap)), target,
                                                      timeoutMS: database.statementTimeout)
            return PokesDatabaseSide(database: target.display, session: session, destinations: pokes.destinations,
                                     conversion: pokes.conversion, errors: errors)
        })
    }
}
