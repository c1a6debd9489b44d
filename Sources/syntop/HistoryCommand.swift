import ArgumentParser
import Contract

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "A user's joins, leaves, invites, bans and kicks, newest first, including rooms the server has left.")

    @Argument(help: "The full user ID, e.g. @alice:example.com.")
    var user: String

    @OptionGroup var databaseOptions: DatabaseOnlyOptions

    @Flag(help: "Print JSON and exit instead of opening the console.")
    var json = false

    @Option(help: "Membership events per page.")
    var limit = 100

    @Option(help: ArgumentHelp("Only events older than this stream ordering (the next_before of a page).",
                               valueName: "ordering"))
    var before: Int64?

    @OptionGroup var context: ContextOption

    func run() throws {
        guard json else { throw ValidationError("the console's History screen is `syntop` then 4; use --json here") }
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit takes 1 to 10000") }
        let deployment = try databaseOptions.deployment(context)
        try printingOnce {
            let observation = try observeOnce(
                deployment, feeds: [], reads: Documents.historyReads(user: user, before: before, limit: limit), listen: 0)
            try printJSON(Documents.history(observation, user: user, before: before, limit: limit))
        }
    }
}
