/// One database connection as Synapse's `database` or `databases` section gives it.
public struct DatabaseConfig: Equatable, Sendable {
    /// The `databases` entry name, or "main" for the single `database` section.
    public var name: String
    /// `main`, `state`, or both.
    public var dataStores: [String]
    /// `psycopg2` or `sqlite3`.
    public var engine: String
    /// libpq connection keywords from `args` (the pool settings `cp_*` left out).
    public var keywords: [String: String]
    public var file: String

    /// The keywords as a libpq connection string. Holds the password when the config does:
    /// hand it to libpq only, never show it.
    public var conninfo: String {
        keywords.sorted { $0.key < $1.key }.map { "\($0.key)=\(DatabaseConfig.quote($0.value))" }
            .joined(separator: " ")
    }

    /// The same without the password, for the header and errors.
    public var displayName: String {
        let host = keywords["host"] ?? "localhost"
        let port = keywords["port"].map { ":\($0)" } ?? ""
        let database = keywords["dbname"] ?? keywords["user"] ?? "?"
        return "\(keywords["user"].map { $0 + "@" } ?? "")\(host)\(port)/\(database)"
    }

    static func quote(_ value: String) -> String {
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
        return "'\(escaped)'"
    }
}

/// Synapse's `redis` section.
public struct RedisConfig: Equatable, Sendable {
    public var enabled = false
    public var host = "localhost"
    public var port = 6379
    /// A Unix socket; host and port are then ignored.
    public var path: String?
    public var username: String?
    public var password: String?
    /// Where the password is read from, when `password_path` is used.
    public var passwordPath: String?
    public var useTLS = false
    public var certificateFile: String?
    public var privateKeyFile: String?
    public var caFile: String?
    public var caPath: String?
    public var dbid: Int?
}

/// A worker's own file.
public struct WorkerConfig: Equatable, Sendable {
    /// The instance name: `worker_name`, or `worker_app` as Synapse defaults it.
    public var name: String
    public var app: String
    public var file: String
    /// Its `worker_listeners`.
    public var listeners: [ListenerConfig] = []
    /// Its own `enable_metrics`, where its file sets one.
    public var enableMetrics: Bool?
}

/// What syntop needs of a Synapse deployment's configuration: the shared config merged as
/// Synapse merges it, and each worker's file.
public struct SynapseConfig: Equatable, Sendable {
    public var files: [String] = []
    public var serverName: String?
    public var databases: [DatabaseConfig] = []
    public var redis = RedisConfig()
    /// Instance name (main as `master`) to its HTTP replication address, `host:port` or a path.
    public var instanceMap: [String: String] = [:]
    /// `stream_writers` key to its writers, `master` for main, Synapse's default where unset.
    public var streamWriters: [String: [String]] = [:]
    public var federationSenders: [String] = ["master"]
    public var pushers: [String] = ["master"]
    public var backgroundTasks = "master"
    public var appserviceNotifier: String? = "master"
    public var userDirectoryUpdater: String? = "master"
    public var mediaBackgroundJobs: String? = "master"
    public var outboundFederationRestrictedTo: [String] = []
    public var workers: [WorkerConfig] = []
    /// Main's `listeners`.
    public var mainListeners: [ListenerConfig] = []
    /// `enable_metrics`: main mounts its metrics resource, and `metrics` listeners serve, only with it.
    public var enableMetrics = false
    public var problems: [ConfigProblem] = []

    /// Keys of `stream_writers`, and how many writers each may have (nil: any number).
    public static let writerKeys: [(key: String, single: Bool)] = [
        ("events", false), ("typing", true), ("to_device", true), ("account_data", true),
        ("receipts", false), ("presence", true), ("push_rules", true), ("device_lists", false),
        ("thread_subscriptions", false), ("quarantined_media_changes", false),
    ]

    /// The wire streams each `stream_writers` key stands for.
    public static let streamsOfWriterKey: [String: [String]] = [
        "events": ["events", "backfill", "sticky_events", "profile_updates"],
        "typing": ["typing"], "to_device": ["to_device"], "account_data": ["account_data"],
        "receipts": ["receipts"], "presence": ["presence", "presence_federation"], "push_rules": ["push_rules"],
        "device_lists": ["device_lists"], "thread_subscriptions": ["thread_subscriptions"],
        "quarantined_media_changes": ["quarantined_media"],
    ]
}
