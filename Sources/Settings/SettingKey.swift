import Foundation

/// A value of one of syntop's settings, however it was given.
public enum SettingValue: Equatable, Sendable {
    case text(String)
    case paths([String])
    /// Instance name to the host it runs on.
    case hosts([String: String])
    case flag(Bool)
    case number(Double)
}

/// Every option that syntop's config file can give a default for, under its key in the file.
/// Per-run options (`--replay`, `--json`, a user ID, an output file) have no key, and neither
/// has `--probe`: publishing to Synapse's Redis is asked for on each run or not at all.
public enum SettingKey: String, CaseIterable, Sendable {
    case theme
    case colorDepth = "color_depth"
    case color
    case refresh
    case configPaths = "config_paths"
    case redis
    case redisPasswordFile = "redis_password_file"
    case redisCA = "redis_ca"
    case redisCert = "redis_cert"
    case redisKey = "redis_key"
    case redisTLSInsecure = "redis_tls_insecure"
    case serverName = "server_name"
    case userIP = "user_ip"
    case processHosts = "process_hosts"
    case db
    case statementTimeout = "statement_timeout"
    case listen
    case staleAfter = "stale_after"
    case behind
    case pokes
    case pokeAge = "poke_age"
    case unconverted
    case extremities

    /// How a value is written and checked.
    public enum Kind: Equatable, Sendable {
        case text
        /// A file, or a theme name or file: `~` and paths relative to the config file resolve.
        case path
        case paths
        /// `NAME=HOST` on the command line, a mapping of names to hosts in the file.
        case hosts
        case choice([String])
        case flag
        /// A whole number of at least 1.
        case count
        /// Seconds above 0.
        case seconds
        /// `WARNING,CRITICAL`, with WARNING <= CRITICAL.
        case pair
    }

    public var kind: Kind {
        switch self {
        case .theme, .redisPasswordFile, .redisCA, .redisCert, .redisKey: .path
        case .configPaths: .paths
        case .processHosts: .hosts
        case .colorDepth: .choice(["mono", "8", "16", "256"])
        case .color, .userIP, .redisTLSInsecure: .flag
        case .statementTimeout, .behind: .count
        case .refresh, .staleAfter, .listen: .seconds
        case .pokes, .pokeAge, .unconverted, .extremities: .pair
        case .redis, .serverName, .db: .text
        }
    }

    /// The command-line option that gives the same value.
    public var option: String {
        switch self {
        case .configPaths: "-c/--config-path"
        case .processHosts: "--process-host"
        case .color: "--color/--no-color"
        case .userIP: "--user-ip/--no-user-ip"
        default: "--" + rawValue.replacingOccurrences(of: "_", with: "-")
        }
    }

    /// The value when nothing gives one; nil where the commands decide or detect it.
    public var builtIn: SettingValue? {
        switch self {
        case .color: .flag(true)
        case .userIP: .flag(false)
        case .redisTLSInsecure: .flag(false)
        case .refresh: .number(2)
        case .statementTimeout: .number(2000)
        case .staleAfter: .number(60)
        case .behind: .number(100)
        case .pokes: .text("1000,10000")
        case .pokeAge: .text("3600,86400")
        case .unconverted: .text("1000,10000")
        case .extremities: .text("10,50")
        case .configPaths: .paths([])
        case .processHosts: .hosts([:])
        case .theme, .colorDepth, .redis, .redisPasswordFile, .redisCA, .redisCert, .redisKey, .serverName, .db, .listen: nil
        }
    }

    /// What happens without a value, where `builtIn` is nil.
    public var withoutValue: String {
        switch self {
        case .theme: "$SYNTOP_THEME, else default"
        case .colorDepth: "detected from the terminal"
        case .redis: "the Synapse config's redis, else $SYNTOP_REDIS"
        case .redisPasswordFile: "the Synapse config's or the URL's password, if any"
        case .redisCA: "the Synapse config's ca_file or ca_path, else the system's CAs"
        case .redisCert: "the Synapse config's certificate_file, if any"
        case .redisKey: "the Synapse config's private_key_file, if any"
        case .serverName: "the Synapse config's, else $SYNTOP_SERVER_NAME"
        case .db: "the Synapse config's main database, else $SYNTOP_DB"
        case .listen: "5 s (check: 10 s)"
        default: "none"
        }
    }

    /// Deployment keys say which deployment is watched; a switch of context in the console
    /// takes them from the new context, whatever the command line said for the first.
    public var isDeployment: Bool {
        switch self {
        case .configPaths, .redis, .redisPasswordFile, .redisCA, .redisCert, .redisKey, .redisTLSInsecure,
             .serverName, .db, .processHosts: true
        default: false
        }
    }

    /// The key a misspelt one most likely meant, of `candidates`: at most two edits away.
    static func closest(to name: String, in candidates: [String]) -> String? {
        let typed = Array(name.lowercased())
        func distance(_ candidate: String) -> Int {
            let target = Array(candidate)
            var previous = Array(0...target.count)
            for (i, a) in typed.enumerated() {
                var row = [i + 1]
                for (j, b) in target.enumerated() {
                    row.append(min(previous[j + 1] + 1, row[j] + 1, previous[j] + (a == b ? 0 : 1)))
                }
                previous = row
            }
            return previous[target.count]
        }
        return candidates.map { ($0, distance($0)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
    }

    /// Checks a value typed on the command line; the message names the option.
    public func value(commandLine text: String) throws(SettingError) -> SettingValue {
        do {
            return try value(text)
        } catch {
            throw SettingError("\(option.split(separator: "/").last.map(String.init) ?? option) \(error.message)")
        }
    }

    /// Checks a value given as text (a scalar of the file, or an option's argument).
    func value(_ text: String) throws(SettingError) -> SettingValue {
        switch kind {
        case .text, .path:
            guard !text.isEmpty else { throw SettingError("takes a value, not an empty one") }
            return .text(text)
        case .paths:
            guard !text.isEmpty else { throw SettingError("takes a path or a list of paths") }
            return .paths([text])
        case .hosts:
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !parts[1].contains(where: \.isWhitespace) else {
                throw SettingError("takes NAME=HOST: the instance name and the host it runs on")
            }
            return .hosts([parts[0]: parts[1]])
        case .choice(let choices):
            guard choices.contains(text) else { throw SettingError("takes one of \(choices.joined(separator: ", "))") }
            return .text(text)
        case .flag:
            switch text.lowercased() {
            case "true", "yes", "on": return .flag(true)
            case "false", "no", "off": return .flag(false)
            default: throw SettingError("takes true or false")
            }
        case .count:
            guard let number = Int(text), (1...SettingKey.largest).contains(number) else {
                throw SettingError("takes a whole number from 1 to \(SettingKey.largest)")
            }
            return .number(Double(number))
        case .seconds:
            guard let number = Double(text), number > 0, number <= Double(SettingKey.largest) else {
                throw SettingError("takes seconds, above 0 and up to \(SettingKey.largest)")
            }
            return .number(number)
        case .pair:
            let parts = text.split(separator: ",", omittingEmptySubsequences: false)
                .map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let warning = parts[0], let critical = parts[1],
                  warning >= 0, warning <= critical, critical <= Double(SettingKey.largest) else {
                throw SettingError("takes WARNING,CRITICAL with WARNING <= CRITICAL, e.g. \(builtInText)")
            }
            return .text("\(SettingKey.plain(warning)),\(SettingKey.plain(critical))")
        }
    }

    /// The largest count, threshold or number of seconds a setting takes: a billion, which no
    /// deployment reaches and every conversion to a whole number holds.
    static let largest = 1_000_000_000

    var builtInText: String {
        builtIn.map(SettingKey.describe) ?? withoutValue
    }

    /// A value as the file would have it.
    public static func describe(_ value: SettingValue) -> String {
        switch value {
        case .text(let text): text
        case .paths(let paths): paths.isEmpty ? "(none)" : paths.joined(separator: ", ")
        case .hosts(let hosts): hosts.isEmpty ? "(none)" : hosts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            .joined(separator: ", ")
        case .flag(let flag): flag ? "true" : "false"
        case .number(let number): plain(number)
        }
    }

    static func plain(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}

public struct SettingError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
