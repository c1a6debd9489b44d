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

    /// Reads a token as Synapse 1.163 reads it (`StreamToken.from_string`, sliding sync's
    /// `SlidingSyncStreamToken.from_string`): the same text gives the same positions, and what
    /// Synapse refuses is refused with the field and why. A shorter token is padded with `0` as
    /// Synapse pads it; nothing around the token is trimmed, as Synapse trims nothing.
    public static func parse(_ text: String) throws(Problem) -> SyncToken {
        let scalars = Array(text.unicodeScalars)[...]
        guard !scalars.isEmpty else { throw Problem(description: "the token is empty") }
        var token = SyncToken(connectionPosition: nil, fields: [])
        var rest = scalars
        if let slash = scalars.firstIndex(of: "/") {
            do throws(Problem) {
                token.connectionPosition = try number(scalars[..<slash])
            } catch {
                throw Problem(description: "sliding sync's connection position '\(shown(scalars[..<slash]))' before '/': \(error)")
            }
            rest = scalars[(slash + 1)...]
        }
        let parts = rest.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count <= layout.count else {
            throw Problem(description: "\(parts.count) fields separated by '_'; Synapse's tokens have at most \(layout.count)")
        }
        for (index, spec) in layout.enumerated() {
            let part = index < parts.count ? parts[index] : ["0"]
            do throws(Problem) {
                let position = index == 0 ? try room(part) : (spec.multiWriter ? try multiWriter(part) : try plain(part))
                // A negative room stream is a place in backfilled history, which the backfill
                // stream counts.
                let stream = index == 0 && position.minimum < 0 ? "backfill" : spec.stream
                token.fields.append(Field(name: spec.name, stream: stream, position: position))
            } catch {
                throw Problem(description: "field \(index + 1) (\(spec.name)) '\(shown(part))': \(error.description)")
            }
        }
        return token
    }

    typealias Scalars = ArraySlice<Unicode.Scalar>

    /// A number as Python's `int` reads it; one Python reads but 64 bits cannot hold is refused
    /// as such, saying Synapse would have read it.
    static func number(_ text: Scalars) throws(Problem) -> Int64 {
        try held(reading(text))
    }

    /// What Python reads, held or not; what it refuses is refused.
    static func reading(_ text: Scalars) throws(Problem) -> PythonInteger {
        let read = PythonInteger.read(text)
        switch read {
        case .value, .beyond:
            return read
        case .overDigitLimit:
            throw Problem(description: "more than \(PythonInteger.digitLimit) digits, which Python refuses to read")
        case .invalid:
            throw Problem(description: text.isEmpty ? "empty where a number belongs" : "not a whole number")
        }
    }

    static func held(_ read: PythonInteger) throws(Problem) -> Int64 {
        if case .value(let value) = read { return value }
        guard case .beyond(let digits) = read else { throw Problem(description: "not a whole number") }
        throw Problem(description: "Synapse reads \(digits.prefix(30))\(digits.count > 30 ? "…" : ""), "
                      + "but syntop cannot hold a position past 64 bits (PostgreSQL's bigint cannot either)")
    }

    static func plain(_ part: Scalars) throws(Problem) -> Position {
        Position(minimum: try number(part), writers: [])
    }

    /// A number that starts with a digit, or `m<min>~<id>.<pos>~...`.
    static func multiWriter(_ part: Scalars) throws(Problem) -> Position {
        guard let first = part.first else { throw Problem(description: "empty where a number belongs") }
        if PythonInteger.isPythonDigit(first) { return try plain(part) }
        guard first == "m" else { throw Problem(description: "a number (from 0) or m<min>~<instance id>.<position>... expected") }
        return try writers(part.dropFirst())
    }

    /// `s<stream>`, `t<topological>-<stream>`, or `m<min>~<id>.<pos>~...`.
    static func room(_ part: Scalars) throws(Problem) -> Position {
        let position: Position
        switch part.first {
        case "s":
            position = try plain(part.dropFirst())
        case "t":
            let body = part.dropFirst()
            guard let dash = body.firstIndex(of: "-") else {
                throw Problem(description: "t<topological>-<stream> expected, and there is no '-'")
            }
            let topological: Int64
            do throws(Problem) { topological = try number(body[..<dash]) } catch {
                throw Problem(description: "the topological ordering: \(error)")
            }
            do throws(Problem) {
                position = Position(minimum: try number(body[(dash + 1)...]), writers: [], topological: topological)
            } catch {
                throw Problem(description: "the stream ordering: \(error)")
            }
        case "m":
            position = try writers(part.dropFirst())
        case let first?:
            let hint = first.properties.isWhitespace ? " (there is space before it)" : ""
            throw Problem(description: "a room key starts with s, t or m\(hint)")
        case nil:
            throw Problem(description: "empty; a room key starts with s, t or m")
        }
        // Backfill counts the other way: its position is the stream ordering negated.
        if position.minimum == .min || position.writers.contains(where: { $0.position == .min }) {
            throw Problem(description: "Synapse reads \(Int64.min), but syntop cannot hold its backfill position, "
                          + "\(Int64.max) + 1 (PostgreSQL's bigint cannot either)")
        }
        return position
    }

    /// `<min>~<id>.<pos>~...`. As Synapse reads it: an empty part (`m5~`, which an old Synapse
    /// wrote) is skipped; a writer named twice keeps its first place and its last position;
    /// every writer must be past the minimum.
    static func writers(_ body: Scalars) throws(Problem) -> Position {
        let parts = body.split(separator: "~", omittingEmptySubsequences: false)
        var position: Position
        do throws(Problem) {
            position = Position(minimum: try number(parts[0]), writers: [])
        } catch {
            throw Problem(description: "the minimum of m<min>~<instance id>.<position>...: \(error)")
        }
        // Positions are held only once the last of them is known: a later one replaces the first.
        var read: [(instance: Int64, position: PythonInteger)] = []
        for writer in parts.dropFirst() where !writer.isEmpty {
            let pair = writer.split(separator: ".", omittingEmptySubsequences: false)
            guard pair.count == 2 else {
                throw Problem(description: "'\(shown(writer))' is not <instance id>.<position>")
            }
            do throws(Problem) {
                let instance = try number(pair[0])
                let at = try reading(pair[1])
                if let known = read.firstIndex(where: { $0.instance == instance }) {
                    read[known].position = at
                } else {
                    read.append((instance, at))
                }
            } catch {
                throw Problem(description: "'\(shown(writer))' is not <instance id>.<position>: \(error)")
            }
        }
        for writer in read {
            do throws(Problem) {
                position.writers.append((writer.instance, try held(writer.position)))
            } catch {
                throw Problem(description: "instance id \(writer.instance): \(error)")
            }
        }
        if let behind = position.writers.first(where: { $0.position <= position.minimum }) {
            throw Problem(description: "instance id \(behind.instance) is at \(behind.position), not past the minimum "
                          + "\(position.minimum); Synapse refuses a writer at or behind it")
        }
        return position
    }

    /// A piece of the token for a message: at most 40 characters, anything unprintable escaped
    /// so that a message never carries a control sequence to the terminal.
    static func shown(_ text: Scalars) -> String {
        var shown = ""
        for scalar in text.prefix(40) {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
                shown += "\\u{\(String(scalar.value, radix: 16))}"
            default:
                shown.unicodeScalars.append(scalar)
            }
        }
        return text.count > 40 ? shown + "…" : shown
    }
}
