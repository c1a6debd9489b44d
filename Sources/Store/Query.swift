/// Every statement syntop sends to Synapse's database, by name. A store makes a `Statement`
/// only from one of these, so whatever explains or times every query (the index test, the
/// benchmark) cannot leave one out: a new query is a new case, with an example of what its
/// store sends.
public enum Query: String, CaseIterable, Sendable {
    case session, schema
    case writers, maxima, instanceMap
    case locks, federationSenders
    case destinations, down, conversion, unconverted, pending, destinationUsers, destinationBounds, devices, userChanges
    case history, current, historySince, currentSince, historyRooms, historyKept, userSearch
    case roomsWorstRanked, roomsLargestRanked, roomsMatchingRanked, roomsListed, roomsRecount, statsPosition, stateDeltasChanged
    case oneRoom, oneRoomHeld, roomsKnown, roomsOverExtremities, roomsOverExtremitiesSince, eventsChanged
    case roomExtremities, roomMemberships, roomMembershipsSince, roomDestinations, roomDestinationsHeld
    case stateChains, stateEvents, chainLinks, gapEvents, authEvents

    public var sql: String {
        switch self {
        case .session: SessionStore.sessionSQL
        case .schema: SessionStore.schemaSQL
        case .writers: StreamPositionStore.writersSQL
        case .maxima: StreamPositionStore.maximaSQL
        case .instanceMap: RoleStore.instanceMapSQL
        case .locks: RoleStore.locksSQL
        case .federationSenders: RoleStore.federationSendersSQL
        case .destinations: DeviceListStore.destinationsSQL
        case .down: DeviceListStore.downSQL
        case .conversion: DeviceListStore.conversionSQL
        case .unconverted: DeviceListStore.unconvertedSQL
        case .pending: DeviceListStore.pendingSQL
        case .destinationUsers: DeviceListStore.destinationUsersSQL
        case .destinationBounds: DeviceListStore.destinationBoundsSQL
        case .devices: DeviceListStore.devicesSQL
        case .userChanges: DeviceListStore.userChangesSQL
        case .history: MembershipStore.historySQL
        case .current: MembershipStore.currentSQL
        case .historySince: MembershipStore.historySinceSQL
        case .currentSince: MembershipStore.currentSinceSQL
        case .historyRooms: MembershipStore.historyRoomsSQL
        case .historyKept: MembershipStore.historyKeptSQL
        case .userSearch: UserStore.searchSQL
        case .roomsWorstRanked: RoomStore.worstRankedSQL
        case .roomsLargestRanked: RoomStore.largestRankedSQL
        case .roomsMatchingRanked: RoomStore.matchingRankedSQL
        case .roomsListed: RoomStore.roomsSQL(chosen: RoomStore.listedChosen)
        case .roomsRecount: RoomStore.roomsRecountSQL
        case .statsPosition: RoomStore.statsPositionSQL
        case .stateDeltasChanged: RoomStore.stateDeltasChangedSQL
        case .oneRoom: RoomStore.roomsSQL(chosen: RoomStore.oneChosen)
        case .oneRoomHeld: RoomStore.roomsSQL(chosen: RoomStore.oneChosen, servers: false)
        case .roomsKnown: RoomStore.roomsKnownSQL
        case .roomsOverExtremities: RoomStore.extremitiesSQL
        case .roomsOverExtremitiesSince: RoomStore.extremitiesSinceSQL
        case .eventsChanged: RoomStore.eventsChangedSQL
        case .roomExtremities: RoomDetailStore.extremitiesSQL
        case .roomMemberships: RoomDetailStore.membershipsSQL
        case .roomMembershipsSince: RoomDetailStore.membershipsSinceSQL
        case .roomDestinations: RoomDetailStore.destinationsSQL
        case .roomDestinationsHeld: RoomDetailStore.heldDestinationsSQL
        case .stateChains: RoomDetailStore.stateChainsSQL
        case .stateEvents: RoomDetailStore.stateEventsSQL
        case .chainLinks: RoomDetailStore.linksSQL
        case .gapEvents: RoomDetailStore.gapEventsSQL
        case .authEvents: RoomDetailStore.authEventsSQL
        }
    }

    /// Parameters of the kind its store sends, for explaining the query's plan.
    public var example: [String?] {
        switch self {
        case .session: SessionStore.sessionParameters
        case .schema, .writers, .maxima, .instanceMap, .locks, .federationSenders, .conversion, .roomsKnown, .statsPosition: []
        case .destinations: [String(DeviceListStore.listed)]
        case .down: [String(DeviceListStore.detailed)]
        case .unconverted: ["0", String(DeviceListStore.detailCap)]
        case .pending, .destinationUsers: ["a.example", String(DeviceListStore.detailCap)]
        case .destinationBounds: ["a.example"]
        case .devices, .userChanges: ["@a:x"]
        case .history: MembershipStore.historyParameters(user: "@a:x", before: 1000, limit: MembershipStore.pageSize)
        case .current: MembershipStore.currentParameters(user: "@a:x")
        case .historySince: ["@a:x", "1000", String(MembershipStore.pageSize), String(MembershipStore.changedLimit)]
        case .currentSince: ["@a:x", "1000", String(MembershipStore.currentLimit), String(MembershipStore.changedLimit)]
        case .historyRooms: [#"{"!a:x","!b:x"}"#]
        case .historyKept: MembershipStore.keptParameters(events: ["$a", "$b"], user: "@a:x", rooms: ["!r:x"], since: 1000)
        case .userSearch: UserStore.searchParameters(prefix: "@ali", limit: 20)
        case .roomsWorstRanked: [String(RoomStore.rankingLimit(RoomStore.listLimit)), String(RoomStore.extremityCap + 1)]
        case .roomsLargestRanked: [String(RoomStore.rankingLimit(RoomStore.listLimit))]
        case .roomsMatchingRanked: [String(RoomStore.rankingLimit(RoomStore.listLimit)), "lounge"]
        case .roomsListed: [#"{"!a:x","!b:x"}"#, String(RoomStore.listMemberCap)]
        case .roomsRecount: ["1000", String(MembershipStore.changedLimit), #"{"!a:x","!b:x"}"#, "lounge"]
        case .oneRoom: ["!r:x", String(RoomStore.detailMemberCap)]
        case .oneRoomHeld: ["!r:x"]
        case .roomsOverExtremities: ["10", String(RoomStore.heldLimit)]
        case .roomsOverExtremitiesSince: ["10", String(RoomStore.heldLimit), "1000", String(MembershipStore.changedLimit), #"{"!r:x"}"#]
        case .eventsChanged, .stateDeltasChanged: ["1000", String(MembershipStore.changedLimit)]
        case .roomExtremities: ["!r:x", String(RoomStore.extremityRows)]
        case .roomMemberships: ["!r:x", String(RoomStore.membershipRows)]
        case .roomMembershipsSince: ["!r:x", "1000", String(RoomStore.membershipRows), String(MembershipStore.changedLimit)]
        case .roomDestinations: ["!r:x", String(RoomStore.detailMemberCap), String(RoomDetailStore.pokeCap)]
        case .roomDestinationsHeld: [#"{"a.example","b.example"}"#, String(RoomDetailStore.pokeCap)]
        case .stateChains, .stateEvents: ["1", String(RoomDetailStore.chainCap + 1)]
        case .chainLinks: ["{1,2}", String(RoomDetailStore.linkCap + 1)]
        case .gapEvents: ["{1,2}", "{0,3}", "{4,9}"]
        case .authEvents: [#"{"$a","$b"}"#]
        }
    }
}
