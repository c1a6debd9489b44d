import NaturalOrder
/// What the database says about roles: stream writers with a persisted position, federation
/// senders, lock holders and the instance names ever used in stream tokens.
public enum RoleStore {
    /// What the database says of each instance: persisted positions, federation sending, locks.
    public static var read: ReadPlan<[Instance]> {
        .round([Statement(.writers), Statement(.locks), Statement(.federationSenders),
                Statement(.instanceMap)]) {
            instances(positions: $0[.writers], locks: $0[.locks], senders: $0[.federationSenders], instanceMap: $0[.instanceMap])
        }
    }

    /// Every lock with its holder and how long ago it was renewed (locks time out after two
    /// minutes without renewal). Small tables: one row per held lock.
    public static let locksSQL = """
        SELECT instance_name, lock_name, lock_key, last_renewed_ts, false AS read_write FROM worker_locks
        UNION ALL
        SELECT instance_name, lock_name, lock_key, last_renewed_ts, true FROM worker_read_write_locks
        ORDER BY 1, 2
        """

    public static let federationSendersSQL = """
        SELECT type, instance_name, stream_id FROM federation_stream_position ORDER BY instance_name, type
        """

    public static let instanceMapSQL = "SELECT instance_id, instance_name FROM instance_map ORDER BY instance_id"

    public struct Lock: Equatable, Sendable, Codable {
        public var name: String
        public var key: String
        public var readWrite: Bool
        /// Unix seconds of the last renewal.
        public var renewedAt: Double?
    }

    public struct Instance: Equatable, Sendable, Codable {
        public var instance: String
        /// `stream_positions` streams (wire names) it has persisted a position for.
        public var positionStreams: [String] = []
        public var federationSender = false
        public var locks: [Lock] = []
        /// Its number in the instance_map table, used in multi-writer stream tokens.
        public var tokenId: Int?
    }

    public static func instances(positions: PGRows, locks: PGRows, senders: PGRows, instanceMap: PGRows) -> [Instance] {
        var byName: [String: Instance] = [:]
        func touch(_ name: String) { if byName[name] == nil { byName[name] = Instance(instance: name) } }
        for index in positions.rows.indices {
            guard let name = positions.value(index, "instance_name"), let stream = positions.value(index, "stream_name") else { continue }
            touch(name)
            byName[name]!.positionStreams.append(StreamPositionStore.positionNames[stream] ?? stream)
        }
        for index in locks.rows.indices {
            guard let name = locks.value(index, "instance_name") else { continue }
            touch(name)
            byName[name]!.locks.append(Lock(name: locks.value(index, "lock_name") ?? "", key: locks.value(index, "lock_key") ?? "",
                                            readWrite: locks.value(index, "read_write") == "t",
                                            renewedAt: locks.value(index, "last_renewed_ts").flatMap { Double($0) }.map { $0 / 1000 }))
        }
        for index in senders.rows.indices {
            guard let name = senders.value(index, "instance_name") else { continue }
            touch(name)
            byName[name]!.federationSender = true
        }
        for index in instanceMap.rows.indices {
            guard let name = instanceMap.value(index, "instance_name") else { continue }
            touch(name)
            byName[name]!.tokenId = instanceMap.value(index, "instance_id").flatMap { Int($0) }
        }
        return byName.values.sorted { NaturalOrder.less($0.instance, $1.instance) }.map { instance in
            var sorted = instance
            sorted.positionStreams.sort()
            return sorted
        }
    }
}
