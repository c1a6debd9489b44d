import Config
import Findings
import Observation
import Store
import Wire

/// Every command's JSON document, from the observation its command drove: what it reads and
/// what it prints. A document's fields are a promise to the scripts that read them; the
/// snapshots beside the tests hold each one.
public enum Documents {
    /// The database's errors of a document: the session's first, then the read's.
    static func errors(_ observation: Observation, _ read: [String]) -> [String] {
        observation.database.sessionErrors + read
    }

    /// The database's name and session, when the observation has a database at all.
    static func database(_ observation: Observation) -> (String, SessionStore.Session)? {
        guard let display = observation.database.display, let session = observation.database.session else { return nil }
        return (display, session)
    }

    // MARK: positions

    public static let positionsReads: [DatabaseRead] = [.positions]

    public static func positions(_ observation: Observation, listenedSeconds: Double)
        -> MergedOutput<PositionsReport, PositionsDatabaseSide> {
        let wire = WireSourceReport(observation, listenedSeconds: listenedSeconds).map {
            PositionsReport(observation.wire, source: $0, now: observation.now,
                            configured: observation.config?.configuredWriterKeys)
        }
        let side = database(observation).map { display, session in
            let positions = observation.database.positions
            return PositionsDatabaseSide(database: display, session: session, streams: positions?.value ?? [],
                                         errors: errors(observation, positions?.errors ?? []))
        }
        return MergedOutput(wire: wire, database: side)
    }

    // MARK: pokes

    public static func pokesReads(cap: Int) -> [DatabaseRead] { [.pokes(cap: cap)] }

    public static func pokes(_ observation: Observation, listenedSeconds: Double, limit: Int)
        -> MergedOutput<PokesReport, PokesDatabaseSide> {
        let wire = WireSourceReport(observation, listenedSeconds: listenedSeconds).map {
            PokesReport(observation.wire, source: $0, now: observation.now, limit: limit)
        }
        let side = database(observation).flatMap { display, session in
            observation.database.pokes.map { pokes in
                PokesDatabaseSide(database: display, session: session, destinations: pokes.value.destinations,
                                  conversion: pokes.value.conversion, errors: errors(observation, pokes.errors))
            }
        }
        return MergedOutput(wire: wire, database: side)
    }

    // MARK: rooms, room, history, token

    public static func roomsReads(match: String?, limit: Int) -> [DatabaseRead] {
        [.rooms(match: match ?? "", limit: limit)]
    }

    public static func rooms(_ observation: Observation, match: String?, limit: Int) -> RoomsReport? {
        guard let (display, session) = database(observation) else { return nil }
        let list = observation.database.rooms
        return RoomsReport(database: display, session: session, match: match, limit: limit,
                           roomsKnown: list?.value.roomsKnown, rooms: list?.value.rooms ?? [],
                           errors: errors(observation, list?.errors ?? []))
    }

    public static func roomReads(_ roomID: String) -> [DatabaseRead] { [.room(roomID, reuse: nil)] }

    public static func room(_ observation: Observation, roomID: String) -> RoomReport? {
        guard let (display, session) = database(observation),
              let fetched = observation.database.detail, fetched.value.detail == .room(roomID),
              let detail = fetched.value.room else { return nil }
        return RoomReport(database: display, session: session, roomId: roomID, known: detail.room != nil,
                          room: detail.room, forwardExtremities: detail.extremities,
                          authChainDifference: detail.difference, memberships: detail.memberships,
                          destinationsWaiting: detail.destinations, errors: errors(observation, fetched.errors))
    }

    /// Users whose ID starts with the one asked for, when it has no history.
    public static let historyMatches = 20

    public static func historyReads(user: String, before: Int64?, limit: Int) -> [DatabaseRead] {
        [.history(user: user, before: before, limit: limit, matchesWhenEmpty: historyMatches)]
    }

    public static func history(_ observation: Observation, user: String, before: Int64?, limit: Int) -> HistoryReport? {
        guard let (display, session) = database(observation), let fetched = observation.database.history else { return nil }
        let page = fetched.value
        let matches = observation.database.users.flatMap { $0.value.prefix == user && page.events.isEmpty ? $0.value.matches : nil }
        return HistoryReport(user: user, database: display, session: session, matches: matches, limit: limit,
                             before: before, nextBefore: page.nextBefore, history: page.events, current: page.current,
                             errors: errors(observation, fetched.errors))
    }

    public static func tokenReads(_ token: String) -> [DatabaseRead] { [.positions, .instanceMap(token: token)] }

    /// A token beside the database's positions (without a database, decoded only); its errors
    /// are its reads', not the session's. `readFor`: the token the instance map was read for,
    /// when one read serves many tokens.
    public static func token(_ observation: Observation, token: String, decoded: SyncToken,
                             readFor: String? = nil) -> TokenReport {
        let database = observation.database
        let positions = database.positions
        let detail = database.detail.flatMap { $0.value.detail == .token(readFor ?? token) ? $0 : nil }
        let check = TokenCheck.compare(decoded, streams: positions?.value, instances: detail?.value.instances ?? [:])
        return TokenReport(token: token, database: database.display, check: check, ahead: check.ahead.map(\.name),
                           errors: (positions?.errors ?? []) + (detail?.errors ?? []))
    }
}

public struct PositionsDatabaseSide: Codable {
    var database: String
    var session: SessionStore.Session
    var streams: [StreamPositionStore.Stream]
    var errors: [String]
}

public struct PokesDatabaseSide: Codable {
    var database: String
    var session: SessionStore.Session
    var destinations: [DeviceListStore.Destination]
    var conversion: DeviceListStore.Conversion
    var errors: [String]
}

/// `syntop rooms --json`: the Rooms screen's list, worst first.
public struct RoomsReport: Codable {
    var database: String
    var session: SessionStore.Session
    var match: String?
    var limit: Int
    /// The planner's estimate of the rooms the server knows.
    var roomsKnown: Int?
    var rooms: [RoomStore.Room]
    var errors: [String]
}

/// `syntop room ROOM_ID --json`: one room's drill-down.
public struct RoomReport: Codable {
    var database: String
    var session: SessionStore.Session
    var roomId: String
    /// False when the server knows nothing of the room.
    public var known: Bool
    var room: RoomStore.Room?
    var forwardExtremities: [RoomDetailStore.Extremity]
    var authChainDifference: AuthChainDifference.Result
    var memberships: [MembershipStore.Event]
    var destinationsWaiting: [RoomDetailStore.Destination]
    public var errors: [String]
}

/// `syntop history USER_ID --json`: a page of a user's memberships.
public struct HistoryReport: Codable {
    var user: String
    var database: String
    var session: SessionStore.Session
    /// Users whose ID starts with the one asked for, when it has no history.
    var matches: [UserStore.Match]?
    var limit: Int
    var before: Int64?
    /// The next page: pass it as --before.
    var nextBefore: Int64?
    var history: [MembershipStore.Event]
    var current: [MembershipStore.Current]
    var errors: [String]
}

/// `syntop token TOKEN --json`.
public struct TokenReport: Encodable {
    var token: String
    var database: String?
    public var check: TokenCheck
    var ahead: [String]
    public var errors: [String]
}

/// `syntop token -`: a token of the input that Synapse would refuse, and why.
public struct TokenRefusal: Encodable {
    var token: String
    var refused: String

    public init(token: String, refused: String) {
        self.token = token
        self.refused = refused
    }
}

/// A config problem as the JSON commands print it: never the value, as ConfigProblem keeps none.
public struct ProblemReport: Encodable {
    public var severity: String
    public var file: String
    public var line: Int?
    public var key: String?
    public var message: String

    public init(_ problem: ConfigProblem) {
        severity = problem.severity == .critical ? "error" : "warning"
        file = problem.file
        line = problem.line
        key = problem.key
        message = problem.message
    }
}
