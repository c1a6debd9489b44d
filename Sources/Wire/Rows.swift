/// One row of a replication stream, typed by stream. The JSON on the wire is the positional
/// argument list of Synapse's row class for that stream.
public enum StreamRow: Hashable, Sendable {
    /// `events`: an event, a current-state change, or "all state of the room changed".
    case event(EventRow)
    case currentState(roomID: String, type: String, stateKey: String, eventID: String?)
    case allState(roomID: String)
    case backfill(eventID: String, roomID: String, type: String, stateKey: String?,
                  redacts: String?, relatesTo: String?)
    case stickyEvent(roomID: String, eventID: String)
    case profileUpdate(userID: String, action: String, affectedFields: [String]?)
    case presence(userID: String, state: String, lastActiveTS: Int64, currentlyActive: Bool)
    case presenceFederation(destination: String, userID: String)
    case typing(roomID: String, userIDs: [String])
    case receipt(roomID: String, receiptType: String, userID: String, eventID: String,
                 threadID: String?)
    case pushRules(userID: String)
    case pusher(userID: String, appID: String, deleted: Bool)
    case cacheInvalidation(cacheFunction: String, keys: JSONValue, invalidationTS: Int64?)
    /// `device_lists`: a user whose devices changed, whether the change is a cross-signing
    /// signature, and whether it was converted into per-destination pokes.
    case deviceList(userID: String, isSignature: Bool, hostsCalculated: Bool)
    /// A local recipient user or a remote destination.
    case toDevice(entity: String)
    case accountData(userID: String, roomID: String?, dataType: String)
    case threadSubscription(userID: String, roomID: String, eventID: String)
    case unPartialStatedRoom(roomID: String)
    case unPartialStatedEvent(eventID: String, rejectionStatusChanged: Bool)
    case quarantinedMedia(origin: String?, mediaID: String, quarantined: Bool)
    case federation(type: String, data: JSONValue)
    /// A stream syntop does not know: the row is kept as it came.
    case unknown(JSONValue)
}

public struct EventRow: Hashable, Sendable {
    public var eventID: String
    public var roomID: String
    public var type: String
    public var stateKey: String?
    /// The redacted event; null also for a redaction without a target.
    public var redacts: String?
    public var relatesTo: String?
    public var membership: String?
    public var rejected: Bool
    public var outlier: Bool
}

public struct RowError: Error, Equatable, Sendable {
    public var message: String
}

/// Decodes row JSON by stream.
public enum RowDecoder {
    public static let knownStreams: Set<StreamName> = [
        "events", "backfill", "sticky_events", "profile_updates", "presence",
        "presence_federation", "typing", "receipts", "push_rules", "pushers", "caches",
        "device_lists", "to_device", "account_data", "thread_subscriptions",
        "un_partial_stated_room", "un_partial_stated_event", "quarantined_media", "federation",
    ]

    public static func decode(stream: StreamName, json: JSONValue) throws(RowError) -> StreamRow {
        let fields = Fields(json, stream: stream)
        switch stream.rawValue {
        case "events": return try events(json)
        case "backfill":
            try fields.arity(6)
            return .backfill(eventID: try fields.string(0), roomID: try fields.string(1),
                             type: try fields.string(2), stateKey: try fields.optionalString(3),
                             redacts: try fields.optionalString(4),
                             relatesTo: try fields.optionalString(5))
        case "sticky_events":
            try fields.arity(2)
            return .stickyEvent(roomID: try fields.string(0), eventID: try fields.string(1))
        case "profile_updates":
            try fields.arity(3)
            let affected = try fields.optionalArray(2)?.map { item throws(RowError) -> String in
                guard let text = item.string else { throw RowError(message: "affected_fields: not a string") }
                return text
            }
            return .profileUpdate(userID: try fields.string(0), action: try fields.string(1),
                                  affectedFields: affected)
        case "presence":
            try fields.arity(7)
            return .presence(userID: try fields.string(0), state: try fields.string(1),
                             lastActiveTS: try fields.integer(2), currentlyActive: try fields.bool(6))
        case "presence_federation":
            try fields.arity(2)
            return .presenceFederation(destination: try fields.string(0), userID: try fields.string(1))
        case "typing":
            try fields.arity(2)
            let users = try fields.array(1).map { item throws(RowError) -> String in
                guard let text = item.string else { throw RowError(message: "user_ids: not a string") }
                return text
            }
            return .typing(roomID: try fields.string(0), userIDs: users)
        case "receipts":
            try fields.arity(6)
            return .receipt(roomID: try fields.string(0), receiptType: try fields.string(1),
                            userID: try fields.string(2), eventID: try fields.string(3),
                            threadID: try fields.optionalString(4))
        case "push_rules":
            try fields.arity(1)
            return .pushRules(userID: try fields.string(0))
        case "pushers":
            try fields.arity(4)
            return .pusher(userID: try fields.string(0), appID: try fields.string(1),
                           deleted: try fields.bool(3))
        case "caches":
            try fields.arity(2...3)
            let keys = fields.items[1]
            guard keys.isNull || keys.array != nil else {
                throw RowError(message: "caches: keys must be a list or null")
            }
            let function = try fields.string(0)
            // A token-keyed cache's keys are access tokens: dropped here, before anything keeps them.
            return .cacheInvalidation(cacheFunction: function,
                                      keys: Secrets.isTokenCache(function) ? Secrets.scrubbedKeys(keys) : keys,
                                      invalidationTS: fields.items.count > 2 ? try fields.optionalInteger(2) : nil)
        case "device_lists":
            try fields.arity(3)
            return .deviceList(userID: try fields.string(0), isSignature: try fields.bool(1),
                               hostsCalculated: try fields.bool(2))
        case "to_device":
            try fields.arity(1)
            return .toDevice(entity: try fields.string(0))
        case "account_data":
            try fields.arity(3)
            return .accountData(userID: try fields.string(0), roomID: try fields.optionalString(1),
                                dataType: try fields.string(2))
        case "thread_subscriptions":
            try fields.arity(3)
            return .threadSubscription(userID: try fields.string(0), roomID: try fields.string(1),
                                       eventID: try fields.string(2))
        case "un_partial_stated_room":
            try fields.arity(1)
            return .unPartialStatedRoom(roomID: try fields.string(0))
        case "un_partial_stated_event":
            try fields.arity(2)
            return .unPartialStatedEvent(eventID: try fields.string(0),
                                         rejectionStatusChanged: try fields.bool(1))
        case "quarantined_media":
            try fields.arity(3)
            return .quarantinedMedia(origin: try fields.optionalString(0), mediaID: try fields.string(1),
                                     quarantined: try fields.bool(2))
        case "federation":
            try fields.arity(2)
            return .federation(type: try fields.string(0), data: fields.items[1])
        default:
            return .unknown(json)
        }
    }

    /// `["ev", [...]]`, `["state", [...]]` or `["state-all", [...]]`. Older Synapse versions
    /// send `ev` rows with 5 to 8 fields; the missing ones are null or false.
    static func events(_ json: JSONValue) throws(RowError) -> StreamRow {
        guard let outer = json.array, outer.count == 2, let kind = outer[0].string else {
            throw RowError(message: "events: expected [type, data]")
        }
        let fields = Fields(outer[1], stream: "events")
        switch kind {
        case "ev":
            try fields.arity(5...9)
            func optionalBool(_ index: Int) throws(RowError) -> Bool {
                index < fields.items.count ? try fields.bool(index) : false
            }
            return .event(EventRow(
                eventID: try fields.string(0), roomID: try fields.string(1), type: try fields.string(2),
                stateKey: try fields.optionalString(3), redacts: try fields.optionalString(4),
                relatesTo: fields.items.count > 5 ? try fields.optionalString(5) : nil,
                membership: fields.items.count > 6 ? try fields.optionalString(6) : nil,
                rejected: try optionalBool(7), outlier: try optionalBool(8)))
        case "state":
            try fields.arity(4)
            return .currentState(roomID: try fields.string(0), type: try fields.string(1),
                                 stateKey: try fields.string(2), eventID: try fields.optionalString(3))
        case "state-all":
            try fields.arity(1)
            return .allState(roomID: try fields.string(0))
        default:
            throw RowError(message: "events: unknown row type '\(kind.prefix(40))'")
        }
    }
}

/// Positional access with the stream's name in every error.
struct Fields {
    let items: [JSONValue]
    let stream: StreamName
    let isArray: Bool

    init(_ json: JSONValue, stream: StreamName) {
        self.items = json.array ?? []
        self.stream = stream
        self.isArray = json.array != nil
    }

    func fail(_ message: String) -> RowError {
        RowError(message: "\(stream): \(message)")
    }

    func arity(_ count: Int) throws(RowError) { try arity(count...count) }

    func arity(_ range: ClosedRange<Int>) throws(RowError) {
        guard isArray else { throw fail("row is not a list") }
        guard range.contains(items.count) else {
            let expected = range.count == 1 ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)"
            throw fail("expected \(expected) fields, got \(items.count)")
        }
    }

    func string(_ index: Int) throws(RowError) -> String {
        guard let value = items[index].string else { throw fail("field \(index + 1) is not a string") }
        return value
    }

    func optionalString(_ index: Int) throws(RowError) -> String? {
        if items[index].isNull { return nil }
        return try string(index)
    }

    func integer(_ index: Int) throws(RowError) -> Int64 {
        guard let value = items[index].integer else { throw fail("field \(index + 1) is not an integer") }
        return value
    }

    func optionalInteger(_ index: Int) throws(RowError) -> Int64? {
        if items[index].isNull { return nil }
        return try integer(index)
    }

    func bool(_ index: Int) throws(RowError) -> Bool {
        guard let value = items[index].bool else { throw fail("field \(index + 1) is not a boolean") }
        return value
    }

    func array(_ index: Int) throws(RowError) -> [JSONValue] {
        guard let value = items[index].array else { throw fail("field \(index + 1) is not a list") }
        return value
    }

    func optionalArray(_ index: Int) throws(RowError) -> [JSONValue]? {
        if items[index].isNull { return nil }
        return try array(index)
    }
}
