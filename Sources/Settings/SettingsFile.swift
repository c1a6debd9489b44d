import Config
import Findings
import Foundation
import Yams

/// syntop's own config file: defaults for the options at the top level, and `contexts`, one
/// per deployment, each of which may set any of the same keys. `context:` names the one used
/// when none is asked for.
public struct SettingsFile: Equatable, Sendable {
    /// A value, and the line it is on.
    public struct Entry: Equatable, Sendable {
        public var value: SettingValue
        public var line: Int?
    }

    public struct Context: Equatable, Sendable {
        public var name: String
        public var values: [SettingKey: Entry]
    }

    public struct ContextName: Equatable, Sendable {
        public var name: String
        public var line: Int?
    }

    public var path: String
    public var defaults: [SettingKey: Entry] = [:]
    public var contexts: [Context] = []
    public var defaultContext: ContextName?
    public var problems: [ConfigProblem] = []
    /// Nothing of the file applies: it could not be read, or is not YAML of the right shape.
    public var ignored = false

    public func context(named name: String) -> Context? {
        contexts.first { $0.name == name }
    }

    /// `$XDG_CONFIG_HOME/syntop/config.yaml`, else `~/.config/syntop/config.yaml`.
    public static func location(environment: [String: String]) -> String? {
        if let base = environment["XDG_CONFIG_HOME"], base.hasPrefix("/") { return base + "/syntop/config.yaml" }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.config/syntop/config.yaml"
    }

    /// nil when there is no file at `path`; a file that cannot be read comes back ignored.
    public static func load(path: String, home: String?) -> SettingsFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            return unusable(path, ConfigProblem(.critical, file: path, "cannot be read"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return unusable(path, ConfigProblem(.critical, file: path, "is not UTF-8"))
        }
        return parse(text, path: path, home: home)
    }

    static func unusable(_ path: String, _ problem: ConfigProblem) -> SettingsFile {
        var file = SettingsFile(path: path)
        file.problems = [problem]
        file.ignored = true
        return file
    }

    public static func parse(_ text: String, path: String, home: String?) -> SettingsFile {
        var reader = SettingsReader(file: SettingsFile(path: path), home: home)
        reader.read(text)
        return reader.file
    }
}

struct SettingsReader {
    var file: SettingsFile
    var home: String?

    mutating func problem(_ severity: Severity, _ node: Node?, key: String?, _ message: String) {
        file.problems.append(ConfigProblem(severity, file: file.path, line: node?.mark?.line, key: key, message))
    }

    mutating func read(_ text: String) {
        let root: Node?
        switch YAMLDocument.compose(text, file: file.path) {
        case .success(let document):
            root = document
        case .failure(let problem):
            file.problems.append(problem)
            file.ignored = true
            return
        }
        guard let root, root.null == nil else { return }
        guard let mapping = root.mapping else {
            problem(.critical, root, key: nil, "the top level must be a mapping of keys")
            file.ignored = true
            return
        }
        for (keyNode, value) in mapping {
            guard let name = keyNode.string else {
                problem(.warning, keyNode, key: nil, "a key must be text (ignored)")
                continue
            }
            switch name {
            case "context":
                guard let context = value.scalar?.string, !context.isEmpty else {
                    problem(.warning, value, key: name, "must name one of the contexts (ignored)")
                    continue
                }
                file.defaultContext = SettingsFile.ContextName(name: context, line: value.mark?.line)
            case "contexts":
                readContexts(value)
            default:
                if let (key, entry) = setting(name, value, path: name) { file.defaults[key] = entry }
            }
        }
        if let chosen = file.defaultContext, file.context(named: chosen.name) == nil {
            file.problems.append(ConfigProblem(.warning, file: file.path, line: chosen.line, key: "context",
                                               "no context '\(chosen.name)' under contexts (ignored)"))
            file.defaultContext = nil
        }
    }

    mutating func readContexts(_ node: Node) {
        if node.null != nil { return }
        guard let mapping = node.mapping else {
            problem(.warning, node, key: "contexts", "must be a mapping of context names (ignored)")
            return
        }
        for (nameNode, body) in mapping {
            guard let name = nameNode.string, !name.isEmpty, !name.contains(where: \.isWhitespace) else {
                problem(.warning, nameNode, key: "contexts", "a context's name must be text without spaces (ignored)")
                continue
            }
            var context = SettingsFile.Context(name: name, values: [:])
            if let entries = body.mapping {
                for (keyNode, value) in entries {
                    let keyName = keyNode.string ?? "?"
                    if let (key, entry) = setting(keyName, value, path: "contexts.\(name).\(keyName)") {
                        context.values[key] = entry
                    }
                }
            } else if body.null == nil {
                problem(.warning, body, key: "contexts.\(name)", "must be a mapping of settings (ignored)")
                continue
            }
            file.contexts.append(context)
        }
    }

    /// One setting, checked; nil (and a problem) when it does not apply.
    mutating func setting(_ name: String, _ node: Node, path: String) -> (SettingKey, SettingsFile.Entry)? {
        guard let key = SettingKey(rawValue: name) else {
            let candidates = SettingKey.allCases.map(\.rawValue) + (path == name ? ["context", "contexts"] : [])
            let hint = SettingKey.closest(to: name, in: candidates).map { "did you mean \($0)?" }
                ?? "the keys are " + SettingKey.allCases.map(\.rawValue).joined(separator: ", ")
            problem(.warning, node, key: path, "unknown key (ignored); \(hint)")
            return nil
        }
        if node.null != nil { return nil }
        var value: SettingValue
        do throws(SettingError) {
            if key.kind == .hosts {
                guard let mapping = node.mapping else { throw SettingError("must be a mapping of instance names to hosts") }
                var hosts: [String: String] = [:]
                for (name, host) in mapping {
                    guard let name = name.string, let host = host.scalar?.string,
                          case .hosts(let one) = try key.value(name + "=" + host) else {
                        throw SettingError("must be a mapping of instance names to hosts")
                    }
                    hosts.merge(one) { _, new in new }
                }
                value = .hosts(hosts)
            } else if key.kind == .paths {
                let items = node.sequence.map(Array.init) ?? [node]
                let paths = items.compactMap { $0.scalar?.string }
                guard paths.count == items.count, !paths.contains("") else {
                    throw SettingError("must be a path or a list of paths")
                }
                value = .paths(paths)
            } else if let scalar = node.scalar {
                value = try key.value(scalar.string)
            } else if key.kind == .pair, let items = node.sequence, items.count == 2,
                      let warning = items[0].scalar?.string, let critical = items[1].scalar?.string {
                value = try key.value(warning + "," + critical)
            } else {
                throw SettingError("must be a single value")
            }
        } catch {
            problem(.warning, node, key: path, "\(error.message) (ignored; \(key.builtInText) applies)")
            return nil
        }
        value = resolvingPaths(value, key: key)
        if MaskedSecret.holdsPassword(value, key: key) {
            problem(.warning, node, key: path,
                    "holds a password: the file never needs one; name redis_password_file, a libpq service or .pgpass")
        }
        return (key, SettingsFile.Entry(value: value, line: node.mark?.line))
    }

    /// `~/` is the home folder; a relative path is relative to the config file's folder. A
    /// theme without a slash is a theme's name, not a path.
    func resolvingPaths(_ value: SettingValue, key: SettingKey) -> SettingValue {
        switch (key.kind, value) {
        case (.paths, .paths(let paths)):
            return .paths(paths.map(resolve))
        case (.path, .text(let path)) where key != .theme || path.contains("/"):
            return .text(resolve(path))
        default:
            return value
        }
    }

    func resolve(_ path: String) -> String {
        if path == "~" || path.hasPrefix("~/"), let home { return home + path.dropFirst() }
        if path.hasPrefix("/") || path.hasPrefix("~") { return path }
        let folder = (file.path as NSString).deletingLastPathComponent
        return (folder.isEmpty ? "." : folder) + "/" + path
    }
}
