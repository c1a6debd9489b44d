import Connection
import Store
import Wire

/// What a drill-down (Enter) opened on a screen.
public enum Detail: Hashable, Sendable {
    /// A destination's waiting pokes by user.
    case destination(String)
    /// A user's devices and recent device-list changes.
    case user(String)
    /// A process's streams and locks.
    case process(String)
    /// A stream's writers and recent rows.
    case stream(String)
    /// One membership event of the History timeline, by event ID: all its fields.
    case membership(String)
    /// A sync or pagination token (`:token`), beside the writers' positions.
    case token(String)
    /// A room: its forward extremities, the cost of resolving them, its recent memberships.
    case room(String)
}

/// A value read from the database, with when it was read and what failed while reading it.
public struct Fetched<Value: Sendable & Equatable>: Equatable, Sendable {
    public var value: Value
    /// Unix seconds when the queries finished.
    public var at: Double
    public var errors: [String]

    public init(_ value: Value, at: Double, errors: [String] = []) {
        self.value = value
        self.at = at
        self.errors = errors
    }
}

public struct UserMatches: Equatable, Sendable {
    public var prefix: String
    public var matches: [UserStore.Match]

    public init(prefix: String, matches: [UserStore.Match]) {
        self.prefix = prefix
        self.matches = matches
    }
}

/// What a drill-down read from the database.
public struct DetailData: Equatable, Sendable {
    public var detail: Detail
    public var destinationUsers: [DeviceListStore.UserPokes] = []
    /// What the destination's count rests on, for the next read to keep it while it stands.
    public var destinationBasis: DeviceListStore.Basis?
    public var devices: [DeviceListStore.Device] = []
    public var changes: [DeviceListStore.DeviceChange] = []
    /// The database's instance_map, for a token's multi-writer positions.
    public var instances: [Int64: String] = [:]
    public var room: RoomDetailStore.RoomDetail?

    public init(detail: Detail) {
        self.detail = detail
    }
}

/// Everything the observation knows from the database, each part with its age.
public struct DatabaseState: Sendable {
    /// How the database was named (the config file's database, --db, ...); nil without one.
    public internal(set) var display: String?
    /// Nil without a database: the panels say which option would give one.
    public internal(set) var status: ConnectionStatus?
    public internal(set) var session: SessionStore.Session?
    /// What failed while the session was read.
    public internal(set) var sessionErrors: [String] = []
    /// Rounds of reads finished since the start.
    public internal(set) var rounds = 0
    public internal(set) var positions: Fetched<[StreamPositionStore.Stream]>?
    public internal(set) var pokes: Fetched<DeviceListStore.Pokes>?
    public internal(set) var roles: Fetched<[RoleStore.Instance]>?
    public internal(set) var users: Fetched<UserMatches>?
    public internal(set) var history: Fetched<MembershipStore.Page>?
    public internal(set) var rooms: Fetched<RoomStore.RoomList>?
    /// Rooms at or over the warning's forward extremities, for the alerts.
    public internal(set) var extremities: Fetched<RoomStore.OverExtremities>?
    public internal(set) var detail: Fetched<DetailData>?

    public init(display: String? = nil) {
        self.display = display
        status = display == nil ? nil : .connecting(attempt: 1)
    }
}

/// What the database feed delivers; `apply` puts it into the state.
public enum DatabaseUpdate: Equatable, Sendable {
    case session(Fetched<SessionStore.Session>)
    case positions(Fetched<[StreamPositionStore.Stream]>)
    case pokes(Fetched<DeviceListStore.Pokes>)
    case roles(Fetched<[RoleStore.Instance]>)
    case users(Fetched<UserMatches>)
    case history(Fetched<MembershipStore.Page>)
    case rooms(Fetched<RoomStore.RoomList>)
    case extremities(Fetched<RoomStore.OverExtremities>)
    case detail(Fetched<DetailData>)
}

extension DatabaseState {
    /// Stream positions the database holds, by wire stream and writer.
    public var storedPositions: [WriterKey: Int64] { Alerts.storedPositions(positions?.value ?? []) }

    /// What the database says of each instance, by name.
    public var rolesByInstance: [String: RoleStore.Instance] {
        Dictionary((roles?.value ?? []).map { ($0.instance, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Each stream's maximum over its tables and sequence.
    public var streamMaxima: [String: Int64] {
        var result: [String: Int64] = [:]
        for stream in positions?.value ?? [] {
            if let max = [stream.maxId, stream.sequence].compactMap({ $0 }).max() { result[stream.stream] = max }
        }
        return result
    }

    mutating func apply(_ update: DatabaseUpdate) {
        switch update {
        case .session(let session):
            self.session = session.value
            sessionErrors = session.errors
        case .positions(let value): positions = value
        case .pokes(let value): pokes = value
        case .roles(let value): roles = value
        case .users(let value): users = value
        case .history(let value): history = value
        case .rooms(let value): rooms = value
        case .extremities(let value): extremities = value
        case .detail(var value):
            // When the console first had a room's difference, for trying a failed one again.
            if value.value.room != nil, value.value.room?.difference.computedAt == nil {
                value.value.room?.difference.computedAt = value.at
            }
            detail = value
        }
    }
}
