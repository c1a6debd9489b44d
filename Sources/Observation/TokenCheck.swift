import Store
import Wire

/// A token's positions beside the writers' positions in the database: a position past
/// everything its stream has written is a token from the future, which a client waits on
/// until Synapse gives up.
public struct TokenCheck: Equatable, Sendable, Encodable {
    public struct Writer: Equatable, Sendable, Encodable {
        public var instance: String
        /// Where the token puts this writer.
        public var token: Int64?
        /// Where the database has it (`stream_positions`).
        public var database: Int64?
    }

    public struct Field: Equatable, Sendable, Encodable {
        public var name: String
        public var stream: String?
        /// The token's position as written, and what it asks for at most.
        public var token: String
        public var furthest: Int64
        public var topological: Int64?
        public var writers: [Writer]
        /// The furthest id the stream has written, from its tables or its writers' rows.
        public var written: Int64?
        /// The token asks for a position that does not exist yet.
        public var ahead: Bool
        public var note: String?
    }

    public var connectionPosition: Int64?
    public var fields: [Field]

    public var ahead: [Field] { fields.filter(\.ahead) }

    /// `instances`: the database's instance_map, for multi-writer positions.
    public static func compare(_ token: SyncToken, streams: [StreamPositionStore.Stream]?,
                               instances: [Int64: String]) -> TokenCheck {
        let byName = Dictionary((streams ?? []).map { ($0.stream, $0) }, uniquingKeysWith: { first, _ in first })
        return TokenCheck(connectionPosition: token.connectionPosition, fields: token.fields.map { field in
            let position = field.position
            let stream = field.stream.flatMap { byName[$0] }
            // Backfill's positions are the room stream's negated, as its writers' rows count them.
            let counted: (Int64) -> Int64 = field.stream == "backfill" ? { -$0 } : { $0 }
            var writers: [Writer] = position.writers.map { writer in
                let name = instances[writer.instance] ?? "instance id \(writer.instance)"
                return Writer(instance: name, token: counted(writer.position),
                              database: stream?.writers.first { $0.instance == name }?.streamId)
            }
            for stored in stream?.writers ?? [] where !writers.contains(where: { $0.instance == stored.instance }) {
                writers.append(Writer(instance: stored.instance, token: nil, database: stored.streamId))
            }
            let written = [stream?.maxId, stream?.writers.map(\.streamId).max()].compactMap { $0 }.max()
            var note: String?
            if field.stream == nil {
                note = "unused by Synapse"
            } else if field.name == "typing" {
                note = "typing is kept in memory: no database position; Synapse does not wait on it"
            } else if streams != nil && written == nil {
                note = "no position of this stream in the database"
            }
            // Every writer is past the minimum, so in backfill's counting the minimum reaches furthest.
            let furthest = field.stream == "backfill" ? -position.minimum : position.furthest
            let ahead = field.name != "typing" && written.map { furthest > $0 } == true
            return Field(name: field.name, stream: field.stream, token: text(position, name: field.name),
                         furthest: furthest, topological: position.topological, writers: writers,
                         written: written, ahead: ahead, note: note)
        })
    }

    static func text(_ position: SyncToken.Position, name: String) -> String {
        if let topological = position.topological { return "t\(topological)-\(position.minimum)" }
        guard !position.writers.isEmpty else { return name == "room" ? "s\(position.minimum)" : String(position.minimum) }
        return "m\(position.minimum)" + position.writers.map { "~\($0.instance).\($0.position)" }.joined()
    }
}
