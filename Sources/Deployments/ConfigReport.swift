import Config
import Contract
import Foundation
import Settings

extension ConfigReport {
    /// What `syntop config` says of these settings: the file, every setting and its origin, and
    /// what they reach (Synapse's config, Redis, the database), secrets masked.
    public init(_ settings: Settings, themeFolders: [String]) {
        let wire = WireSourceSettings(settings: settings, probe: false, replay: nil)
        let config = wire.loadConfig()
        var redis: String
        if wire.hasRedis(config) {
            do {
                let endpoint = try wire.endpoint(config)
                redis = endpoint.description + (endpoint.username.map { " as \($0)" } ?? "")
                    + (endpoint.password == nil ? "" : ", password \(MaskedSecret.placeholder)")
                redis += (try? wire.resolvedServerName(config)).map { ", channel \($0)" } ?? ", no server_name"
            } catch {
                redis = "cannot be used: \(error)"
            }
        } else {
            redis = "none named"
        }
        let database = DatabaseSource(settings: settings).resolve(config)
            .map { MaskedSecret.conninfo($0.conninfo) + " (\($0.display))" } ?? "none named"
        let synapseProblems = config?.problems.count ?? 0
        self.init(
            file: ConfigReport.File(path: settings.filePath, exists: settings.file != nil,
                              used: settings.file.map { !$0.ignored } ?? false),
            context: settings.context, contextChosenBy: settings.contextChosenBy, contexts: settings.contextNames,
            themeFolders: themeFolders,
            settings: SettingKey.allCases.map { key in
                ConfigReport.Setting(key: key.rawValue,
                               value: settings.values[key].map { MaskedSecret.shown($0.value, key: key) },
                               from: settings.originText(key))
            },
            synapseConfig: wire.configPaths.map { path in
                path + (FileManager.default.fileExists(atPath: path) ? "" : " (missing)")
            } + (synapseProblems > 0 ? ["\(synapseProblems) problem(s) there: `syntop roles --json` lists them"] : []),
            redis: redis, database: database,
            problems: settings.problems.map(ProblemReport.init))
    }
}
