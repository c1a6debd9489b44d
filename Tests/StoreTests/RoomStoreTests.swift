import Testing
@testable import Store

/// A room's auth graph, made up: each event's auth events (all earlier), for checking the two
/// ways of computing the auth-chain difference against the definition.
struct AuthGraph {
    var auth: [[Int]]

    /// `count` events; each takes up to three earlier ones as auth events, drawn from a seed.
    init(count: Int, seed: UInt64) {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        auth = (0..<count).map { index in
            index == 0 ? [] : Array(Set((0..<(1 + next(3))).map { _ in next(index) })).sorted()
        }
    }

    func name(_ event: Int) -> String { "$e\(event)" }

    /// The events and everything in their auth chains.
    func closure(_ events: Set<Int>) -> Set<Int> {
        var seen = events
        var stack = Array(events)
        while let event = stack.popLast() {
            for parent in auth[event] where seen.insert(parent).inserted { stack.append(parent) }
        }
        return seen
    }

    /// The definition: in some set's auth chain and not in every set's.
    func difference(_ sets: [Set<Int>]) -> Int {
        let closures = sets.map(closure)
        let union = closures.reduce(Set<Int>()) { $0.union($1) }
        let common = closures.dropFirst().reduce(closures[0]) { $0.intersection($1) }
        return union.subtracting(common).count
    }

    /// A chain cover as Synapse builds one: an event continues the chain of one of its auth
    /// events when that event ends its chain, else starts a chain; links go to its other auth
    /// events' positions.
    func chainCover() -> (positions: [(chain: Int64, sequence: Int64)], links: [Int64: [AuthChainDifference.Link]]) {
        var positions: [(chain: Int64, sequence: Int64)] = []
        var tips: [Int64: Int] = [:]
        var links: [Int64: [AuthChainDifference.Link]] = [:]
        for event in auth.indices {
            let parent = auth[event].first { tips[positions[$0].chain] == $0 }
            let position: (chain: Int64, sequence: Int64) = parent.map { (positions[$0].chain, positions[$0].sequence + 1) }
                ?? (Int64(positions.count + 1), 1)
            positions.append(position)
            tips[position.chain] = event
            for other in auth[event] where other != parent {
                links[position.chain, default: []].append(AuthChainDifference.Link(
                    originSequence: position.sequence, targetChain: positions[other].chain,
                    targetSequence: positions[other].sequence))
            }
        }
        return (positions, links)
    }

    func chainCoverDifference(_ sets: [Set<Int>]) -> Int {
        let (positions, links) = chainCover()
        let starts = sets.map { set in
            var chains: [Int64: Int64] = [:]
            for event in set { chains[positions[event].chain] = max(chains[positions[event].chain] ?? 0, positions[event].sequence) }
            return chains
        }
        return AuthChainDifference.chainCoverCount(starts, links: links)
    }

    /// The walk, fed batch by batch as the database would answer it.
    func walkDifference(_ sets: [Set<Int>], cap: Int = 100_000) -> (count: Int, exceeded: Bool, rounds: Int) {
        var walk = AuthChainDifference.Walk(stateSets: sets.map { Set($0.map(name)) },
                                            depths: Dictionary(uniqueKeysWithValues: auth.indices.map { (name($0), Int64($0)) }),
                                            cap: cap)
        var rounds = 0
        while let batch = walk.next() {
            rounds += 1
            walk.take(batch.flatMap { event in
                auth[Int(event.dropFirst(2))!].map { (event, name($0), Int64($0)) }
            })
        }
        return (walk.count, walk.exceeded, rounds)
    }
}

@Suite struct AuthChainDifferenceTests {
    @Test func bothMethodsGiveTheDefinitionsAnswerOnManyGraphs() {
        for seed in UInt64(1)...60 {
            let graph = AuthGraph(count: 40 + Int(seed % 50), seed: seed)
            let count = graph.auth.count
            // Two to four state sets of a few events each, over the newer half of the graph.
            let sets = (0..<(2 + Int(seed % 3))).map { index in
                Set((0..<3).map { (Int(seed) * 7 + index * 13 + $0 * 5) % (count / 2) + count / 2 })
            }
            let expected = graph.difference(sets)
            #expect(graph.chainCoverDifference(sets) == expected, "seed \(seed)")
            #expect(graph.walkDifference(sets).count == expected, "seed \(seed)")
        }
    }

    @Test func equalStatesHaveNoDifference() {
        let graph = AuthGraph(count: 30, seed: 9)
        let set: Set<Int> = [25, 27, 29]
        #expect(graph.chainCoverDifference([set, set]) == 0)
        #expect(graph.walkDifference([set, set]).count == 0)
    }

    @Test func aLinearChainDiffersByTheStepsBetween() {
        // 0 <- 1 <- 2 <- ... <- 9: the state {9} and the state {4} differ by 5..9.
        var graph = AuthGraph(count: 1, seed: 1)
        graph.auth = (0..<10).map { $0 == 0 ? [] : [$0 - 1] }
        #expect(graph.difference([[9], [4]]) == 5)
        #expect(graph.chainCoverDifference([[9], [4]]) == 5)
        #expect(graph.walkDifference([[9], [4]]).count == 5)
    }

    @Test func theWalkStopsAtItsCap() {
        let graph = AuthGraph(count: 400, seed: 3)
        let walked = graph.walkDifference([[399], [398]], cap: 20)
        #expect(walked.exceeded)
    }

    @Test func summariesSayWhatWasFound() {
        #expect(AuthChainDifference.Result(method: .chainCover, stateSets: 2, events: 1, extremities: []).summary == "1 event")
        #expect(AuthChainDifference.Result(method: .authWalk, stateSets: 2, over: 50000, extremities: []).summary
                == "over 50000 events")
        #expect(AuthChainDifference.Result(method: nil, stateSets: 1, note: "one state", extremities: []).summary == "one state")
    }
}

@Suite struct RoomStoreTests {
    @Test func roomRowsAreShapedWithTheirCaps() {
        let rows = PGRows(columns: ["room_id", "name", "canonical_alias", "room_version", "has_auth_chain_index",
                                    "joined_members", "local_users_in_room", "current_state_events", "extremities",
                                    "server_in_room", "newest_ts", "members_read", "servers"],
                          rows: [["!a:x", "A", "#a:x", "10", "t", "1500", "20", "1600", "10001", "f", "1700000000000",
                                  "1000", "37"],
                                 ["!b:x", nil, nil, nil, nil, nil, nil, nil, "1", "t", nil, "3", "1"]])
        let rooms = RoomStore.rooms(rows, memberCap: 1000)
        #expect(rooms[0].forwardExtremities == RoomStore.extremityCap && rooms[0].forwardExtremitiesCapped)
        #expect(rooms[0].remoteMembers == 1480 && rooms[0].serversCapped && rooms[0].servers == 37)
        #expect(!rooms[0].serverInRoom && rooms[0].newestEventAt == 1_700_000_000 && rooms[0].hasAuthChainIndex == true)
        #expect(rooms[1].remoteMembers == nil && !rooms[1].serversCapped && rooms[1].hasAuthChainIndex == nil)
    }

    @Test func worstFirstIsExtremitiesThenMembers() {
        let rooms = RoomStore.worstFirst([
            RoomStore.Room(roomId: "!c", forwardExtremities: 1, joinedMembers: 900),
            RoomStore.Room(roomId: "!a", forwardExtremities: 30, joinedMembers: 2),
            RoomStore.Room(roomId: "!b", forwardExtremities: 1, joinedMembers: 9000),
        ])
        #expect(rooms.map(\.roomId) == ["!a", "!b", "!c"])
    }

    @Test func aMatchIsTakenLiterally() {
        #expect(RoomStore.likeEscaped("100%_sure\\") == "100\\%\\_sure\\\\")
        #expect(Statement.array(["$a", "b\"c", "d\\e"]) == #"{"$a","b\"c","d\\e"}"#)
        #expect(Statement.array([Int64(3), 4]) == #"{"3","4"}"#)
    }

    @Test func oneStateNeedsNoResolutionAndAnOutlierIsNamed() {
        func extremity(_ id: String, _ group: Int64?) -> RoomDetailStore.Extremity {
            RoomDetailStore.Extremity(eventId: id, stateGroup: group)
        }
        #expect(RoomDetailStore.differencePlan(extremities: [extremity("$a", 5), extremity("$b", 5)], chainIndex: true,
                                               ids: []) == nil)
        #expect(RoomDetailStore.differencePlan(extremities: [extremity("$a", 5), extremity("$b", nil)], chainIndex: true,
                                               ids: []) == nil)
        let plan = RoomDetailStore.differencePlan(extremities: (0..<12).map { extremity("$\($0)", Int64($0)) },
                                                  chainIndex: true, ids: [])
        #expect(plan?.statements.count == RoomDetailStore.maxStateSets)
    }

    @Test func roomMembershipChangesAreReadPerUser() {
        let rows = PGRows(columns: ["event_id", "event_stream_ordering", "room_id", "user_id", "membership", "sender",
                                    "display_name", "avatar_url", "state_key", "origin_server_ts", "reason"],
                          rows: [["$4", "4", "!r", "@b:x", "leave", "@a:x", nil, nil, "@b:x", "4000", "spam"],
                                 ["$3", "3", "!r", "@a:x", "join", "@a:x", "A", nil, "@a:x", "3000", nil],
                                 ["$2", "2", "!r", "@b:x", "join", "@b:x", nil, nil, "@b:x", "2000", nil],
                                 ["$1", "1", "!r", "@a:x", "join", "@a:x", nil, nil, "@a:x", "1000", nil]])
        let events = MembershipStore.roomChanges(rows)
        #expect(events.map(\.change) == ["kick", "join", "join", "join"])
        #expect(events[1].profileChange == "display name" && events[0].reason == "spam")
    }
}
