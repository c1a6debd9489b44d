import ArgumentParser
import Contract

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
        try printingOnce {
            let observation = try observeMerged(settings, feeds: .deviceLists, reads: Documents.pokesReads(cap: cap))
            try printJSON(Documents.pokes(observation, listenedSeconds: settings.listen, limit: limit))
        }
    }
}
