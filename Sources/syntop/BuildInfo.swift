import Foundation

/// Which commit a binary was built from: a package says so in `share/syntop/build-info` beside
/// its `bin/` (written by scripts/package); a binary in a checkout's `.build` finds the
/// checkout's HEAD.
enum BuildInfo {
    static func commit(executablePath: String) -> String? {
        let binary = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        let packaged = binary.appendingPathComponent("../share/syntop/build-info").standardizedFileURL.path
        if let text = try? String(contentsOfFile: packaged, encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("commit ") }) {
            return String(line.dropFirst("commit ".count))
        }
        var directory = binary
        for _ in 0..<6 {
            let git = directory.appendingPathComponent(".git").path
            if let head = try? String(contentsOfFile: git + "/HEAD", encoding: .utf8) {
                return resolve(head.trimmingCharacters(in: .whitespacesAndNewlines), git: git)
            }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    /// HEAD is a commit, or `ref: refs/heads/...` found loose or in packed-refs.
    private static func resolve(_ head: String, git: String) -> String? {
        guard head.hasPrefix("ref: ") else { return String(head.prefix(12)) }
        let ref = String(head.dropFirst("ref: ".count))
        if let loose = try? String(contentsOfFile: git + "/" + ref, encoding: .utf8) {
            return String(loose.trimmingCharacters(in: .whitespacesAndNewlines).prefix(12))
        }
        let packed = (try? String(contentsOfFile: git + "/packed-refs", encoding: .utf8)) ?? ""
        for line in packed.split(separator: "\n") where line.hasSuffix(" " + ref) {
            return String(line.prefix(12))
        }
        return nil
    }
}
