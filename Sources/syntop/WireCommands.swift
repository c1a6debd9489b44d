import ArgumentParser
import Config
import Console
import EventLoop
import Foundation
import Glibc
import Replication
import Store
import Wire

/// Where replication traffic comes from: a recording, or Synapse's Redis, found from the
/// options, Synapse's own config files, or the environment, in that order.
struct WireSourceOptions: ParsableArguments {
    @Option(name: [.customShort("c"), .customLong("config-path")], help: ArgumentHelp(
        "Synapse's config: homeserver.yaml, a worker file, or a folder of them; repeatable, as for Synapse.",
        valueName: "path"))
    var configPaths: [String] = []

    @Option(help: ArgumentHelp(
        "Synapse's Redis: redis://[user[:password]@]host[:port] or unix:///path (else the -c config's, else $SYNTOP_REDIS).",
        valueName: "url"))
    var redis: String?

    @Option(help: ArgumentHelp("A file holding the Redis password, instead of one in the URL.",
                               valueName: "path"))
    var redisPasswordFile: String?

    @Option(help: ArgumentHelp("Synapse's server_name: the replication channel (else the -c config's, else $SYNTOP_SERVER_NAME).",
                               valueName: "name"))
    var serverName: String?

    @Flag(help: "Also listen to <server_name>/USER_IP (client IP activity; access tokens are dropped).")
    var userIp = false

    @Flag(help: """
        Publish one REPLICATE on start so that every process announces its positions. \
        This is the only thing syntop ever writes to Redis; it is off unless given.
        """)
    var probe = false

    @Option(help: ArgumentHelp("Read replication traffic from a recording instead of Redis.", valueName: "file"))
    var replay: String?

    /// Synapse's configuration, when -c was given.
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
                throw ValidationError("--redis: \(error)")
            }
        } else if let settings = config?.redis, settings.enabled {
            if settings.useTLS {
                throw ValidationError("the config's redis.use_tls: Redis over TLS is not supported by syntop yet")
            }
            endpoint = RedisEndpoint(
                address: settings.path.map { .unix(path: $0) } ?? .tcp(host: settings.host, port: settings.port),
                username: settings.username, password: settings.password)
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
            endpoint.password = try readPassword(redisPasswordFile, what: "--redis-password-file")
        }
        return endpoint
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

/// Fills a wire state from a recording (as fast as it can) or by listening for `seconds`.
func collectWire(_ options: WireSourceOptions, config: SynapseConfig?, seconds: Double) throws
    -> (WireState, WireSourceReport, Double) {
    var state = WireState()
    if let file = options.replay {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw WireRunFailure(description: "cannot read the recording \(file)")
        }
        state.ingest(recording: Array(data))
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

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    FileHandle.standardOutput.write(try encoder.encode(value))
    FileHandle.standardOutput.write(Data("\n".utf8))
}

func failOnWire(_ error: Error) -> Error {
    if let failure = error as? WireRunFailure {
        FileHandle.standardError.write(Data("syntop: \(failure)\n".utf8))
        return ExitCode(2)
    }
    return error
}

/// A wire report with the database's side beside it under `database`, as one JSON object.
struct MergedOutput<WireSide: Encodable, DatabaseSide: Encodable>: Encodable {
    var wire: WireSide?
    var database: DatabaseSide?

    enum Keys: String, CodingKey { case database }

    func encode(to encoder: Encoder) throws {
        try wire?.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encodeIfPresent(database, forKey: .database)
    }
}

struct PositionsDatabaseSide: Encodable {
    var database: String
    var session: SessionStore.Session
    var streams: [StreamPositionStore.Stream]
    var errors: [String]
}

struct PokesDatabaseSide: Encodable {
    var database: String
    var session: SessionStore.Session
    var destinations: [DeviceListStore.Destination]
    var conversion: DeviceListStore.Conversion
    var errors: [String]
}

/// What a JSON command that merges wire and database has to read.
struct MergedSources {
    var config: SynapseConfig?
    var database: (conninfo: String, display: String)?
    var hasWire: Bool

    init(_ source: WireSourceOptions, _ database: DatabaseOptions) throws {
        config = source.loadConfig()
        self.database = database.resolve(config)
        hasWire = source.replay != nil || source.hasRedis(config)
        guard hasWire || self.database != nil else {
            throw ValidationError("nothing to read: give Redis (--redis, -c, $SYNTOP_REDIS), --replay FILE, or --db")
        }
    }
}

/// The options every non-interactive screen command shares.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON and exit instead of opening the console.")
    var json = false

    @Option(help: "Seconds to listen to Redis before printing (0 with roles: configuration only).")
    var listen: Double = 5

    /// The console is where the interactive screen is; these commands only print JSON.
    func requireJSON(screen: String, key: Int) throws {
        guard json else { throw ValidationError("the console's \(screen) screen is `syntop` then \(key); use --json here") }
    }
}

struct PositionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "positions",
        abstract: "Stream positions per writer, on the replication wire and in the database.",
        discussion: """
            With --json: listens for --listen seconds (or reads a whole --replay file) when a Redis is known, \
            reads the database when one is known, and prints one JSON document.
            """)

    @OptionGroup var source: WireSourceOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try output.requireJSON(screen: "Positions", key: 3)
        let listen = output.listen
        let sources = try MergedSources(source, database)
        do {
            var merged = MergedOutput<PositionsReport, PositionsDatabaseSide>()
            if sources.hasWire {
                let (state, report, now) = try collectWire(source, config: sources.config, seconds: listen)
                merged.wire = PositionsReport(state, source: report, now: now,
                                              configured: sources.config?.configuredWriterKeys)
            }
            if let target = sources.database {
                let ((session, streams), errors) = try read(SessionStore.read.then(StreamPositionStore.read), target,
                                                            timeoutMS: database.statementTimeout)
                merged.database = PositionsDatabaseSide(database: target.display, session: session, streams: streams,
                                                        errors: errors)
            }
            try printJSON(merged)
        } catch {
            throw failOnWire(error)
        }
    }
}

struct PokesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pokes",
        abstract: "Device-list changes on the wire, and outbound pokes still waiting per destination in the database.",
        discussion: """
            With --json: listens for --listen seconds (or reads a whole --replay file) when a Redis is known, \
            reads the database when one is known, and prints one JSON document.
            """)

    @OptionGroup var source: WireSourceOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "How many of the most recent device-list rows to include.")
    var limit = 100

    @Option(help: "Counts of waiting pokes stop here (shown as capped).")
    var cap = 1000

    func run() throws {
        try output.requireJSON(screen: "Pokes", key: 1)
        let listen = output.listen
        let sources = try MergedSources(source, database)
        do {
            var merged = MergedOutput<PokesReport, PokesDatabaseSide>()
            if sources.hasWire {
                let (state, report, now) = try collectWire(source, config: sources.config, seconds: listen)
                merged.wire = PokesReport(state, source: report, now: now, limit: limit)
            }
            if let target = sources.database {
                let ((session, pokes), errors) = try read(SessionStore.read.then(DeviceListStore.pokes(cap: cap)), target,
                                                          timeoutMS: database.statementTimeout)
                merged.database = PokesDatabaseSide(
                    database: target.display, session: session, destinations: pokes.destinations,
                    conversion: pokes.conversion, errors: errors)
            }
            try printJSON(merged)
        } catch {
            throw failOnWire(error)
        }
    }
}

struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record the replication channels to a file, one message per line.",
        discussion: """
            Format: <unix seconds>\\t<channel>\\t<message exactly as published>; lines starting with # \
            are comments. Access tokens (of USER_IP lines, and the keys of get_user_by_access_token \
            invalidations on the caches stream) are replaced by <token>. Stops after \
            --duration seconds, or on Ctrl-C.
            """)

    @OptionGroup var source: WireSourceOptions

    @Option(name: .shortAndLong, help: "The file to write.")
    var output: String

    @Option(help: "Seconds to record (default: until interrupted).")
    var duration: Double?

    func run() throws {
        if source.replay != nil { throw ValidationError("record listens to Redis; --replay does not apply") }
        let config = source.loadConfig()
        let endpoint = try source.endpoint(config)
        let serverName = try source.resolvedServerName(config)
        guard let file = fopen(output, "w") else {
            throw ValidationError("cannot write \(output): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        let header = Recording.header(serverName: serverName)
        fputs(header, file)
        let loop = EventLoop()
        let signals = try SignalPipe()
        loop.watch(fd: signals.readFD, events: { Int16(POLLIN) }) { _ in
            if signals.drain().contains(where: { $0 != SIGWINCH }) { loop.stop() }
        }
        var messages = 0
        var lastError: String?
        let client = ReplicationClient(
            endpoint: endpoint,
            channels: ReplicationClient.channels(serverName: serverName, userIP: source.userIp),
            loop: loop, now: unixTime,
            onMessages: { received in
                for message in received {
                    let line = Recording.line(time: message.time, channel: message.channel, payload: message.payload)
                    _ = line.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
                }
                messages += received.count
            },
            onStatus: { status in
                switch status {
                case .ready:
                    FileHandle.standardError.write(Data("syntop: recording \(serverName) from \(endpoint) to \(output)\n".utf8))
                case .waiting(_, let retryAt, let error):
                    lastError = error
                    let retry = Int((retryAt - unixTime()).rounded(.up))
                    FileHandle.standardError.write(Data("syntop: Redis at \(endpoint): \(error); retrying in \(retry) s\n".utf8))
                case .connecting:
                    break
                }
            })
        client.start()
        if let duration { loop.schedule(after: Int(duration * 1000)) { loop.stop() } }
        loop.schedule(after: 1000, repeating: 1000) { fflush(file) }
        loop.run()
        client.stop()
        FileHandle.standardError.write(Data("syntop: recorded \(messages) messages\(lastError.map { " (last error: \($0))" } ?? "")\n".utf8))
    }
}

/// `syntop roles --json`: the configured processes beside what the wire shows.
struct RolesReport: Encodable {
    struct Problem: Encodable {
        var severity: String
        var file: String
        var line: Int?
        var key: String?
        var message: String
    }

    struct Process: Encodable {
        var instance: String
        var app: String?
        var file: String?
        var configuredWrites: [String]
        var duties: [String]
        var replicationAddress: String?
        var seenWriting: [String]?
        var seenIn: [String]?
        var firstSeen: Double?
        var lastSeen: Double?
        var flags: [RoleFlag]
    }

    struct DatabaseSide: Encodable {
        var database: String
        var session: SessionStore.Session
        var instances: [RoleStore.Instance]
        var errors: [String]
    }

    var configFiles: [String]
    var serverName: String?
    var problems: [Problem]
    var wire: WireSourceReport?
    var processes: [Process]
    /// What the database says: writers with persisted positions, federation senders, locks.
    var database: DatabaseSide?
}

struct RolesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roles",
        abstract: "Which process is main, which workers exist and which streams each writes: configured and seen.",
        discussion: """
            With --json: reads the -c config files, listens for --listen seconds when a Redis is known (or \
            reads a --replay file), and prints one JSON document. --listen 0 compares nothing with the wire.
            """)

    @OptionGroup var source: WireSourceOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try output.requireJSON(screen: "Roles", key: 2)
        let listen = output.listen
        let config = source.loadConfig()
        var wire = WireState()
        var report: WireSourceReport?
        if source.replay != nil || (listen > 0 && source.hasRedis(config)) {
            do {
                (wire, report, _) = try collectWire(source, config: config, seconds: listen)
            } catch {
                throw failOnWire(error)
            }
        }
        let roles = RoleComparison.compare(config: config, wire: wire, listened: report != nil)
        var databaseSide: RolesReport.DatabaseSide?
        if let target = database.resolve(config) {
            do {
                let ((session, instances), errors) = try read(SessionStore.read.then(RoleStore.read), target,
                                                              timeoutMS: database.statementTimeout)
                databaseSide = RolesReport.DatabaseSide(database: target.display, session: session, instances: instances,
                                                        errors: errors)
            } catch {
                throw failOnWire(error)
            }
        }
        try printJSON(RolesReport(
            configFiles: config?.files ?? [],
            serverName: config?.serverName,
            problems: (config?.problems ?? []).map {
                RolesReport.Problem(severity: $0.severity == .critical ? "error" : "warning", file: $0.file, line: $0.line, key: $0.key,
                                    message: $0.message)
            },
            wire: report,
            processes: roles.map { role in
                RolesReport.Process(
                    instance: role.instance, app: role.configured?.app, file: role.configured?.file,
                    configuredWrites: role.configured?.writes ?? [], duties: role.configured?.duties ?? [],
                    replicationAddress: role.configured?.replicationAddress,
                    seenWriting: role.observed.map { $0.streams.map(\.rawValue).sorted() },
                    seenIn: role.observed.map { $0.seenIn.sorted() },
                    firstSeen: role.observed?.firstSeen, lastSeen: role.observed?.lastSeen, flags: role.flags)
            },
            database: databaseSide))
        if config?.problems.contains(where: { $0.severity == .critical }) == true { throw ExitCode(1) }
    }
}
