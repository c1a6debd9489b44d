import Config
import Feeds
import Foundation
import Replication
import Settings
import TLS

/// What is wrong with how a deployment is named (a Redis URL, a password file): a usage error,
/// which the executable says as such.
public struct DeploymentError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Where replication traffic comes from, with every setting resolved.
public struct WireSourceSettings {
    public var settings: Settings
    public var configPaths: [String]
    public var redis: String?
    public var redisPasswordFile: String?
    public var redisCA: String?
    public var redisCert: String?
    public var redisKey: String?
    public var redisTLSInsecure: Bool
    public var serverName: String?
    public var userIp: Bool
    public var processHosts: [String: String]
    public var probe: Bool
    public var replay: String?
    public var window: ReplayWindow

    public init(settings: Settings, probe: Bool, replay: String?, window: ReplayWindow = ReplayWindow()) {
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
    public func loadConfig() -> SynapseConfig? {
        configPaths.isEmpty ? nil : ConfigLoader.load(paths: configPaths)
    }

    /// Whether any Redis is named at all (by option, config or environment).
    public func hasRedis(_ config: SynapseConfig?) -> Bool {
        redis != nil || config?.redis.enabled == true || ProcessInfo.processInfo.environment["SYNTOP_REDIS"] != nil
    }

    public func endpoint(_ config: SynapseConfig?) throws -> RedisEndpoint {
        var endpoint: RedisEndpoint
        if let url = redis {
            do {
                endpoint = try RedisEndpoint.parse(url)
            } catch {
                throw DeploymentError("\(settings.sourceName(.redis)): \(error)")
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
                throw DeploymentError("$SYNTOP_REDIS: \(error)")
            }
        } else {
            throw DeploymentError("no replication source: give --redis URL, -c homeserver.yaml (with redis enabled), "
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
                throw DeploymentError("\(settings.sourceName(key)) is for Redis over TLS: give a rediss:// URL, or use_tls in Synapse's config")
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
            throw DeploymentError("\(what): cannot read \(path)")
        }
        return text.trimmingCharacters(in: .newlines)
    }

    public func resolvedServerName(_ config: SynapseConfig?) throws -> String {
        guard let name = serverName ?? config?.serverName ?? ProcessInfo.processInfo.environment["SYNTOP_SERVER_NAME"],
              !name.isEmpty else {
            throw DeploymentError("--server-name, -c homeserver.yaml or $SYNTOP_SERVER_NAME is needed to listen to Redis")
        }
        return name
    }
}
