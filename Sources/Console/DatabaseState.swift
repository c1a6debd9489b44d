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
    public var devices: [DeviceListStore.Device] = []
    public var changes: [DeviceListStore.DeviceChange] = []
    /// The database's instance_map, for a token's multi-writer positions.
    public var instances: [Int64: String] = [:]
    public var room: RoomDetailStore.RoomDetail?

    public init(detail: Detail) {
        self.detail = detail
    }
}

/// Everything the console knows from the database, each part with its age.
public struct DatabaseState: Sendable {
    /// How the database was named (the config file's database, --db, ...); nil without one.
    public var display: String?
    /// Nil without a database: the panels say which option would give one.
    public var status: ConnectionStatus?
    public var session: SessionStore.Session?
    public var positions: Fetched<[StreamPositionStore.Stream]>?
    public var pokes: Fetched<DeviceListStore.Pokes>?
    public var roles: Fetched<[RoleStore.Instance]>?
    public var users: Fetched<UserMatches>?
    public var history: Fetched<MembershipStore.Page>?
    public var rooms: Fetched<RoomStore.RoomList>?
    /// Rooms at or over the warning's forward extremities, for the alerts.
    public var extremities: Fetched<[RoomStore.Extremities]>?
    public var detail: Fetched<DetailData>?

    public init(display: String? = nil) {
        self.display = display
        status = display == nil ? nil : .connecting(attempt: 1)
    }
}

/// Which reads the current screen needs; the database feed turns it into queries.
public struct DatabaseRequest: Equatable, Sendable {
    public enum Read: Equatable, Sendable {
        case positions
        case pokes
        case roles
        case users(prefix: String)
        case history(user: String, before: Int64?)
        /// The drill-downs that read more: a destination's waiting pokes by user, a user's devices.
        case destinationUsers(String)
        case userDevices(String)
        /// The instance_map, for the token `:token` opened.
        case instanceMap(token: String)
        /// The Rooms list: worst first, or the rooms matching the filter.
        case rooms(match: String)
        /// Rooms at or over this many forward extremities, whatever the screen (the alerts).
        case extremities(threshold: Int)
        /// A room's drill-down; `reuse` is its last auth-chain difference, kept while its
        /// extremities stay the same.
        case room(String, reuse: AuthChainDifference.Result?)
    }

    public var reads: [Read]

    /// The exporter's reads, whatever the screen: positions for the writers and the stalls,
    /// pokes for the destinations and the room changes not yet converted.
    public static func exporter(_ state: ConsoleState) -> DatabaseRequest {
        DatabaseRequest(reads: state.database.session?.schemaKnown == false ? []
            : [.positions, .pokes] + extremitiesRead(state))
    }

    /// Seconds between reads of the rooms over the extremities warning: it reads the whole
    /// extremities index, as Synapse's own count of them does about once a minute.
    public static let extremitiesInterval = 60.0

    /// Seconds before a room's auth-chain difference whose read failed is tried again.
    public static let retryFailedAfter = 300.0

    /// The alerts' read of rooms with many extremities, when the last one is old enough.
    static func extremitiesRead(_ state: ConsoleState) -> [Read] {
        if let last = state.database.extremities, state.databaseNow - last.at < extremitiesInterval, last.errors.isEmpty {
            return []
        }
        return [.extremities(threshold: state.thresholds.extremitiesWarning)]
    }

    /// Positions are read whatever the screen, for the alerts in the status line.
    public static func of(_ state: ConsoleState) -> DatabaseRequest {
        // An unknown schema gives no figures rather than wrong ones.
        if state.database.session?.schemaKnown == false { return DatabaseRequest(reads: []) }
        var reads: [Read] = [.positions] + extremitiesRead(state) + state.screen.content.reads(state)
        if let detail = state.details[state.screen] {
            switch detail {
            case .destination(let destination): reads.append(.destinationUsers(destination))
            case .user(let user): reads.append(.userDevices(user))
            case .process: if !reads.contains(.roles) { reads.append(.roles) }
            case .token(let token): reads.append(.instanceMap(token: token))
            case .room(let room):
                // A figure or a cap holds while the extremities stay; a failed read is tried
                // again after a while.
                let last = state.database.detail.flatMap { $0.value.detail == detail ? $0.value.room?.difference : nil }
                let kept = last.flatMap { $0.failed && state.databaseNow - ($0.computedAt ?? 0) >= retryFailedAfter ? nil : $0 }
                reads.append(.room(room, reuse: kept))
            case .stream, .membership: break
            }
        }
        return DatabaseRequest(reads: reads)
    }
}

/// What the database feed delivers; `apply` puts it into the state.
public enum DatabaseUpdate: Equatable, Sendable {
    case session(SessionStore.Session)
    case positions(Fetched<[StreamPositionStore.Stream]>)
    case pokes(Fetched<DeviceListStore.Pokes>)
    case roles(Fetched<[RoleStore.Instance]>)
    case users(Fetched<UserMatches>)
    case history(Fetched<MembershipStore.Page>)
    case rooms(Fetched<RoomStore.RoomList>)
    case extremities(Fetched<[RoomStore.Extremities]>)
    case detail(Fetched<DetailData>)
}

extension DatabaseState {
    /// Stream positions the database holds, by wire stream and writer.
    var storedPositions: [WriterKey: Int64] { Alerts.storedPositions(positions?.value ?? []) }

    /// What the database says of each instance, by name.
    var rolesByInstance: [String: RoleStore.Instance] {
        Dictionary((roles?.value ?? []).map { ($0.instance, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Each stream's maximum over its tables and sequence.
    var streamMaxima: [String: Int64] {
        var result: [String: Int64] = [:]
        for stream in positions?.value ?? [] {
            if let max = [stream.maxId, stream.sequence].compactMap({ $0 }).max() { result[stream.stream] = max }
        }
        return result
    }

    public mutating func apply(_ update: DatabaseUpdate) {
        switch update {
        case .session(let session): self.session = session
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

extension DatabaseRequest.Read {
    /// The store's read for this part of the screen; its answer, stamped with when it was read
    /// and what failed, is the update that carries it.
    public var plan: ReadPlan<@Sendable (Double, [String]) -> DatabaseUpdate> {
        switch self {
        case .positions:
            StreamPositionStore.read.map { streams in { .positions(Fetched(streams, at: $0, errors: $1)) } }
        case .pokes:
            DeviceListStore.pokes(cap: DeviceListStore.detailCap).map { pokes in { .pokes(Fetched(pokes, at: $0, errors: $1)) } }
        case .roles:
            RoleStore.read.map { instances in { .roles(Fetched(instances, at: $0, errors: $1)) } }
        case .users(let prefix):
            UserStore.search(prefix: prefix, limit: 200).map { matches in
                { .users(Fetched(UserMatches(prefix: prefix, matches: matches), at: $0, errors: $1)) }
            }
        case .history(let user, let before):
            MembershipStore.page(user: user, before: before).map { page in { .history(Fetched(page, at: $0, errors: $1)) } }
        case .destinationUsers(let destination):
            DeviceListStore.destinationUsers(destination).map { users in
                var data = DetailData(detail: .destination(destination))
                data.destinationUsers = users
                return { [data] in .detail(Fetched(data, at: $0, errors: $1)) }
            }
        case .instanceMap(let token):
            InstanceMapStore.read.map { instances in
                var data = DetailData(detail: .token(token))
                data.instances = instances
                return { [data] in .detail(Fetched(data, at: $0, errors: $1)) }
            }
        case .rooms(let match):
            RoomStore.list(match: match).map { list in { .rooms(Fetched(list, at: $0, errors: $1)) } }
        case .extremities(let threshold):
            RoomStore.extremities(threshold: threshold).map { rooms in { .extremities(Fetched(rooms, at: $0, errors: $1)) } }
        case .room(let room, let reuse):
            RoomDetailStore.read(room: room, reuse: reuse).map { detail in
                var data = DetailData(detail: .room(room))
                data.room = detail
                return { [data] in .detail(Fetched(data, at: $0, errors: $1)) }
            }
        case .userDevices(let user):
            DeviceListStore.userDevices(user).map { devices, changes in
                var data = DetailData(detail: .user(user))
                data.devices = devices
                data.changes = changes
                return { [data] in .detail(Fetched(data, at: $0, errors: $1)) }
            }
        }
    }
}
