import Deployments
import ArgumentParser
import Config
import Feeds
import Foundation
import Replication
import Settings
import TLS

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
