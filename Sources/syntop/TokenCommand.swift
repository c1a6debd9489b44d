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
            Takes a /sync next_batch, a /messages from or to, or sliding sync's <position>/<token>, \
            read as Synapse reads it: what Synapse refuses is refused, naming the field and why. \
            With -, takes a token a line from standard input (with --json, a document a line). \
            Exit 0: every position at or below what its stream has written (or no database to compare \
            with); 1: a position ahead of it, which a client would wait on; 2: a malformed token, \
            or a database that cannot be read.
            """)

    @Argument(help: "The token, e.g. s72594_4483_1934_13_0_1_0_9_0_1_0_0_0, or - for a token a line from standard input.")
    var token: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @OptionGroup var databaseOptions: DatabaseOnlyOptions

    @OptionGroup var context: ContextOption

    func run() throws {
        if token == "-" { return try runLines() }
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
            let observation = try observe(database, target, reads: Documents.tokenReads(token))
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

    /// Every line of standard input a token (without its newline, nothing else trimmed); the
    /// database is read once for all of them.
    private func runLines() throws {
        var input = FileHandle.standardInput.readDataToEndOfFile()[...]
        if input.last == UInt8(ascii: "\n") { input = input.dropLast() }
        let lines = input.isEmpty ? [] : input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        let (database, target) = try databaseOptions.resolve(context)
        var refused = false, ahead = false, failed = false
        try printingOnce {
            let observation = try observe(database, target, reads: Documents.tokenReads("-"))
            for (index, line) in lines.enumerated() {
                if !json && index > 0 { print("") }
                do {
                    let made = Documents.token(observation, token: line, decoded: try SyncToken.parse(line), readFor: "-")
                    ahead = ahead || !made.check.ahead.isEmpty
                    failed = failed || !made.errors.isEmpty
                    if json {
                        FileHandle.standardOutput.write(try JSONDocument.line(made))
                    } else {
                        print("line \(index + 1):")
                        print(TokenText.render(made.check, database: target?.display))
                        for error in made.errors { print("database: \(error)") }
                    }
                } catch let problem as SyncToken.Problem {
                    refused = true
                    if json {
                        FileHandle.standardOutput.write(try JSONDocument.line(TokenRefusal(token: line, refused: problem.description)))
                    } else {
                        print("line \(index + 1): refused: \(problem)")
                    }
                }
            }
        }
        if refused || failed { throw ExitCode(2) }
        if ahead { throw ExitCode(1) }
    }

    private func observe(_ database: DatabaseSource, _ target: (conninfo: String, display: String)?, reads: [DatabaseRead]) throws -> Observation {
        guard target != nil else { return Observation() }
        return try observeOnce(Deployment(database: target, database), feeds: [], reads: reads, listen: 0)
    }
}
