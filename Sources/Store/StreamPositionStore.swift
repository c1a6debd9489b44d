import NaturalOrder
/// Stream positions as the database keeps them: per writer in `stream_positions`, the largest
/// id written to a stream's tables, and the largest id its sequence handed out.
public enum StreamPositionStore {
    /// Every stream's persisted position per writer, with the maxima of its tables.
    public static var read: ReadPlan<[Stream]> {
        .round([Statement(.writers), Statement(.maxima)]) { streams(writers: $0[.writers], maxima: $0[.maxima]) }
    }

    /// Wire stream names whose `stream_positions` name differs.
    public static let positionNames: [String: String] = [
        "presence_stream": "presence", "push_rules_stream": "push_rules", "device_lists_stream": "device_lists",
        "un_partial_stated_room_stream": "un_partial_stated_room",
        "un_partial_stated_event_stream": "un_partial_stated_event",
    ]

    public static let writersSQL = "SELECT stream_name, instance_name, stream_id FROM stream_positions ORDER BY 1, 2"

    /// The device_lists position takes every table that writes the stream into account: pokes
    /// and signatures take ids of their own. Each max reads one end of an index.
    public static let maximaSQL = """
        SELECT 'device_lists' AS stream, GREATEST(
            (SELECT max(stream_id) FROM device_lists_stream),
            (SELECT max(stream_id) FROM user_signature_stream),
            (SELECT max(stream_id) FROM device_lists_outbound_pokes),
            (SELECT max(stream_id) FROM device_lists_changes_in_room),
            (SELECT max(stream_id) FROM device_lists_remote_pending),
            (SELECT max(stream_id) FROM device_lists_changes_converted_stream_position)) AS max_id,
            (SELECT last_value FROM device_lists_sequence) AS sequence
        UNION ALL
        SELECT 'events', (SELECT max(stream_ordering) FROM events), (SELECT last_value FROM events_stream_seq)
        UNION ALL
        SELECT 'to_device', GREATEST((SELECT max(stream_id) FROM device_inbox),
                                     (SELECT max(stream_id) FROM device_federation_outbox)),
               (SELECT last_value FROM device_inbox_sequence)
        UNION ALL
        SELECT 'receipts', (SELECT max(stream_id) FROM receipts_linearized), (SELECT last_value FROM receipts_sequence)
        UNION ALL
        SELECT 'presence', (SELECT max(stream_id) FROM presence_stream), (SELECT last_value FROM presence_stream_sequence)
        UNION ALL
        SELECT 'account_data', GREATEST((SELECT max(stream_id) FROM account_data),
                                        (SELECT max(stream_id) FROM room_account_data),
                                        (SELECT max(stream_id) FROM room_tags_revisions)),
               (SELECT last_value FROM account_data_sequence)
        """

    public struct Writer: Equatable, Sendable, Codable {
        public var instance: String
        public var streamId: Int64
    }

    public struct Stream: Equatable, Sendable, Codable {
        /// The wire name.
        public var stream: String
        public var writers: [Writer]
        public var maxId: Int64?
        public var sequence: Int64?
    }

    /// Merges both results by wire stream name; backfill is stored negative and shown positive.
    public static func streams(writers: PGRows, maxima: PGRows) -> [Stream] {
        var byName: [String: Stream] = [:]
        for index in writers.rows.indices {
            guard let stored = writers.value(index, "stream_name"), let instance = writers.value(index, "instance_name"),
                  var id = writers.value(index, "stream_id").flatMap({ Int64($0) }) else { continue }
            let name = positionNames[stored] ?? stored
            if name == "backfill" { id = -id }
            byName[name, default: Stream(stream: name, writers: [])].writers.append(Writer(instance: instance, streamId: id))
        }
        for index in maxima.rows.indices {
            guard let name = maxima.value(index, "stream") else { continue }
            byName[name, default: Stream(stream: name, writers: [])].maxId = maxima.value(index, "max_id").flatMap { Int64($0) }
            byName[name]!.sequence = maxima.value(index, "sequence").flatMap { Int64($0) }
        }
        return byName.values.sorted { NaturalOrder.less($0.stream, $1.stream) }.map { stream in
            var sorted = stream
            sorted.writers.sort { NaturalOrder.less($0.instance, $1.instance) }
            return sorted
        }
    }
}

/// The database's `instance_map`: the ids that multi-writer tokens (`m5~1.7~2.9`) name
/// writers by.
public enum InstanceMapStore {
    public static var read: ReadPlan<[Int64: String]> {
        .round([Statement(.instanceMap)]) { results in
            let rows = results[.instanceMap]
            var names: [Int64: String] = [:]
            for index in rows.rows.indices {
                if let id = rows.value(index, "instance_id").flatMap({ Int64($0) }), let name = rows.value(index, "instance_name") {
                    names[id] = name
                }
            }
            return names
        }
    }
}
