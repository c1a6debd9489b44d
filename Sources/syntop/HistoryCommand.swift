import ArgumentParser
import Config
import Console
import EventLoop
import Foundation
import Glibc
import Postgres
import Settings
import Store

struct HistoryReport: Encodable {
    var user: String
    var database: String
    var session: SessionStore.Session
    /// Users whose ID starts with the one asked for, when it has no history.
    var matches: [UserStore.Match]?
    var limit: Int
    var before: Int64?
    /// The next page: pass it as --before.
    var nextBefore: Int64?
    var history: [MembershipStore.Event]
    var current: [MembershipStore.Current]
    var errors: [String]
}

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
        let (database, target) = try databaseOptions.required(context)
        do {
            // Users whose ID starts with the one asked for, when it has no history.
            let user = self.user
            let ((session, (page, matches)), errors) = try read(
                SessionStore.read.then(MembershipStore.page(user: user, before: before, limit: limit).followed { page in
                    page.events.isEmpty ? UserStore.search(prefix: user, limit: 20) : nil
                }), target, timeoutMS: database.statementTimeout)
            try printJSON(HistoryReport(
                user: user, database: target.display, session: session, matches: matches, limit: limit,
                before: before, nextBefore: page.nextBefore, history: page.events, current: page.current,
                errors: errors))
        } catch {
            throw failOnWire(error)
        }
    }
}
