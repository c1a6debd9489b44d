import Config
import Findings

/// The settings a command runs with: each from the command line, else the chosen context, else
/// the file's top level, else syntop's own default.
public struct Settings: Equatable, Sendable {
    public enum Origin: Equatable, Sendable {
        case commandLine
        case context(String, line: Int?)
        case file(line: Int?)
        case builtIn
    }

    public struct Entry: Equatable, Sendable {
        public var value: SettingValue
        public var origin: Origin
    }

    /// A context asked for by name, and by what.
    public struct ContextRequest: Equatable, Sendable {
        public var name: String
        /// `--context` or `$SYNTOP_CONTEXT`.
        public var by: String

        public init(_ name: String, by: String) {
            self.name = name
            self.by = by
        }
    }

    /// Where the file is looked for; nil without a home folder.
    public var filePath: String?
    /// nil when there is no file.
    public var file: SettingsFile?
    public var context: String?
    /// What chose the context, as shown: `--context`, `$SYNTOP_CONTEXT` or the file's `context:`.
    public var contextChosenBy: String?
    public var values: [SettingKey: Entry] = [:]

    public var problems: [ConfigProblem] { file?.problems ?? [] }
    public var contextNames: [String] { file?.contexts.map(\.name) ?? [] }

    /// Throws when a context is asked for that the file does not have, or cannot give (the
    /// file cannot be used). Without a request, a file that cannot be used gives the defaults,
    /// and its problems say why.
    ///
    /// The deployment keys (`SettingKey.isDeployment`) come as one group, from the highest layer
    /// that names any of them, so that two deployments never mix: the command line (or
    /// `commandLineNamesDeployment`, for a `--replay`), the context, the file's top level. A
    /// context asked for by name is the deployment, and the command line overrides it key by key.
    public static func resolve(file: SettingsFile?, filePath: String?, commandLine: [SettingKey: SettingValue],
                               commandLineNamesDeployment: Bool = false,
                               request: ContextRequest?) throws(SettingError) -> Settings {
        var settings = Settings(filePath: filePath, file: file)
        let usable = file.flatMap { $0.ignored ? nil : $0 }
        var context: SettingsFile.Context?
        if let request {
            if let usable {
                guard let named = usable.context(named: request.name) else {
                    let known = usable.contexts.map(\.name)
                    throw SettingError("\(request.by) \(request.name): no such context in \(usable.path); "
                                       + (known.isEmpty ? "it has none" : "it has " + known.joined(separator: ", ")))
                }
                context = named
                settings.contextChosenBy = request.by
            } else if let file {
                throw SettingError("\(request.by) \(request.name): \(file.path) cannot be used, "
                                   + "`syntop config` says why" + (file.problems.first.map { "; first: \($0)" } ?? ""))
            } else {
                throw SettingError("\(request.by) \(request.name): there is no config file "
                                   + (filePath.map { "at \($0)" } ?? "(no $HOME)") + " to hold contexts")
            }
        } else if let usable, let chosen = usable.defaultContext {
            context = usable.context(named: chosen.name)
            settings.contextChosenBy = "the file's context: key" + (chosen.line.map { ", line \($0)" } ?? "")
        }
        settings.context = context?.name
        let commandLineDeployment = commandLineNamesDeployment || commandLine.keys.contains(where: \.isDeployment)
        let contextDeployment = context?.values.keys.contains(where: \.isDeployment) ?? false
        for key in SettingKey.allCases {
            if key.isDeployment, commandLine[key] == nil {
                let entry: Entry?
                if commandLineDeployment && request == nil {
                    entry = nil
                } else if let context, contextDeployment {
                    entry = context.values[key].map { Entry(value: $0.value, origin: .context(context.name, line: $0.line)) }
                } else {
                    entry = usable?.defaults[key].map { Entry(value: $0.value, origin: .file(line: $0.line)) }
                }
                settings.values[key] = entry ?? key.builtIn.map { Entry(value: $0, origin: .builtIn) }
                continue
            }
            if let value = commandLine[key] {
                settings.values[key] = Entry(value: value, origin: .commandLine)
            } else if let context, let entry = context.values[key] {
                settings.values[key] = Entry(value: entry.value, origin: .context(context.name, line: entry.line))
            } else if let entry = usable?.defaults[key] {
                settings.values[key] = Entry(value: entry.value, origin: .file(line: entry.line))
            } else if let value = key.builtIn {
                settings.values[key] = Entry(value: value, origin: .builtIn)
            }
        }
        return settings
    }

    public func text(_ key: SettingKey) -> String? {
        guard case .text(let text) = values[key]?.value else { return nil }
        return text
    }

    public func flag(_ key: SettingKey) -> Bool {
        guard case .flag(let flag) = values[key]?.value else { return false }
        return flag
    }

    public func number(_ key: SettingKey) -> Double? {
        guard case .number(let number) = values[key]?.value else { return nil }
        return number
    }

    public func hosts(_ key: SettingKey) -> [String: String] {
        guard case .hosts(let hosts) = values[key]?.value else { return [:] }
        return hosts
    }

    public func paths(_ key: SettingKey) -> [String] {
        guard case .paths(let paths) = values[key]?.value else { return [] }
        return paths
    }

    /// A `WARNING,CRITICAL` pair; values were checked when they were read.
    public func pair(_ key: SettingKey) -> (warning: Double, critical: Double)? {
        guard let parts = text(key)?.split(separator: ",").compactMap({ Double($0) }), parts.count == 2 else { return nil }
        return (parts[0], parts[1])
    }

    /// Where a value came from, as `syntop config` shows it.
    public func originText(_ key: SettingKey) -> String {
        let file = (filePath ?? "config.yaml").split(separator: "/").last.map(String.init) ?? "config.yaml"
        switch values[key]?.origin {
        case .commandLine: return "command line (\(key.option))"
        case .context(let name, let line): return "context \(name), \(file)" + (line.map { ":\($0)" } ?? "")
        case .file(let line): return file + (line.map { ":\($0)" } ?? "")
        case .builtIn: return "default"
        case nil: return "default: \(key.withoutValue)"
        }
    }
}

extension Settings {
    /// One line for the problems of the file, or nil when it has none.
    public var problemSummary: String? {
        guard let first = problems.first else { return nil }
        let fallback = file?.ignored == true ? "the file is not used, the defaults apply" : "defaults apply where they are"
        return "syntop's config: \(problems.count) problem(s), \(fallback); first: \(first)"
    }

    /// What a setting that names the deployment is called where it came from, for messages.
    public func sourceName(_ key: SettingKey) -> String {
        switch values[key]?.origin {
        case .context(let name, _): "context \(name)'s \(key.rawValue)"
        case .file: "the config file's \(key.rawValue)"
        default: key.option
        }
    }
}
