/// What the database session is and may do, and which Synapse schema it holds: shown at start
/// so the operator sees that syntop cannot write, and why a panel may be empty.
public enum SessionStore {
    /// The session check: who syntop is, whether it can write, the schema.
    public static var read: ReadPlan<Session> {
        .round([Statement(.session, sessionParameters), Statement(.schema)]) { session($0[.session], schema: $0[.schema]) }
    }

    /// Synapse's schema versions whose tables and columns syntop knows (compat 84 to 94).
    public static let supportedSchemas = 84...94

    /// Tables syntop reads, by the panels that need them.
    public static let tables = [
        "schema_version", "schema_compat_version", "background_updates", "stream_positions", "instance_map", "federation_stream_position", "worker_locks", "worker_read_write_locks",
        "device_lists_stream", "user_signature_stream", "device_lists_outbound_pokes", "device_lists_changes_in_room",
        "device_lists_remote_pending", "device_lists_changes_converted_stream_position", "destinations",
        "room_memberships", "local_current_membership", "events", "event_json", "room_stats_state", "users",
        "device_inbox", "device_federation_outbox", "receipts_linearized", "presence_stream", "account_data",
        "room_account_data", "room_tags_revisions", "rooms", "room_stats_current", "current_state_events",
        "event_forward_extremities", "event_to_state_groups", "state_groups_state", "state_group_edges", "event_auth",
        "event_auth_chains", "event_auth_chain_links",
    ]

    /// Reads no table, so it answers whatever the role may read.
    public static let sessionSQL = """
        SELECT current_user AS role,
               current_setting('transaction_read_only') AS read_only,
               current_setting('statement_timeout') AS statement_timeout,
               has_table_privilege('room_memberships', 'INSERT') OR has_table_privilege('stream_positions', 'UPDATE')
                   OR has_table_privilege('device_lists_outbound_pokes', 'DELETE') AS role_can_write,
               array_to_string(ARRAY(SELECT t FROM unnest($1::text[]) t
                                     WHERE to_regclass(t) IS NULL OR NOT has_table_privilege(t, 'SELECT')), ',')
                   AS missing,
               to_regclass('room_memberships_stream_ordering_idx') IS NOT NULL
                   AND to_regclass('local_current_membership_stream_ordering_idx') IS NOT NULL AS change_indexes
        """

    public static var sessionParameters: [String?] { [Statement.array(tables)] }

    public static let schemaSQL = """
        SELECT (SELECT version FROM schema_version) AS schema_version,
               (SELECT compat_version FROM schema_compat_version) AS compat_version,
               (SELECT count(*) FROM background_updates) AS background_updates
        """

    public struct Session: Equatable, Sendable, Codable {
        public var role: String
        public var readOnly: Bool
        public var statementTimeout: String
        public var schemaVersion: Int?
        public var compatVersion: Int?
        public var backgroundUpdatesPending: Int
        /// The role itself could write Synapse's tables (syntop still never does).
        public var roleCanWrite: Bool
        /// Tables syntop reads that this role may not read (or that do not exist).
        public var missingTables: [String]
        /// Sentences for the operator: what is wrong, or what to keep in mind.
        public var warnings: [String]
        /// The membership tables' indexes on the events stream exist (Synapse builds them in a
        /// background update): histories can be read by what changed. Not part of the documents.
        public var changeIndexes = true

        enum CodingKeys: String, CodingKey {
            case role, readOnly, statementTimeout, schemaVersion, compatVersion, backgroundUpdatesPending, roleCanWrite,
                 missingTables, warnings
        }

        /// False for a schema version syntop does not know: its tables may not mean what the
        /// queries assume, so the console shows no figures from it.
        public var schemaKnown: Bool {
            schemaVersion.map { supportedSchemas.contains($0) } ?? true
        }
    }

    /// `schema` is empty when the role may not read Synapse's schema tables.
    public static func session(_ rows: PGRows, schema schemaRows: PGRows) -> Session {
        let readable = !schemaRows.rows.isEmpty
        let schema = readable ? schemaRows.value(0, "schema_version").flatMap { Int($0) } : nil
        let compat = readable ? schemaRows.value(0, "compat_version").flatMap { Int($0) } : nil
        let pending = readable ? schemaRows.value(0, "background_updates").flatMap { Int($0) } ?? 0 : 0
        let canWrite = rows.value(0, "role_can_write") == "t"
        let missing = (rows.value(0, "missing") ?? "").split(separator: ",").map(String.init)
        var warnings: [String] = []
        if !readable {
            warnings.append("Synapse's schema version cannot be read: figures may not match this Synapse")
        }
        if let schema, !supportedSchemas.contains(schema) {
            warnings.append("Synapse schema \(schema) is outside the \(supportedSchemas.lowerBound)-\(supportedSchemas.upperBound) syntop knows: "
                            + "figures may be wrong")
        }
        if canWrite {
            warnings.append("the role \(rows.value(0, "role") ?? "?") could write Synapse's tables; syntop never does, "
                            + "but a SELECT-only role (pg_read_all_data) is safer")
        }
        if pending > 0 {
            warnings.append("\(pending) background update(s) pending: some indexes may not exist yet")
        }
        if !missing.isEmpty {
            warnings.append("no SELECT on \(missing.joined(separator: ", ")): the panels that read them stay empty")
        }
        let changeIndexes = rows.value(0, "change_indexes") != "f"
        if !changeIndexes {
            warnings.append("the memberships' events-stream indexes are not built yet (a background update): "
                            + "a history is read whole at every refresh")
        }
        guard !rows.rows.isEmpty else {
            return Session(role: "?", readOnly: false, statementTimeout: "?", schemaVersion: schema, compatVersion: compat,
                           backgroundUpdatesPending: pending, roleCanWrite: false, missingTables: [],
                           warnings: warnings + ["the session could not be checked"])
        }
        return Session(role: rows.value(0, "role") ?? "?", readOnly: rows.value(0, "read_only") == "on",
                       statementTimeout: rows.value(0, "statement_timeout") ?? "?", schemaVersion: schema,
                       compatVersion: compat, backgroundUpdatesPending: pending, roleCanWrite: canWrite,
                       missingTables: missing, warnings: warnings, changeIndexes: changeIndexes)
    }
}
