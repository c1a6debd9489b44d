import Store

/// The database connection as the header shows it.
public enum DatabaseStatus: Equatable, Sendable {
    /// No database given: the panels say which option would give one.
    case none
    case connecting(attempt: Int)
    case ready(since: Double)
    case waiting(since: Double, retryAt: Double, error: String)
}

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
}

/// A value read from the database, with when it was read and what failed while reading it.
public struct Fetched<Value: Sendable>: Sendable {
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

public struct PokesData: Sendable {
    public var destinations: [DeviceListStore.Destination]
    public var conversion: DeviceListStore.Conversion

    public init(destinations: [DeviceListStore.Destination], conversion: DeviceListStore.Conversion) {
        self.destinations = destinations
        self.conversion = conversion
    }
}

/// One page of a user's history; `user` and `before` say which, so a page for another user
/// is never shown as this one's.
public struct HistoryPage: Sendable {
    public var user: String
    public var before: Int64?
    public var events: [MembershipStore.Event]
    public var current: [MembershipStore.Current]
    /// Where the next (older) page starts, when there is one.
    public var nextBefore: Int64?

    public init(user: String, before: Int64?, events: [MembershipStore.Event], current: [MembershipStore.Current],
                nextBefore: Int64?) {
        self.user = user
        self.before = before
        self.events = events
        self.current = current
        self.nextBefore = nextBefore
    }
}

public struct UserMatches: Sendable {
    public var prefix: String
    public var matches: [UserStore.Match]

    public init(prefix: String, matches: [UserStore.Match]) {
        self.prefix = prefix
        self.matches = matches
    }
}

/// What a drill-down read from the database.
public struct DetailData: Sendable {
    public var detail: Detail
    public var destinationUsers: [DeviceListStore.UserPokes] = []
    public var devices: [DeviceListStore.Device] = []
    public var changes: [DeviceListStore.DeviceChange] = []

    public init(detail: Detail) {
        self.detail = detail
    }
}

/// Everything the console knows from the database, each part with its age.
public struct DatabaseState: Sendable {
    /// How the database was named (the config file's database, --db, ...); nil without one.
    public var display: String?
    public var status = DatabaseStatus.none
    public var session: SessionStore.Session?
    public var positions: Fetched<[StreamPositionStore.Stream]>?
    public var pokes: Fetched<PokesData>?
    public var roles: Fetched<[RoleStore.Instance]>?
    public var users: Fetched<UserMatches>?
    public var history: Fetched<HistoryPage>?
    public var detail: Fetched<DetailData>?

    public init(display: String? = nil) {
        self.display = display
        status = display == nil ? .none : .connecting(attempt: 1)
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
        case detail(Detail)
    }

    public var reads: [Read]

    /// Positions are read whatever the screen, for the alerts in the status line.
    public static func of(_ state: ConsoleState) -> DatabaseRequest {
        // An unknown schema gives no figures rather than wrong ones.
        if state.database.session?.schemaKnown == false { return DatabaseRequest(reads: []) }
        var reads: [Read] = [.positions]
        switch state.screen {
        case .pokes: reads.append(.pokes)
        case .roles: reads.append(.roles)
        case .positions: break
        case .history:
            if let user = state.historyUser {
                reads.append(.history(user: user, before: state.historyPages.last))
            } else {
                reads.append(.users(prefix: state.historyPrefix))
            }
        }
        if let detail = state.details[state.screen] {
            switch detail {
            case .destination, .user: reads.append(.detail(detail))
            case .process: if !reads.contains(.roles) { reads.append(.roles) }
            case .stream, .membership: break
            }
        }
        return DatabaseRequest(reads: reads)
    }
}

extension HistoryPage {
    /// Membership events per page of the History screen.
    public static let pageSize = 200
}

/// What the database feed delivers; `apply` puts it into the state.
public enum DatabaseUpdate: Sendable {
    case status(DatabaseStatus)
    case session(SessionStore.Session)
    case positions(Fetched<[StreamPositionStore.Stream]>)
    case pokes(Fetched<PokesData>)
    case roles(Fetched<[RoleStore.Instance]>)
    case users(Fetched<UserMatches>)
    case history(Fetched<HistoryPage>)
    case detail(Fetched<DetailData>)
}

extension DatabaseState {
    public mutating func apply(_ update: DatabaseUpdate) {
        switch update {
        case .status(let status): self.status = status
        case .session(let session): self.session = session
        case .positions(let value): positions = value
        case .pokes(let value): pokes = value
        case .roles(let value): roles = value
        case .users(let value): users = value
        case .history(let value): history = value
        case .detail(let value): detail = value
        }
    }
}
