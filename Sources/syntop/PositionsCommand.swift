import ArgumentParser
import Contract

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
        try printingOnce {
            let observation = try observeMerged(settings, feeds: [], reads: Documents.positionsReads)
            try printJSON(Documents.positions(observation, listenedSeconds: settings.listen))
        }
    }
}
