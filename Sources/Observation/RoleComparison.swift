import Findings
import Config
import Wire

/// One process: configured role beside what the wire showed, and where they disagree.
public struct ProcessRole: Equatable, Sendable {
    public var instance: String
    public var configured: ConfiguredProcess?
    public var observed: ObservedInstance?
    public var flags: [RoleFlag]

    public init(instance: String, configured: ConfiguredProcess?, observed: ObservedInstance?, flags: [RoleFlag]) {
        self.instance = instance
        self.configured = configured
        self.observed = observed
        self.flags = flags
    }
}

public struct RoleFlag: Equatable, Sendable, Codable {
    public var level: Severity
    public var message: String

    public init(level: Severity, message: String) {
        self.level = level
        self.message = message
    }
}

extension SynapseConfig {
    /// The configured writers as the wire names them.
    public var configuredWriterKeys: Set<WriterKey> {
        Set(configuredWriters.map { WriterKey(StreamName(rawValue: $0.stream), InstanceName(rawValue: $0.instance)) })
    }
}

public enum RoleComparison {
    /// Compares the configured processes with the wire. `listened` says whether there was any
    /// wire to compare with; without it only the configuration's own view is given.
    public static func compare(config: SynapseConfig?, wire: WireState, listened: Bool) -> [ProcessRole] {
        let configured = config?.processes ?? []
        var roles: [ProcessRole] = configured.map { process in
            ProcessRole(instance: process.instance, configured: process,
                        observed: wire.instances[InstanceName(rawValue: process.instance)], flags: [])
        }
        let known = Set(configured.map(\.instance))
        for (name, observed) in wire.instances.sorted(by: { $0.key < $1.key }) where !known.contains(name.rawValue) {
            roles.append(ProcessRole(instance: name.rawValue, configured: nil, observed: observed, flags: []))
        }
        for index in roles.indices {
            roles[index].flags = flags(roles[index], hasConfig: config != nil, listened: listened)
        }
        return roles
    }

    static func flags(_ role: ProcessRole, hasConfig: Bool, listened: Bool) -> [RoleFlag] {
        var flags: [RoleFlag] = []
        if role.configured?.app == "?" {
            flags.append(RoleFlag(level: .warning, message: "named in the config but no given file describes it"))
        }
        guard listened else { return flags }
        let written = Set(role.observed?.streams.map(\.rawValue) ?? [])
        guard let configured = role.configured else {
            if hasConfig {
                flags.append(RoleFlag(level: .critical, message: "seen on the wire but not in the configuration"))
            }
            return flags
        }
        guard role.observed != nil else {
            // A process that writes nothing publishes nothing: silence proves little.
            flags.append(RoleFlag(level: .info, message: "not seen on the wire (idle, or not running; --probe asks every process)"))
            return flags
        }
        // Synapse only builds the code that writes a stream on its configured writers.
        for stream in written.subtracting(configured.writes).sorted() {
            flags.append(RoleFlag(level: .critical, message: "writes \(stream) but is not configured to"))
        }
        let silent = Set(configured.writes).subtracting(written).subtracting(["caches", "federation"])
        if !silent.isEmpty {
            flags.append(RoleFlag(level: .info, message: "not seen writing " + silent.sorted().joined(separator: ", ")))
        }
        return flags
    }
}

extension ProcessRole {
    /// Alerts about processes (down, another version, no answer to REPLICATE), each first among
    /// the flags of its own row, in the alerts' order.
    public static func flagging(_ roles: [ProcessRole], with alerts: [Alert]) -> [ProcessRole] {
        roles.map { role in
            var flagged = role
            let own = alerts.filter { $0.subject == role.instance }.map { RoleFlag(level: $0.level, message: $0.message) }
            flagged.flags.insert(contentsOf: own, at: 0)
            return flagged
        }
    }
}
