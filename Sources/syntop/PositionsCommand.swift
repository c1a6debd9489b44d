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
        discussion: OutputOptions.mergedDiscussion)

    @OptionGroup var source: WireSourceOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var context: ContextOption

    func run() throws {
        try output.requireJSON(screen: "Positions", key: 3)
        let settings = try ScreenSettings(source, database, output, context)
        let database = settings.database
        try printMerged(settings, feeds: [], wire: { state, report, now, config in
            PositionsReport(state, source: report, now: now, configured: config?.configuredWriterKeys)
        }, database: { target in
            let ((session, streams), errors) = try read(SessionStore.read.then(StreamPositionStore.read), target,
                                                        timeoutMS: database.statementTimeout)
            return PositionsDatabaseSide(database: target.display, session: session, streams: streams, errors: errors)
        })
    }
}
