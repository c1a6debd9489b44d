/// The tokens a Synapse client and its logs show: a `/sync` `next_batch` or a `/messages`
/// `from`/`to` (Synapse's `StreamToken`: up to fourteen positions joined by `_`, as Synapse 1.163
/// writes them; an older one writes fewer), and sliding sync's
/// `<connection position>/<StreamToken>`.
public struct SyncToken: Equatable, Sendable {
    /// One position of the token: a plain stream id, or a multi-writer one (`m<min>~<id>.<pos>~...`:
    /// at least `min` everywhere, and further on the writers named by their instance id).
    public struct Position: Equatable, Sendable {
        public var minimum: Int64
        /// Instance id (of the database's `instance_map`) to that writer's position.
        public var writers: [(instance: Int64, position: Int64)]
        /// The room key's `t<topological>-<stream>` form (a pagination token).
        public var topological: Int64?

        public static func == (lhs: Position, rhs: Position) -> Bool {
            lhs.minimum == rhs.minimum && lhs.topological == rhs.topological
                && lhs.writers.map(\.instance) == rhs.writers.map(\.instance)
                && lhs.writers.map(\.position) == rhs.writers.map(\.position)
        }

        /// The furthest position the token asks for.
        public var furthest: Int64 { writers.map(\.position).max().map { max($0, minimum) } ?? minimum }
    }

    public struct Field: Equatable, Sendable {
        /// The token's own name of the field (`room`, `presence`, ... ).
        public var name: String
        /// The replication stream it follows; nil for the unused groups field.
        public var stream: String?
        public var position: Position
    }

    /// Sliding sync's connection position, before the `/`.
    public var connectionPosition: Int64?
    public var fields: [Field]

    /// The fields in the order Synapse writes them, with the stream each one follows.
    public static let layout: [(name: String, stream: String?, multiWriter: Bool)] = [
        ("room", "events", true), ("presence", "presence", false), ("typing", "typing", false),
        ("receipts", "receipts", true), ("account_data", "account_data", false), ("push_rules", "push_rules", false),
        ("to_device", "to_device", false), ("device_lists", "device_lists", true), ("groups", nil, false),
        ("un_partial_stated_rooms", "un_partial_stated_room", false), ("thread_subscriptions", "thread_subscriptions", false),
        ("sticky_events", "sticky_events", true), ("quarantined_media", "quarantined_media", true),
        ("profile_updates", "profile_updates", false),
    ]

    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Reads a token; a problem names the field and says why. A shorter token is padded with
    /// `0` as Synapse pads it.
    public static func parse(_ text: String) throws(Problem) -> SyncToken {
        var rest = Substring(text.trimmingWhitespace)
        var token = SyncToken(connectionPosition: nil, fields: [])
        if let slash = rest.firstIndex(of: "/") {
            guard let position = Int64(rest[..<slash]), position >= 0 else {
                throw Problem(description: "the connection position before '/' (sliding sync) is not a whole number")
            }
            token.connectionPosition = position
            rest = rest[rest.index(after: slash)...]
        }
        guard !rest.isEmpty else { throw Problem(description: "the token is empty") }
        let parts = rest.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count <= layout.count else {
            throw Problem(description: "\(parts.count) fields separated by '_'; Synapse's tokens have at most \(layout.count)")
        }
        for (index, spec) in layout.enumerated() {
            let part = index < parts.count ? parts[index] : "0"
            do throws(Problem) {
                let position = index == 0 ? try room(part) : (spec.multiWriter ? try multiWriter(part) : try plain(part))
                token.fields.append(Field(name: spec.name, stream: spec.stream, position: position))
            } catch {
                throw Problem(description: "field \(index + 1) (\(spec.name)) '\(part.prefix(40))': \(error.description)")
            }
        }
        return token
    }

    static func plain(_ part: Substring) throws(Problem) -> Position {
        guard let value = Int64(part), value >= 0 else { throw Problem(description: "not a whole number") }
        return Position(minimum: value, writers: [])
    }

    static func multiWriter(_ part: Substring) throws(Problem) -> Position {
        if part.first == "m" { return try writers(part.dropFirst()) }
        return try plain(part)
    }

    /// `s<stream>`, `t<topological>-<stream>`, or `m<min>~<id>.<pos>~...`.
    static func room(_ part: Substring) throws(Problem) -> Position {
        switch part.first {
        case "s":
            return try plain(part.dropFirst())
        case "t":
            let pieces = part.dropFirst().split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            guard pieces.count == 2, let topological = Int64(pieces[0]), let stream = Int64(pieces[1]),
                  topological >= 0, stream >= 0 else {
                throw Problem(description: "t<topological>-<stream> expected")
            }
            return Position(minimum: stream, writers: [], topological: topological)
        case "m":
            return try writers(part.dropFirst())
        default:
            throw Problem(description: "a room key starts with s, t or m")
        }
    }

    /// `<min>~<id>.<pos>~...`; an empty part (`m5~`, which an old Synapse wrote) is skipped, as
    /// Synapse skips it.
    static func writers(_ body: Substring) throws(Problem) -> Position {
        let parts = body.split(separator: "~", omittingEmptySubsequences: false)
        guard let minimum = Int64(parts[0]), minimum >= 0 else {
            throw Problem(description: "m<min>~<instance id>.<position>... expected")
        }
        var position = Position(minimum: minimum, writers: [])
        for writer in parts.dropFirst() where !writer.isEmpty {
            let pair = writer.split(separator: ".", omittingEmptySubsequences: false)
            guard pair.count == 2, let instance = Int64(pair[0]), let at = Int64(pair[1]), instance >= 0, at >= 0 else {
                throw Problem(description: "'\(writer.prefix(20))' is not <instance id>.<position>")
            }
            position.writers.append((instance, at))
        }
        return position
    }
}

extension String {
    fileprivate var trimmingWhitespace: Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return self[start..<max(start, end)]
    }
}
