import Foundation
import Observation

/// `syntop token` without --json: each field of a token, its position and its writers'.
public enum TokenText {
    public static func render(_ check: TokenCheck, database: String?) -> String {
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
