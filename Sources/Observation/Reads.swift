import Store

/// One read of the database, named: the store's read plan behind it, and the updates its answer
/// becomes. A consumer asks for reads by name (`ObservationAction.want`, `ObservationSetup.reads`);
/// the observation decides when they run.
public enum DatabaseRead: Equatable, Sendable {
    /// Who syntop is on the database, what it may do, and the schema: read first on every connection.
    case session
    case positions
    /// `cap`: counts of waiting pokes stop there.
    case pokes(cap: Int)
    /// The same, with the counts held from the last read (at `now`), of which those that still
    /// stand are kept. The observation turns `pokes` into this; see `DeviceListStore.Counted`.
    case pokesCounted(cap: Int, held: DeviceListStore.Pokes, now: Double)
    case roles
    case users(prefix: String, limit: Int)
    /// A user's history, a page of `limit` events older than `before`; with `matchesWhenEmpty`,
    /// the users whose ID starts with the one asked for when it has none.
    case history(user: String, before: Int64?, limit: Int, matchesWhenEmpty: Int? = nil)
    /// A history page held, read again: what changed since an events stream position, or whole
    /// (nil). The observation turns a history it holds into this; see `ChangeCursor`.
    case historyChanges(MembershipStore.Page, since: Int64?)
    /// The drill-downs that read more: a destination's waiting pokes by user, a user's devices.
    case destinationUsers(String)
    /// The same, with the count held from the last read (at `now`), kept while it stands.
    case destinationUsersCounted(String, held: [DeviceListStore.UserPokes], basis: DeviceListStore.Basis, now: Double)
    case userDevices(String)
    /// The instance_map, for the token `:token` opened.
    case instanceMap(token: String)
    /// The Rooms list: worst first, or the rooms matching the filter.
    case rooms(match: String, limit: Int)
    /// The same list held, read again from what changed since a position of the events stream.
    /// The observation turns `rooms` into this; see `RoomStore.RoomList`.
    case roomsChanged(held: RoomStore.RoomList, since: Int64, now: Double)
    /// Rooms at or over this many forward extremities (the alerts).
    case extremities(threshold: Int)
    /// The same, counting only the rooms held and those with an event since a position of the
    /// events stream. The observation turns `extremities` into this; see `RoomStore.OverExtremities`.
    case extremitiesChanged(threshold: Int, held: RoomStore.OverExtremities, since: Int64)
    /// A room's drill-down; `reuse` is what its last read found (the observation fills it in):
    /// its auth-chain difference, kept while its extremities stay the same, and its membership
    /// events, of which only what changed is read.
    case room(String, reuse: RoomDetailStore.Reuse?)

    /// The console's reads of a screen, with the stores' own sizes.
    public static func users(prefix: String) -> DatabaseRead { .users(prefix: prefix, limit: 200) }
    public static func history(user: String, before: Int64?) -> DatabaseRead {
        .history(user: user, before: before, limit: MembershipStore.pageSize)
    }
    public static func rooms(match: String) -> DatabaseRead { .rooms(match: match, limit: RoomStore.listLimit) }
    public static let pokes = DatabaseRead.pokes(cap: DeviceListStore.detailCap)
}

/// Seconds between reads of the rooms over the extremities warning: it reads the whole
/// extremities index, as Synapse's own count of them does about once a minute.
public let extremitiesInterval = 60.0

/// Seconds before a room's auth-chain difference whose read failed is tried again.
public let retryFailedAfter = 300.0

/// When the database is read, and what: the standing reads and the consumer's, in rounds one
/// after the other, every interval (or only when asked).
public struct ReadSchedule: Equatable, Sendable {
    /// Read in every round: what the consumer's alerts and figures need whatever it shows.
    var standing: [DatabaseRead]
    var roomAlerts: Bool
    /// What the consumer looks at now (the console's screen and drill-down).
    public internal(set) var wanted: [DatabaseRead] = []
    public internal(set) var interval: Double
    var repeating: Bool
    public internal(set) var running = false
    /// The round under way reads the session, which the first round of reads waits for.
    var sessionRound = false
    /// Asked to read while a round ran: another follows it at once.
    var again = false
    var timer = 0

    init(standing: [DatabaseRead], roomAlerts: Bool, interval: Double, repeating: Bool) {
        self.standing = standing
        self.roomAlerts = roomAlerts
        self.interval = interval
        self.repeating = repeating
    }

    /// The reads of a round now. A repeating consumer reads nothing of a schema syntop does not
    /// know: no figures rather than wrong ones.
    func round(_ state: Observation) -> [DatabaseRead] {
        if repeating && state.database.session?.schemaKnown == false { return [] }
        var reads = standing
        if roomAlerts && ReadSchedule.extremitiesDue(state) {
            reads.append(.extremities(threshold: state.thresholds.extremitiesWarning))
        }
        for read in wanted where !reads.contains(read) {
            switch read {
            case .room(let room, _):
                reads.append(.room(room, reuse: ReadSchedule.kept(room, state)))
            case .history(let user, let before, let limit, _):
                reads.append(ReadSchedule.heldHistory(user: user, before: before, limit: limit, state).map {
                    .historyChanges($0.page, since: $0.since)
                } ?? read)
            default:
                reads.append(read)
            }
        }
        return reads.map { read in
            switch read {
            case .pokes(let cap):
                guard let held = state.database.pokes, held.errors.isEmpty else { return read }
                return .pokesCounted(cap: cap, held: held.value, now: state.databaseNow)
            case .extremities(let threshold):
                guard let held = state.database.extremities, held.errors.isEmpty,
                      let since = held.value.cursor.start else { return read }
                return .extremitiesChanged(threshold: threshold, held: held.value, since: since)
            case .rooms(let match, let limit):
                guard let held = state.database.rooms, held.value.match == match, held.value.limit == limit,
                      ReadSchedule.changesReadable(held.errors, state),
                      let since = held.value.changesStart(now: state.databaseNow) else { return read }
                return .roomsChanged(held: held.value, since: since, now: state.databaseNow)
            case .destinationUsers(let destination):
                guard let last = state.database.detail, last.errors.isEmpty, last.value.detail == .destination(destination),
                      let basis = last.value.destinationBasis else { return read }
                return .destinationUsersCounted(destination, held: last.value.destinationUsers, basis: basis, now: state.databaseNow)
            default:
                return read
            }
        }
    }

    /// The page held of this history, and where a read of its changes starts: nil (read whole)
    /// after a failed read, or when `changesStart` says so.
    static func heldHistory(user: String, before: Int64?, limit: Int,
                            _ state: Observation) -> (page: MembershipStore.Page, since: Int64?)? {
        guard let held = state.database.history, held.value.user == user, held.value.before == before,
              held.value.limit == limit, held.value.cursor.wholeAt != nil else { return nil }
        return (held.value, ReadSchedule.changesReadable(held.errors, state) ? held.value.cursor.start : nil)
    }

    /// Whether what changed can be read after a read that had these errors: not after a failed
    /// one, nor without the indexes that make it cheap.
    static func changesReadable(_ errors: [String], _ state: Observation) -> Bool {
        errors.isEmpty && state.database.session?.changeIndexes != false
    }

    /// The alerts' read of rooms with many extremities, when the last one is old enough.
    static func extremitiesDue(_ state: Observation) -> Bool {
        guard let last = state.database.extremities else { return true }
        return state.databaseNow - last.at >= extremitiesInterval || !last.errors.isEmpty
    }

    /// What a room's next read takes from its last: its figure or cap, which holds while its
    /// extremities stay (a failed one is tried again after a while), and its membership events
    /// with where a read of their changes starts.
    static func kept(_ room: String, _ state: Observation) -> RoomDetailStore.Reuse? {
        guard let last = state.database.detail, last.value.detail == .room(room), let detail = last.value.room else { return nil }
        let difference = detail.difference.failed && state.databaseNow - (detail.difference.computedAt ?? 0) >= retryFailedAfter
            ? nil : detail.difference
        // The servers are read from the members again when they are old enough, and their
        // pokes counted again sooner.
        func young(_ at: Double?, _ seconds: Double) -> Bool { at.map { state.databaseNow - $0 < seconds } == true }
        let servers = young(detail.serversReadAt, RoomDetailStore.serversRereadSeconds) ? detail.servers : nil
        let pokes = young(detail.pokesCountedAt, RoomDetailStore.pokesRecountSeconds) && last.errors.isEmpty
            ? detail.destinations : nil
        return RoomDetailStore.Reuse(difference: difference, memberships: detail.memberships, cursor: detail.cursor,
                                     since: changesReadable(last.errors, state) && detail.cursor.wholeAt != nil
                                         ? detail.cursor.start : nil,
                                     servers: servers, serversReadAt: detail.serversReadAt,
                                     serversCapped: detail.room?.serversCapped ?? false, destinations: pokes,
                                     pokesCountedAt: detail.pokesCountedAt)
    }
}

extension DatabaseRead {
    /// The store's read; its answer, stamped with when it was read and what failed, becomes
    /// the updates that carry it.
    public var plan: ReadPlan<@Sendable (Double, [String]) -> [DatabaseUpdate]> {
        switch self {
        case .session:
            SessionStore.read.map { session in { [.session(Fetched(session, at: $0, errors: $1))] } }
        case .positions:
            StreamPositionStore.read.map { streams in { [.positions(Fetched(streams, at: $0, errors: $1))] } }
        case .pokes(let cap):
            DeviceListStore.pokes(cap: cap).map { pokes in { [.pokes(Fetched(pokes.marked(at: $0), at: $0, errors: $1))] } }
        case .pokesCounted(let cap, let held, let now):
            DeviceListStore.pokes(cap: cap, held: held, now: now).map { pokes in
                { [.pokes(Fetched(pokes.marked(at: $0), at: $0, errors: $1))] }
            }
        case .roles:
            RoleStore.read.map { instances in { [.roles(Fetched(instances, at: $0, errors: $1))] } }
        case .users(let prefix, let limit):
            UserStore.search(prefix: prefix, limit: limit).map { matches in
                { [.users(Fetched(UserMatches(prefix: prefix, matches: matches), at: $0, errors: $1))] }
            }
        case .history(let user, let before, let limit, let matchesWhenEmpty):
            MembershipStore.page(user: user, before: before, limit: limit).followed { page in
                page.events.isEmpty ? matchesWhenEmpty.map { UserStore.search(prefix: user, limit: $0) } : nil
            }.map { page, matches in
                { at, errors in
                    [.history(Fetched(page.marked(at: at), at: at, errors: errors))]
                        + (matches.map { [.users(Fetched(UserMatches(prefix: user, matches: $0), at: at))] } ?? [])
                }
            }
        case .historyChanges(let held, let since):
            MembershipStore.changes(to: held, since: since).map { page in
                { at, errors in [.history(Fetched(page.marked(at: at), at: at, errors: errors))] }
            }
        case .destinationUsers(let destination):
            Self.destinationUsers(DeviceListStore.destinationUsers(destination), destination)
        case .destinationUsersCounted(let destination, let held, let basis, let now):
            Self.destinationUsers(DeviceListStore.destinationUsers(destination, held: (held, basis), now: now), destination)
        case .instanceMap(let token):
            InstanceMapStore.read.map { instances in
                var data = DetailData(detail: .token(token))
                data.instances = instances
                return { [data] in [.detail(Fetched(data, at: $0, errors: $1))] }
            }
        case .rooms(let match, let limit):
            RoomStore.list(match: match, limit: limit).map { list in { [.rooms(Fetched(list.marked(at: $0), at: $0, errors: $1))] } }
        case .roomsChanged(let held, let since, let now):
            RoomStore.list(match: held.match, limit: held.limit, held: held, since: since, now: now).map { list in
                { [.rooms(Fetched(list.marked(at: $0), at: $0, errors: $1))] }
            }
        case .extremities(let threshold):
            RoomStore.extremities(threshold: threshold).map { over in { [.extremities(Fetched(over.marked(at: $0), at: $0, errors: $1))] } }
        case .extremitiesChanged(let threshold, let held, let since):
            RoomStore.extremities(threshold: threshold, held: held, since: since).map { over in
                { [.extremities(Fetched(over.marked(at: $0), at: $0, errors: $1))] }
            }
        case .room(let room, let reuse):
            RoomDetailStore.read(room: room, reuse: reuse).map { detail in
                { at, errors in
                    var data = DetailData(detail: .room(room))
                    data.room = detail
                    data.room?.cursor.mark(at: at)
                    if data.room?.serversReadAt == nil { data.room?.serversReadAt = at }
                    if data.room?.pokesCountedAt == nil { data.room?.pokesCountedAt = at }
                    return [.detail(Fetched(data, at: at, errors: errors))]
                }
            }
        case .userDevices(let user):
            DeviceListStore.userDevices(user).map { devices, changes in
                var data = DetailData(detail: .user(user))
                data.devices = devices
                data.changes = changes
                return { [data] in [.detail(Fetched(data, at: $0, errors: $1))] }
            }
        }
    }

    private static func destinationUsers(_ plan: ReadPlan<([DeviceListStore.UserPokes], DeviceListStore.Basis)>,
                                         _ destination: String) -> ReadPlan<@Sendable (Double, [String]) -> [DatabaseUpdate]> {
        plan.map { users, basis in
            var data = DetailData(detail: .destination(destination))
            data.destinationUsers = users
            data.destinationBasis = basis
            return { [data] at, errors in
                var data = data
                data.destinationBasis?.mark(at: at)
                return [.detail(Fetched(data, at: at, errors: errors))]
            }
        }
    }
}
