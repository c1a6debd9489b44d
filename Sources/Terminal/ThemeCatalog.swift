import Foundation

/// A theme file found on disk.
public struct ThemeFile: Equatable, Sendable {
    public var name: String
    public var path: String
}

/// The outcome of choosing a theme: what is used, from where, and what went wrong on the way.
public struct ThemeChoice: Equatable, Sendable {
    public var theme: Theme
    /// The file it came from, or "built-in".
    public var source: String
    public var issues: [ThemeIssue]
    /// A sentence for the status line when the theme is not the one asked for.
    public var notice: String?
}

/// Finds themes: a path, or a name looked up in the user's folder
/// (`$XDG_CONFIG_HOME/syntop/themes`), then the bundled `themes/` folder, then the built-ins.
public struct ThemeCatalog: Sendable {
    public var userDirectory: String?
    public var bundledDirectory: String?

    public init(userDirectory: String?, bundledDirectory: String?) {
        self.userDirectory = userDirectory
        self.bundledDirectory = bundledDirectory
    }

    /// The user's theme folder from the environment, as the XDG base directory spec puts it.
    public static func userDirectory(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            return xdg + "/syntop/themes"
        }
        if let home = environment["HOME"], !home.isEmpty {
            return home + "/.config/syntop/themes"
        }
        return nil
    }

    /// The bundled `themes/` folder: beside the repository the binary was built in
    /// (`.build/<triple>/<config>/syntop`), or `share/syntop/themes` of an installed prefix.
    public static func bundledDirectory(executablePath: String) -> String? {
        var directory = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        var candidates = [directory.appendingPathComponent("../share/syntop/themes").path]
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent("themes").path)
            directory = directory.deletingLastPathComponent()
        }
        return candidates.first { path in
            FileManager.default.fileExists(atPath: path + "/default.theme")
        }.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
    }

    /// Every theme file, a user's file hiding a bundled one of the same name.
    public func files() -> [ThemeFile] {
        var byName: [String: ThemeFile] = [:]
        for directory in [bundledDirectory, userDirectory].compactMap({ $0 }) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for entry in names where entry.hasSuffix(".theme") {
                let name = String(entry.dropLast(".theme".count))
                byName[name] = ThemeFile(name: name, path: directory + "/" + entry)
            }
        }
        return byName.values.sorted { $0.name < $1.name }
    }

    static func isPath(_ request: String) -> Bool {
        request.contains("/") || request.hasSuffix(".theme")
    }

    /// Loads a theme file; a missing or unreadable file is an issue, not a failure.
    public static func load(path: String, name: String) -> (Theme?, [ThemeIssue]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            return (nil, [ThemeIssue(file: path, line: 0, message: "cannot be read")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return (nil, [ThemeIssue(file: path, line: 0, message: "is not UTF-8 text")])
        }
        let (theme, issues) = ThemeParser.parse(text, name: name, file: path)
        return (theme, issues)
    }

    /// Chooses the theme for `request` (a name or a path; nil means "default").
    public func choose(_ request: String?) -> ThemeChoice {
        let wanted = request ?? "default"
        let path: String?
        let name: String
        if ThemeCatalog.isPath(wanted) {
            path = wanted
            name = URL(fileURLWithPath: wanted).deletingPathExtension().lastPathComponent
        } else {
            name = wanted
            path = [userDirectory, bundledDirectory].compactMap { $0 }
                .map { $0 + "/" + wanted + ".theme" }
                .first { FileManager.default.fileExists(atPath: $0) }
        }
        if let path {
            let (theme, issues) = ThemeCatalog.load(path: path, name: name)
            if let theme {
                let notice = issues.isEmpty ? nil
                    : "theme \(name): \(issues.count) problem(s), see 'syntop themes'"
                return ThemeChoice(theme: theme, source: path, issues: issues, notice: notice)
            }
            return ThemeChoice(theme: .builtinDefault, source: "built-in", issues: issues,
                               notice: "theme \(path) \(issues.first?.message ?? "failed"); "
                                   + "using the built-in default")
        }
        switch name {
        case "default": return ThemeChoice(theme: .builtinDefault, source: "built-in", issues: [])
        case "mono": return ThemeChoice(theme: .builtinMono, source: "built-in", issues: [])
        default:
            let issue = ThemeIssue(file: name, line: 0, message: "no such theme")
            return ThemeChoice(theme: .builtinDefault, source: "built-in", issues: [issue],
                               notice: "no theme named '\(name)'; using the built-in default")
        }
    }
}

extension Theme {
    /// Whether any element sets a colour (a theme that needs no colour keeps working with
    /// colour off).
    public var usesColour: Bool {
        styles.values.contains { $0.foreground != .terminalDefault || $0.background != .terminalDefault }
    }
}
