import Deployments
import ArgumentParser
import Contract
import Foundation
import Observation
import Wire

/// `syntop token`: what a client's or a log's token holds, and whether it is ahead of what
/// the streams have written (a client waiting for a position that does not exist yet).
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Decode a sync or pagination token and put each position beside its writers' in the database.",
        discussion: """
            Takes a /sync next_batch, a /messages from or to, or sliding sync's <position>/<token>. \
            Exit 0: every position at or below what its stream has written (or no database to compare \
            with); 1: a position ahead of it, which a client would wait on; 2: a malformed token, \
            or a database that cannot be read.
            """)

    @Argument(help: "The token, e.g. s72594_4483_1934_13_0_1_0_9_0_1_0_0_0.")
    var token: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @OptionGroup var databaseOptions: DatabaseOnlyOptions

    @OptionGroup var context: ContextOption

    func run() throws {
        let decoded: SyncToken
        do {
            decoded = try SyncToken.parse(token)
        } catch {
            FileHandle.standardError.write(Data("syntop: token: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let (database, target) = try databaseOptions.resolve(context)
        var report: TokenReport?
        try printingOnce {
            let deployment = Deployment(database: target, database)
            let observation = target == nil ? Observation()
                : try observeOnce(deployment, feeds: [], reads: Documents.tokenReads(token), listen: 0)
            let made = Documents.token(observation, token: token, decoded: decoded)
            report = made
            if json {
                try printJSON(made)
            } else {
                print(TokenText.render(made.check, database: target?.display))
                for error in made.errors { print("database: \(error)") }
            }
        }
        guard let report else { return }
        if !report.errors.isEmpty { throw ExitCode(2) }
        if !report.check.ahead.isEmpty { throw ExitCode(1) }
    }
}
