import Findings
import Foundation
import Yams

/// Reads Synapse's config files as Synapse does: every file that is not a worker's merges into
/// the shared config, later top-level keys winning; a file with `worker_app` or `worker_name`
/// is a worker's own.
public enum ConfigLoader {
    /// Files, or directories whose `*.yaml` files are read in name order.
    public static func load(paths: [String]) -> SynapseConfig {
        var sources: [(file: String, text: String)] = []
        var problems: [ConfigProblem] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                problems.append(ConfigProblem(.critical, file: path, "no such file or directory"))
                continue
            }
            let files: [String]
            if isDirectory.boolValue {
                let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files = entries.filter { $0.hasSuffix(".yaml") }.sorted().map { path + "/" + $0 }
            } else {
                files = [path]
            }
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    problems.append(ConfigProblem(.critical, file: file, "cannot be read"))
                    continue
                }
                guard let text = String(data: data, encoding: .utf8) else {
                    problems.append(ConfigProblem(.critical, file: file, "is not UTF-8"))
                    continue
                }
                sources.append((file, text))
            }
        }
        var config = parse(sources)
        config.problems = problems + config.problems
        return config
    }

    public static func parse(_ sources: [(file: String, text: String)]) -> SynapseConfig {
        var reader = Reader()
        for source in sources { reader.read(source.file, source.text) }
        return reader.finish()
    }
}

/// A value found in a file, with where it was.
struct Located {
    var node: Node
    var file: String
    var key: String

    var line: Int? { node.mark?.line }
}

struct Reader {
    var config = SynapseConfig()
    var shared: [String: Located] = [:]
    var workerFiles: [(file: String, values: [String: Located])] = []
    /// Where each stream_writers key was set, for problems about it.
    var writerLocations: [String: Located] = [:]

    mutating func problem(_ severity: Severity, _ at: Located?, _ message: String, file: String? = nil) {
        config.problems.append(ConfigProblem(severity, file: at?.file ?? file ?? "?", line: at?.line,
                                             key: at?.key, message))
    }

    mutating func read(_ file: String, _ text: String) {
        config.files.append(file)
        let root: Node?
        switch YAMLDocument.compose(text, file: file) {
        case .success(let document):
            root = document
        case .failure(let problem):
            config.problems.append(problem)
            return
        }
        guard let root else { return }
        guard let mapping = root.mapping else {
            config.problems.append(ConfigProblem(.critical, file: file, line: root.mark?.line,
                                                 "the top level must be a mapping of keys"))
            return
        }
        var values: [String: Located] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { continue }
            values[name] = Located(node: value, file: file, key: name)
        }
        let app = values["worker_app"]?.node.string
        if values["worker_name"] != nil || (app != nil && app != "synapse.app.homeserver") {
            workerFiles.append((file, values))
        } else {
            for (key, value) in values { shared[key] = value }
        }
    }

    // MARK: typed access

    func string(_ key: String) -> String? {
        guard let located = shared[key], located.node.null == nil else { return nil }
        return located.node.string
    }

    mutating func instances(_ key: String) -> [String]? {
        guard let located = shared[key], located.node.null == nil else { return nil }
        if let single = located.node.scalar?.string { return [normalized(single, at: located)] }
        guard let sequence = located.node.sequence else {
            problem(.critical, located, "must be an instance name or a list of them")
            return nil
        }
        return sequence.compactMap { item in item.string.map { normalized($0, at: located) } }
    }

    /// `main` is only instance_map's key for main: anywhere else Synapse takes it for a worker
    /// called "main".
    mutating func normalized(_ name: String, at located: Located) -> String {
        if name == "main" {
            problem(.critical, located, "'main' names main only inside instance_map; elsewhere it is 'master' "
                    + "(Synapse's workers refuse this config, main ignores it)")
        }
        return name
    }

    // MARK: sections

    mutating func finish() -> SynapseConfig {
        config.serverName = string("server_name")
        if config.serverName == nil {
            problem(.critical, nil, "no server_name", file: config.files.first)
        }
        readDatabases()
        readRedis()
        config.mainListeners = listeners(shared["listeners"])
        config.enableMetrics = shared["enable_metrics"]?.node.bool ?? false
        readInstanceMap()
        readStreamWriters()
        readDuties()
        readWorkers()
        checkLegacy()
        checkWriters()
        return config
    }

    mutating func readDatabases() {
        if let databases = shared["databases"] {
            guard let mapping = databases.node.mapping else {
                problem(.critical, databases, "must be a mapping of database names")
                return
            }
            for (name, entry) in mapping {
                let stores = entry.mapping?["data_stores"]?.sequence?.compactMap(\.string) ?? []
                database(name.string ?? "?", entry, stores: stores, at: databases)
            }
        } else if let database = shared["database"] {
            self.database("main", database.node, stores: ["main", "state"], at: database)
        } else {
            problem(.critical, nil, "no database section: Synapse would use SQLite, and syntop needs PostgreSQL",
                    file: config.files.first)
        }
    }

    mutating func database(_ name: String, _ node: Node, stores: [String], at located: Located) {
        guard let mapping = node.mapping else {
            problem(.critical, located, "must be a mapping with name and args")
            return
        }
        let engine = mapping["name"]?.string ?? "?"
        if engine == "sqlite3" {
            problem(.critical, located, "'\(name)' is SQLite (sqlite3): syntop needs PostgreSQL")
            return
        }
        guard engine == "psycopg2" else {
            problem(.critical, located, "'\(name)': unknown database engine (psycopg2 expected)")
            return
        }
        var keywords: [String: String] = [:]
        for (key, value) in mapping["args"]?.mapping ?? [:] {
            guard var keyword = key.string, let text = value.string ?? value.int.map(String.init) else { continue }
            // Pool settings of Twisted's adbapi, not libpq keywords.
            if keyword.hasPrefix("cp_") { continue }
            if keyword == "database" { keyword = "dbname" }
            keywords[keyword] = text
        }
        config.databases.append(DatabaseConfig(name: name, dataStores: stores, engine: engine,
                                               keywords: keywords, file: located.file))
    }

    mutating func readRedis() {
        guard let redis = shared["redis"] else { return }
        guard let mapping = redis.node.mapping else {
            problem(.critical, redis, "must be a mapping")
            return
        }
        var settings = RedisConfig()
        settings.enabled = mapping["enabled"]?.bool ?? false
        settings.host = mapping["host"]?.string ?? "localhost"
        settings.port = mapping["port"]?.int ?? 6379
        settings.path = mapping["path"]?.string
        settings.dbid = mapping["dbid"]?.int
        settings.username = mapping["username"]?.string
        settings.password = mapping["password"]?.string
        settings.passwordPath = mapping["password_path"]?.string
        settings.useTLS = mapping["use_tls"]?.bool ?? false
        settings.certificateFile = mapping["certificate_file"]?.string
        settings.privateKeyFile = mapping["private_key_file"]?.string
        settings.caFile = mapping["ca_file"]?.string
        settings.caPath = mapping["ca_path"]?.string
        if settings.password != nil && settings.passwordPath != nil {
            problem(.critical, redis, "password and password_path exclude each other")
        }
        if settings.username != nil && settings.password == nil && settings.passwordPath == nil {
            problem(.critical, redis, "username needs a password")
        }
        if (settings.certificateFile == nil) != (settings.privateKeyFile == nil) {
            problem(.critical, redis, "certificate_file and private_key_file go together")
        }
        config.redis = settings
    }

    mutating func readInstanceMap() {
        guard let map = shared["instance_map"] else { return }
        guard let mapping = map.node.mapping else {
            problem(.critical, map, "must be a mapping of instance names")
            return
        }
        for (key, value) in mapping {
            guard let name = key.string else { continue }
            let address: String
            if let path = value.mapping?["path"]?.string {
                address = path
            } else if let host = value.mapping?["host"]?.string, let port = value.mapping?["port"]?.int {
                address = "\(host):\(port)"
            } else {
                problem(.critical, map, "'\(name)' needs host and port, or path")
                continue
            }
            config.instanceMap[name == "main" ? "master" : name] = address
        }
    }

    mutating func readStreamWriters() {
        for (key, _) in SynapseConfig.writerKeys { config.streamWriters[key] = ["master"] }
        guard let writers = shared["stream_writers"] else { return }
        guard let mapping = writers.node.mapping else {
            problem(.critical, writers, "must be a mapping of stream to writers")
            return
        }
        for (key, value) in mapping {
            guard let name = key.string else { continue }
            let located = Located(node: value, file: writers.file, key: "stream_writers.\(name)")
            writerLocations[name] = located
            guard SynapseConfig.writerKeys.contains(where: { $0.key == name }) else {
                problem(.warning, located, "unknown stream_writers key: Synapse ignores it")
                continue
            }
            var list: [String] = []
            if let single = value.scalar?.string {
                list = [normalized(single, at: located)]
            } else if let sequence = value.sequence {
                list = sequence.compactMap { $0.string.map { normalized($0, at: located) } }
            } else {
                problem(.critical, located, "must be an instance name or a list of them")
            }
            if !list.isEmpty { config.streamWriters[name] = list }
        }
    }

    mutating func readDuties() {
        if let senders = instances("federation_sender_instances") { config.federationSenders = senders }
        if let pushers = instances("pusher_instances") { config.pushers = pushers }
        if let background = instances("run_background_tasks_on")?.first { config.backgroundTasks = background }
        if let notifier = instances("notify_appservices_from_worker")?.first { config.appserviceNotifier = notifier }
        if let updater = instances("update_user_directory_from_worker")?.first { config.userDirectoryUpdater = updater }
        if let media = instances("media_instance_running_background_jobs")?.first { config.mediaBackgroundJobs = media }
        if let restricted = instances("outbound_federation_restricted_to") { config.outboundFederationRestrictedTo = restricted }
    }

    mutating func readWorkers() {
        var seen: [String: String] = [:]
        for (file, values) in workerFiles {
            let app = values["worker_app"]?.node.string ?? "synapse.app.generic_worker"
            guard let name = values["worker_name"]?.node.string ?? values["worker_app"]?.node.string else { continue }
            if let other = seen[name] {
                problem(.critical, values["worker_name"], "worker '\(name)' is also named in \(other)")
            }
            seen[name] = file
            config.workers.append(WorkerConfig(name: name, app: app, file: file,
                                               listeners: listeners(values["worker_listeners"]),
                                               enableMetrics: values["enable_metrics"]?.node.bool))
            for legacy in ["worker_replication_host", "worker_replication_http_port", "worker_replication_http_tls",
                           "worker_replication_port"] {
                if let located = values[legacy] {
                    problem(.critical, located, "removed from Synapse (use instance_map.main); Synapse refuses to start")
                }
            }
        }
        if !config.workers.isEmpty {
            if config.instanceMap["master"] == nil {
                problem(.critical, shared["instance_map"], "workers need instance_map.main (main's replication listener)",
                        file: config.files.first)
            }
            if !config.redis.enabled {
                problem(.critical, shared["redis"], "workers need redis.enabled: true", file: config.files.first)
            }
        }
    }

    /// A listener list: what syntop needs to reach each listener, with Synapse's defaults
    /// (`http`; every address, or IPv4 only for `metrics`).
    mutating func listeners(_ located: Located?) -> [ListenerConfig] {
        guard let located, located.node.null == nil else { return [] }
        guard let items = located.node.sequence else {
            problem(.warning, located, "must be a list of listeners")
            return []
        }
        return items.compactMap { item in
            guard let entry = item.mapping else { return nil }
            let type = entry["type"]?.string ?? "http"
            let port = entry["port"]?.int
            let path = entry["path"]?.string
            guard port != nil || path != nil else {
                problem(.warning, Located(node: item, file: located.file, key: located.key), "a listener needs a port or a path")
                return nil
            }
            var bindAddresses = entry["bind_addresses"]?.sequence?.compactMap(\.string) ?? []
            if let single = entry["bind_address"]?.string { bindAddresses.append(single) }
            if bindAddresses.isEmpty { bindAddresses = type == "metrics" ? ["0.0.0.0"] : ["::", "0.0.0.0"] }
            let resources = entry["resources"]?.sequence?.flatMap { resource in
                resource.mapping?["names"]?.sequence?.compactMap(\.string) ?? []
            } ?? []
            return ListenerConfig(type: type, port: port, path: path, bindAddresses: bindAddresses,
                                  tls: entry["tls"]?.bool ?? false, resources: resources)
        }
    }

    /// The flags older deployments used instead of the instance lists.
    mutating func checkLegacy() {
        func worker(app: String) -> String? { config.workers.first { $0.app == "synapse.app." + app }?.name }
        if shared["federation_sender_instances"] == nil, shared["send_federation"]?.node.bool == false {
            config.federationSenders = worker(app: "federation_sender").map { [$0] } ?? []
        }
        if shared["pusher_instances"] == nil, shared["start_pushers"]?.node.bool == false {
            config.pushers = worker(app: "pusher").map { [$0] } ?? []
        }
        if shared["notify_appservices_from_worker"] == nil, shared["notify_appservices"]?.node.bool == false {
            config.appserviceNotifier = worker(app: "appservice")
        }
        if shared["update_user_directory_from_worker"] == nil, shared["update_user_directory"]?.node.bool == false {
            config.userDirectoryUpdater = worker(app: "user_dir")
        }
    }

    mutating func checkWriters() {
        let known = Set(config.workers.map(\.name)).union(["master"])
        for (key, single) in SynapseConfig.writerKeys {
            let located = writerLocations[key] ?? shared["stream_writers"]
            let writers = config.streamWriters[key] ?? []
            if single && writers.count > 1 {
                problem(.critical, located, "\(key) may have one writer, not \(writers.count)")
            }
            for writer in writers where writer != "master" && config.instanceMap[writer] == nil {
                problem(.critical, located, "\(key) writer '\(writer)' is not in instance_map")
            }
            if !config.workers.isEmpty {
                for writer in writers where !known.contains(writer) {
                    problem(.warning, located, "\(key) writer '\(writer)' has no worker file among those given")
                }
            }
        }
    }
}
