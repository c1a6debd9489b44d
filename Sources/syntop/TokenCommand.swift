import ArgumentParser
import Config
import Console
import Foundation
import Settings
import Store
import Wire

struct TokenReport: Encodable {
    var token: String
    var database: String?
    var check: TokenCheck
    var ahead: [String]
    var errors: [String]
}

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
        var streams: [StreamPositionStore.Stream]?
        var instances: [Int64: String] = [:]
        var errors: [String] = []
        if let target {
            do {
                ((streams, instances), errors) = try read(StreamPositionStore.read.then(InstanceMapStore.read), target,
                                                          timeoutMS: database.statementTimeout)
            } catch {
                throw failOnWire(error)
            }
        }
        let check = TokenCheck.compare(decoded, streams: streams, instances: instances)
        if json {
            try printJSON(TokenReport(token: token, database: target?.display, check: check,
                                      ahead: check.ahead.map(\.name), errors: errors))
        } else {
            print(Self.text(check, database: target?.display))
            for error in errors { print("database: \(error)") }
        }
        if !errors.isEmpty { throw ExitCode(2) }
        if !check.ahead.isEmpty { throw ExitCode(1) }
    }

    static func text(_ check: TokenCheck, database: String?) -> String {
        var lines: [String] = []
        if let position = check.connectionPosition { lines.append("sliding sync connection position \(position)") }
        let names = check.fields.map { field in field.name + (field.stream.map { $0 == field.name ? "" : " (\($0))" } ?? "") }
        let width = (names.map(\.count).max() ?? 0) + 2
        lines.append("field".padding(toLength: width, withPad: " ", startingAt: 0)
                     + "token".padding(toLength: 22, withPad: " ", startingAt: 0)
                     + (database == nil ? "" : "written   writers (token / database)"))
        for (field, name) in zip(check.fields, names) {
            var line = name.padding(toLength: width, withPad: " ", startingAt: 0)
                + field.token.padding(toLength: max(22, field.token.count + 1), withPad: " ", startingAt: 0)
            if database != nil {
                line += (field.written.map(String.init) ?? "-").padding(toLength: 10, withPad: " ", startingAt: 0)
                line += field.writers.map { "\($0.instance) \($0.token.map(String.init) ?? "-")/\($0.database.map(String.init) ?? "-")" }
                    .joined(separator: ", ")
            }
            if field.ahead { line += "  AHEAD: \(field.furthest) was never written" }
            if let note = field.note, database != nil || field.stream == nil { line += "  (\(note))" }
            lines.append(line)
        }
        lines.append(database.map { check.ahead.isEmpty ? "every position is at or below its stream's in \($0)"
                                        : "\(check.ahead.count) position(s) ahead of \($0): a client waits on them" }
                     ?? "no database given (--db, -c or a context): decoded only")
        return lines.joined(separator: "\n")
    }
}
