import Foundation
import Testing

/// Compares text with a snapshot file beside the tests. SYNTOP_RECORD_SNAPSHOTS=1 rewrites the
/// files and fails the run, so a changed screen is always a reviewed change.
func expectSnapshot(_ text: String, named name: String, filePath: String = #filePath,
                    sourceLocation: SourceLocation = #_sourceLocation) {
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
