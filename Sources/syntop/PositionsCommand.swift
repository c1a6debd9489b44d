import ArgumentParser
import Config
import Console
import EventLoop
import Foundation
import Glibc
import Replication
import Store
import Wire

struct PositionsDatabaseSide: Encodable {
    var database: String
    var session: SessionStore.Session
    var streams: [StreamPositionStore.Stream]
    var errors: [String]
}

struct PositionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "positions",
        abstract: "Stream positions per writer, on the replication wire and in the database.",
        discussion: """
            With --json: listens for --listen seconds (or reads a whole --replay file) when a Redis is known, \
            reads the database when one is known, and prints one JSON document.
            """)

    @OptionGroup var source: WireSourceOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try output.requireJSON(screen: "Positions", key: 3)
        let listen = output.listen
        let sources = try MergedSources(source, database)
        do {
            var merged = MergedOutput<PositionsReport, PositionsDatabaseSide>()
            if sources.hasWire {
                let (state, report, now) = try collectWire(source, config: sources.config, seconds: listen)
                merged.wire = PositionsReport(state, source: report, now: now,
                                              configured: sources.config?.configuredWriterKeys)
            }
            if let target = sources.database {
                let ((session, streams), errors) = try read(SessionStore.read.then(StreamPositionStore.read), target,
                                                            timeoutMS: database.statementTimeout)
                merged.database = PositionsDatabaseSide(database: target.display, session: session, streams: streams,
                                                        errors: errors)
            }
            try printJSON(merged)
        } catch {
            throw failOnWire(error)
        }
    }
}
