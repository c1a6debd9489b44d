import Foundation
import SnapshotSupport
import Terminal
import Testing

/// Compares a screen with a snapshot file beside the tests: its text, then under a rule one
/// letter per cell for the element the cell is drawn as (`Snapshot.letters`), so a critical row
/// that loses its colour fails as surely as a changed word.
func expectSnapshot(_ screen: ScreenBuffer, named name: String, filePath: String = #filePath,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    SnapshotSupport.expectSnapshot(Snapshot.text(screen), named: name + ".txt", filePath: filePath,
                                   sourceLocation: sourceLocation)
}

enum Snapshot {
    /// A screen as its snapshot holds it.
    static func text(_ screen: ScreenBuffer) -> String {
        screen.text() + "\n" + rule + "\n" + elements(screen) + "\n"
    }

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
