import ArgumentParser
import Config
import Console
import EventLoop
import Foundation
import Glibc
import Replication
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
        discussion: """
            With --json: listens for --listen seconds (or reads a whole --replay file) when a Redis is known, \
            reads the database when one is known, and prints one JSON document.
            """)

    @OptionGroup var source: WireSourceOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "How many of the most recent device-list rows to include.")
    var limit = 100

    @Option(help: "Counts of waiting pokes stop here (shown as capped).")
    var cap = 1000

    func run() throws {
        try output.requireJSON(screen: "Pokes", key: 1)
        let listen = output.listen
        let sources = try MergedSources(source, database)
        do {
            var merged = MergedOutput<PokesReport, PokesDatabaseSide>()
            if sources.hasWire {
                let (state, report, now) = try collectWire(source, config: sources.config, seconds: listen)
                merged.wire = PokesReport(state, source: report, now: now, limit: limit)
            }
            if let target = sources.database {
                let ((session, pokes), errors) = try read(SessionStore.read.then(DeviceListStore.pokes(cap: cap)), target,
                                                          timeoutMS: database.statementTimeout)
                merged.database = PokesDatabaseSide(
                    database: target.display, session: session, destinations: pokes.destinations,
                    conversion: pokes.conversion, errors: errors)
            }
            try printJSON(merged)
        } catch {
            throw failOnWire(error)
        }
    }
}
