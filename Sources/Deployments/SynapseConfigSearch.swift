import Config
import Foundation

/// Where the console finds Synapse's config when none is named: where Synapse's Debian package
/// keeps it, and a sentence saying what was tried.
public enum SynapseConfigSearch {
    public struct Found: Equatable, Sendable {
        public var text: String
        /// Nothing was there: the operator should name the config.
        public var warning: Bool
    }

    public static let candidates = ["/etc/matrix-synapse/homeserver.yaml", "/etc/matrix-synapse/conf.d",
                                    "/etc/matrix-synapse/workers"]

    /// The config the options name, or Debian's when they name no source at all.
    public static func config(_ source: WireSourceSettings, _ database: DatabaseSource) -> (SynapseConfig?, Found?) {
        let environment = ProcessInfo.processInfo.environment
        let named = source.redis != nil || source.replay != nil || database.settings.text(.db) != nil
            || environment["SYNTOP_REDIS"] != nil || environment["SYNTOP_DB"] != nil
        guard source.configPaths.isEmpty, !named else { return (source.loadConfig(), nil) }
        let found = candidates.filter { FileManager.default.fileExists(atPath: $0) }
        guard found.first == candidates[0] else {
            return (nil, Found(text: "no -c given and no /etc/matrix-synapse/homeserver.yaml (Debian's place): "
                               + "give -c homeserver.yaml -c workers/, or --redis and --db", warning: true))
        }
        return (ConfigLoader.load(paths: found), Found(text: "no -c given: read " + found.joined(separator: ", "), warning: false))
    }
}
