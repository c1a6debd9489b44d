import ArgumentParser
import Config
import Console
import EventLoop
import Foundation
import Glibc
import Replication
import Settings
import Store
import TLS
import Wire

/// Where replication traffic comes from: a recording, or Synapse's Redis, found from the
/// options, syntop's config file, Synapse's own config files, or the environment, in that order.
struct WireSourceOptions: ParsableArguments {
    @Option(name: [.customShort("c"), .customLong("config-path")], help: ArgumentHelp(
        "Synapse's config: homeserver.yaml, a worker file, or a folder of them; repeatable, as for Synapse.",
        valueName: "path"))
    var configPaths: [String] = []

    @Option(help: ArgumentHelp(
        "Synapse's Redis: redis://[user[:password]@]host[:port], rediss://... for TLS, or unix:///path (else the -c config's, else $SYNTOP_REDIS).",
        valueName: "url"))
    var redis: String?

    @Option(help: ArgumentHelp("A file holding the Redis password, instead of one in the URL.",
                               valueName: "path"))
    var redisPasswordFile: String?

    @Option(help: ArgumentHelp(
        "Redis over TLS: the CA file (or folder of hashed CAs) its certificate must be signed by (else the config's ca_file or ca_path, else the system's).",
        valueName: "path"))
    var redisCa: String?

    @Option(help: ArgumentHelp("Redis over TLS: a client certificate, for mutual TLS (else the config's certificate_file).",
                               valueName: "path"))
    var redisCert: String?

    @Option(help: ArgumentHelp("Redis over TLS: the client certificate's private key, mode 600 or 640 (else the config's private_key_file).",
                               valueName: "path"))
    var redisKey: String?

    @Flag(help: "Redis over TLS without checking the server's certificate or name: anyone on the path can read and change the traffic. The header says so.")
    var redisTlsInsecure = false

    @Option(help: ArgumentHelp("Synapse's server_name: the replication channel (else the -c config's, else $SYNTOP_SERVER_NAME).",
                               valueName: "name"))
    var serverName: String?

    @Flag(inversion: .prefixedNo,
          help: "Also listen to <server_name>/USER_IP (client IP activity; access tokens are dropped). Default: off.")
    var userIp: Bool?

    @Flag(help: """
        Publish one REPLICATE on start so that every process announces its positions. \
        This is the only thing syntop ever writes to Redis; it is off unless given, and no config file turns it on.
        """)
    var probe = false

    @Option(help: ArgumentHelp(
        "Where a process runs, when its listeners are bound to every address of another machine (else loopback); repeatable.",
        valueName: "name=host"))
    var processHost: [String] = []

    @Option(help: ArgumentHelp("Read replication traffic from a recording instead of Redis.", valueName: "file"))
    var replay: String?

    @Option(help: ArgumentHelp("Start the replay at this time: HH:MM[:SS] (local), +N[s|m|h] from its start, or unix seconds.",
                               valueName: "time"))
    var from: String?

    @Option(help: ArgumentHelp("End the replay at this time (as --from; +N counts from --from).", valueName: "time"))
    var to: String?

    func validate() throws {
        if replay == nil && (from != nil || to != nil) {
            throw ValidationError("--from and --to choose part of a recording: give --replay FILE")
        }
    }

    func given() throws -> [SettingKey: SettingValue] {
        var given: [SettingKey: SettingValue] = [:]
        if !configPaths.isEmpty { given[.configPaths] = .paths(configPaths) }
        given[.redis] = try SettingKey.redis.given(redis)
        given[.redisPasswordFile] = try SettingKey.redisPasswordFile.given(redisPasswordFile)
        given[.redisCA] = try SettingKey.redisCA.given(redisCa)
        given[.redisCert] = try SettingKey.redisCert.given(redisCert)
        given[.redisKey] = try SettingKey.redisKey.given(redisKey)
        if redisTlsInsecure { given[.redisTLSInsecure] = .flag(true) }
        given[.serverName] = try SettingKey.serverName.given(serverName)
        given[.userIP] = userIp.map(SettingValue.flag)
        var hosts: [String: String] = [:]
        for text in processHost {
            if case .hosts(let one)? = try SettingKey.processHosts.given(text) { hosts.merge(one) { _, new in new } }
        }
        if !hosts.isEmpty { given[.processHosts] = .hosts(hosts) }
        return given
    }

    /// The source, once the settings are resolved.
    func resolved(_ settings: Settings) -> WireSourceSettings {
        WireSourceSettings(settings: settings, probe: probe, replay: replay, window: ReplayWindow(from: from, to: to))
    }
}

/// Where replication traffic comes from, with every setting resolved.
struct WireSourceSettings {
    var settings: Settings
    var configPaths: [String]
    var redis: String?
    var redisPasswordFile: String?
    var redisCA: String?
    var redisCert: String?
    var redisKey: String?
    var redisTLSInsecure: Bool
    var serverName: String?
    var userIp: Bool
    var processHosts: [String: String]
    var probe: Bool
    var replay: String?
    var window: ReplayWindow

    init(settings: Settings, probe: Bool, replay: String?, window: ReplayWindow = ReplayWindow()) {
        self.window = window
        self.settings = settings
        configPaths = settings.paths(.configPaths)
        redis = settings.text(.redis)
        redisPasswordFile = settings.text(.redisPasswordFile)
        redisCA = settings.text(.redisCA)
        redisCert = settings.text(.redisCert)
        redisKey = settings.text(.redisKey)
        redisTLSInsecure = settings.flag(.redisTLSInsecure)
        serverName = settings.text(.serverName)
        userIp = settings.flag(.userIP)
        processHosts = settings.hosts(.processHosts)
        self.probe = probe
        self.replay = replay
    }

    /// Synapse's configuration, when -c (or config_paths) named it.
    func loadConfig() -> SynapseConfig? {
        configPaths.isEmpty ? nil : ConfigLoader.load(paths: configPaths)
    }

    /// Whether any Redis is named at all (by option, config or environment).
    func hasRedis(_ config: SynapseConfig?) -> Bool {
        redis != nil || config?.redis.enabled == true || ProcessInfo.processInfo.environment["SYNTOP_REDIS"] != nil
    }

    func endpoint(_ config: SynapseConfig?) throws -> RedisEndpoint {
        var endpoint: RedisEndpoint
        if let url = redis {
            do {
                endpoint = try RedisEndpoint.parse(url)
            } catch {
                throw ValidationError("\(settings.sourceName(.redis)): \(error)")
            }
        } else if let settings = config?.redis, settings.enabled {
            endpoint = RedisEndpoint(
                address: settings.path.map { .unix(path: $0) } ?? .tcp(host: settings.host, port: settings.port),
                username: settings.username, password: settings.password)
            // As Synapse: a socket path wins over use_tls.
            if settings.useTLS && settings.path == nil {
                endpoint.tls = TLSSettings(caFile: settings.caFile, caPath: settings.caPath,
                                           certificateFile: settings.certificateFile, privateKeyFile: settings.privateKeyFile)
            }
            if let path = settings.passwordPath {
                endpoint.password = try readPassword(path, what: "the config's redis.password_path")
            }
        } else if let url = ProcessInfo.processInfo.environment["SYNTOP_REDIS"] {
            do {
                endpoint = try RedisEndpoint.parse(url)
            } catch {
                throw ValidationError("$SYNTOP_REDIS: \(error)")
            }
        } else {
            throw ValidationError("no replication source: give --redis URL, -c homeserver.yaml (with redis enabled), "
                                  + "$SYNTOP_REDIS, or --replay FILE")
        }
        if let redisPasswordFile {
            endpoint.password = try readPassword(redisPasswordFile, what: settings.sourceName(.redisPasswordFile))
        }
        try applyTLS(to: &endpoint)
        return endpoint
    }

    /// The TLS options over what the URL or Synapse's config said; refused without TLS, where
    /// they would silently do nothing.
    func applyTLS(to endpoint: inout RedisEndpoint) throws {
        let given: [(SettingKey, Bool)] = [(.redisCA, redisCA != nil), (.redisCert, redisCert != nil),
                                           (.redisKey, redisKey != nil), (.redisTLSInsecure, redisTLSInsecure)]
        guard var tls = endpoint.tls else {
            if let (key, _) = given.first(where: \.1) {
                throw ValidationError("\(settings.sourceName(key)) is for Redis over TLS: give a rediss:// URL, or use_tls in Synapse's config")
            }
            return
        }
        if let redisCA {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: redisCA, isDirectory: &isFolder), isFolder.boolValue {
                tls.caPath = redisCA
                tls.caFile = nil
            } else {
                tls.caFile = redisCA
                tls.caPath = nil
            }
        }
        if let redisCert { tls.certificateFile = redisCert }
        if let redisKey { tls.privateKeyFile = redisKey }
        if redisTLSInsecure { tls.verifyServer = false }
        endpoint.tls = tls
    }

    func readPassword(_ path: String, what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ValidationError("\(what): cannot read \(path)")
        }
        return text.trimmingCharacters(in: .newlines)
    }

    func resolvedServerName(_ config: SynapseConfig?) throws -> String {
        guard let name = serverName ?? config?.serverName ?? ProcessInfo.processInfo.environment["SYNTOP_SERVER_NAME"],
              !name.isEmpty else {
            throw ValidationError("--server-name, -c homeserver.yaml or $SYNTOP_SERVER_NAME is needed to listen to Redis")
        }
        return name
    }
}

struct WireRunFailure: Error, CustomStringConvertible {
    var description: String
}

/// Fills a wire state from a recording (as fast as it can) or by listening for `seconds`,
/// keeping of the rows only the `feeds` the command prints.
func collectWire(_ options: WireSourceSettings, config: SynapseConfig?, seconds: Double,
                 feeds: WireState.Feeds) throws
    -> (WireState, WireSourceReport, Double) {
    var state = WireState(feeds: feeds)
    if let file = options.replay {
        var reader: RecordingReader<RecordingFile>
        do {
            (reader, _) = try options.window.open(file, utcOffset: ConsoleSession.utcOffset())
            try state.ingest(all: &reader)
        } catch {
            throw WireRunFailure(description: "\(error)")
        }
        return (state, WireSourceReport(kind: "replay", file: file), state.lastLineAt ?? 0)
    }
    let endpoint = try options.endpoint(config)
    let serverName = try options.resolvedServerName(config)
    let loop = EventLoop()
    let signals = try SignalPipe()
    loop.watch(fd: signals.readFD, events: { Int16(POLLIN) }) { _ in
        if signals.drain().contains(where: { $0 != SIGWINCH }) { loop.stop() }
    }
    var lastError: String?
    var subscribed = false
    var probed = false
    var probedAt: Double?
    var client: ReplicationClient!
    client = ReplicationClient(
        endpoint: endpoint,
        channels: ReplicationClient.channels(serverName: serverName, userIP: options.userIp),
        loop: loop, now: unixTime,
        onMessages: { messages in
            for message in messages { state.ingest(message.payload, channel: message.channel, at: message.time) }
        },
        onStatus: { status in
            switch status {
            case .ready(let since):
                subscribed = true
                state.markConnected(at: since)
                if options.probe && !probed {
                    probed = true
                    client.probe(serverName: serverName) { result in
                        switch result {
                        case .success: probedAt = unixTime()
                        case .failure(let error): lastError = "REPLICATE probe: \(error)"
                        }
                    }
                }
            case .waiting(let since, _, let error):
                lastError = error
                if subscribed { state.markDisconnected(at: since, reason: error) }
            case .connecting:
                break
            }
        })
    client.start()
    loop.schedule(after: Int(seconds * 1000)) { loop.stop() }
    loop.run()
    client.stop()
    guard subscribed else {
        throw WireRunFailure(description: "Redis at \(endpoint): \(lastError ?? "no subscription within \(seconds) s")")
    }
    var report = WireSourceReport(kind: "redis", redis: endpoint.description, serverName: serverName,
                                  listenedSeconds: seconds)
    report.probedAt = probedAt
    return (state, report, unixTime())
}
