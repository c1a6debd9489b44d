import Foundation
import Terminal
import Testing

/// Compares a screen with a snapshot file beside the tests: its text, then under a rule one
/// letter per cell for the element the cell is drawn as (`Snapshot.letters`), so a critical row
/// that loses its colour fails as surely as a changed word. SYNTOP_RECORD_SNAPSHOTS=1 rewrites
/// the files and fails the run, so a changed screen is always a reviewed change.
func expectSnapshot(_ screen: ScreenBuffer, named name: String, filePath: String = #filePath,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    let text = screen.text() + "\n" + Snapshot.rule + "\n" + Snapshot.elements(screen)
    let directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        .appendingPathComponent("__Snapshots__")
    let file = directory.appendingPathComponent(name + ".txt")
    let content = text + "\n"
    if ProcessInfo.processInfo.environment["SYNTOP_RECORD_SNAPSHOTS"] != nil {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try? content.write(to: file, atomically: true, encoding: .utf8)
        let message = "recorded snapshot \(file.lastPathComponent); run again without "
            + "SYNTOP_RECORD_SNAPSHOTS"
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
        return
    }
    guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
        let message = "no snapshot \(file.path); record it with SYNTOP_RECORD_SNAPSHOTS=1"
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
        return
    }
    #expect(content == expected, "screen differs from \(file.lastPathComponent)",
            sourceLocation: sourceLocation)
}

enum Snapshot {
    static let rule = "── elements: " + letters.sorted { $0.value < $1.value }.map { "\($0.value)=\($0.key.rawValue)" }
        .joined(separator: " ") + " ──"

    /// One letter per element; a space for normal text.
    static let letters: [ThemeElement: Character] = [
        .normal: " ", .frame: "f", .title: "t", .tab: "b", .tabActive: "B", .header: "h", .selected: "s",
        .muted: "m", .ok: "o", .warn: "w", .crit: "c", .key: "k", .status: "S", .input: "i", .sparkline: "p",
        .help: "H",
    ]

    /// The screen's elements, a line per row, trailing normal cells left out.
    static func elements(_ screen: ScreenBuffer) -> String {
        (0..<screen.size.height).map { y in
            var line = String((0..<screen.size.width).map { x in letters[screen[x, y].element] ?? "?" })
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
