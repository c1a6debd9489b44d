import Foundation
import Testing

/// Compares a text with the snapshot file `name` in the `__Snapshots__` folder beside the test
/// file `filePath`. SYNTOP_RECORD_SNAPSHOTS=1 rewrites the file and fails the run, so a changed
/// snapshot is always a reviewed change.
public func expectSnapshot(_ text: String, named name: String, filePath: String = #filePath,
                           sourceLocation: SourceLocation = #_sourceLocation) {
    let file = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("__Snapshots__/" + name)
    if ProcessInfo.processInfo.environment["SYNTOP_RECORD_SNAPSHOTS"] != nil {
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? text.write(to: file, atomically: true, encoding: .utf8)
        Issue.record(Comment(rawValue: "recorded snapshot \(name); run again without SYNTOP_RECORD_SNAPSHOTS"),
                     sourceLocation: sourceLocation)
        return
    }
    guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
        Issue.record(Comment(rawValue: "no snapshot \(file.path); record it with SYNTOP_RECORD_SNAPSHOTS=1"),
                     sourceLocation: sourceLocation)
        return
    }
    #expect(text == expected, "\(name) differs from its snapshot", sourceLocation: sourceLocation)
}
