import Config
@testable import Contract
import Foundation
import SnapshotSupport
import Metrics
import Observation
import Redis
import Testing
import Wire
@testable import Store

/// The documents the stack printed (Tests/Fixtures/database), read back into an observation
/// through its actions and printed again: byte for byte what syntop printed then.
@Suite struct DocumentsRoundTripTests {
    /// A document whose wire side is absent: only its database side.
    struct Side<Value: Decodable>: Decodable { var database: Value }

    func expectSame(_ data: Data, as path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = String(decoding: try fixtureData(path), as: UTF8.self)
        #expect(String(decoding: data, as: UTF8.self) == expected, "\(path)", sourceLocation: sourceLocation)
    }

    @Test func positions() throws {
        let side = try fixture("database/positions.json", Side<PositionsDatabaseSide>.self).database
        let observation = try observed(ObservationSetup(database: side.database, reads: Documents.positionsReads),
                                       session: side.session, [.positions(Fetched(side.streams, at: 1))], clock: 1)
        try expectSame(JSONDocument.encode(Documents.positions(observation, listenedSeconds: 5)), as: "database/positions.json")
    }

    @Test func pokes() throws {
        let side = try fixture("database/pokes.json", Side<PokesDatabaseSide>.self).database
        let pokes = DeviceListStore.Pokes(destinations: side.destinations, conversion: side.conversion)
        let observation = try observed(ObservationSetup(database: side.database), session: side.session,
                                       [.pokes(Fetched(pokes, at: 1))], clock: 1)
        try expectSame(JSONDocument.encode(Documents.pokes(observation, listenedSeconds: 5, limit: 100)), as: "database/pokes.json")
    }

    @Test(arguments: ["history-kicked", "history-leaver", "history-matches"])
    func history(_ name: String) throws {
        let history = try fixture("database/\(name).json", HistoryReport.self)
        let page = MembershipStore.Page(user: history.user, before: history.before, events: history.history,
                                        current: history.current, nextBefore: history.nextBefore)
        let observation = try observed(ObservationSetup(database: "--db"), session: history.session,
                                       [.history(Fetched(page, at: 1))]
                                           + (history.matches.map { [.users(Fetched(UserMatches(prefix: history.user, matches: $0), at: 1))] } ?? []),
                                       clock: 1)
        let document = try #require(Documents.history(observation, user: history.user, before: history.before, limit: history.limit))
        try expectSame(JSONDocument.encode(document), as: "database/\(name).json")
    }

    @Test func rooms() throws {
        let rooms = try fixture("database/rooms.json", RoomsReport.self)
        let list = RoomStore.RoomList(match: rooms.match ?? "", rooms: rooms.rooms, roomsKnown: rooms.roomsKnown)
        let observation = try observed(ObservationSetup(database: "--db"), session: rooms.session, [.rooms(Fetched(list, at: 1))],
                                       clock: 1)
        let document = try #require(Documents.rooms(observation, match: rooms.match, limit: rooms.limit))
        try expectSame(JSONDocument.encode(document), as: "database/rooms.json")
    }

    @Test func room() throws {
        let room = try fixture("database/room.json", RoomReport.self)
        var data = DetailData(detail: .room(room.roomId))
        data.room = RoomDetailStore.RoomDetail(roomId: room.roomId, room: room.room, extremities: room.forwardExtremities,
                                               difference: room.authChainDifference, memberships: room.memberships,
                                               destinations: room.destinationsWaiting)
        let observation = try observed(ObservationSetup(database: "--db"), session: room.session, [.detail(Fetched(data, at: 1))],
                                       clock: 1)
        let document = try #require(Documents.room(observation, roomID: room.roomId))
        #expect(document.known && document.errors.isEmpty)
        try expectSame(JSONDocument.encode(document), as: "database/room.json")
    }
}

/// The documents of a recording beside the stack's database and configuration, as snapshots.
@Suite struct DocumentSnapshotTests {
    static let recording = "hs1-beside-database.rec"

    func replay() throws -> ObservationSetup.WireInput {
        let reader = RecordingReader(RecordingBytes(Array(try fixtureData("recordings/" + Self.recording))))
        let (first, last) = try #require(try reader.span())
        return .replay(file: "Tests/Fixtures/recordings/" + Self.recording,
                       span: RecordingSpan(size: Int64(try fixtureData("recordings/" + Self.recording).count), first: first, last: last),
                       speed: .max)
    }

    func database() throws -> (SessionStore.Session, [DatabaseUpdate]) {
        let positions = try fixture("database/positions.json", DocumentsRoundTripTests.Side<PositionsDatabaseSide>.self)
        let pokes = try fixture("database/pokes.json", DocumentsRoundTripTests.Side<PokesDatabaseSide>.self).database
        struct Roles: Decodable { struct Side: Decodable { var instances: [RoleStore.Instance] }; var database: Side }
        let instances = try fixture("database/roles.json", Roles.self).database.instances
        return (positions.database.session, [
            .positions(Fetched(positions.database.streams, at: 1_795_819_961)),
            .pokes(Fetched(DeviceListStore.Pokes(destinations: pokes.destinations, conversion: pokes.conversion), at: 1_795_819_961)),
            .roles(Fetched(instances, at: 1_795_819_961)),
        ])
    }

    func stack(feeds: WireState.Feeds) throws -> Observation {
        let (session, updates) = try database()
        return try observed(ObservationSetup(config: stackConfig(), database: "--db", wire: try replay(), feeds: feeds),
                            recording: Self.recording, session: session, updates, clock: 1_795_819_961)
    }

    @Test func positionsOfARecordingBesideTheDatabase() throws {
        try expectDocument(Documents.positions(try stack(feeds: []), listenedSeconds: 5), named: "positions")
    }

    @Test func pokesOfARecordingBesideTheDatabase() throws {
        try expectDocument(Documents.pokes(try stack(feeds: .deviceLists), listenedSeconds: 5, limit: 10), named: "pokes")
    }

    /// Roles with each process's health and metrics as they answered.
    @Test func rolesWithTheProcessesAnswers() throws {
        var observation = try stack(feeds: [])
        let probes = observation.probes
        let master = try #require(probes.first { $0.instance == "master" })
        let health = try #require(master.health.first)
        observe(&observation,
                .processAnswered([ProcessAnswer(instance: "master", kind: .health, target: health, at: 1_795_819_960,
                                                outcome: .healthy(milliseconds: 2.5))]),
                .processAnswered([ProcessAnswer(instance: "client1", kind: .health, target: health, at: 1_795_819_960,
                                                outcome: .failed("Connection refused"))]),
                .processAnswered([ProcessAnswer(instance: "master", kind: .metrics, target: master.metrics ?? health,
                                                at: 1_795_819_960, outcome: .metrics(try metricsPage(), milliseconds: 4))]),
                .subscribersCounted(SubscriberCount(at: 1_795_819_960, channels: ["test.local:46669": 7, "test.local:46669/USER_IP": 1],
                                                    addresses: nil, addressesRefused: "NOPERM", error: nil)),
                .tick(clock: 1_795_819_961))
        let report = RolesReport(observation, listenedSeconds: 5)
        #expect(!report.configBroken)
        try expectDocument(report, named: "roles")
    }

    @Test func aTokenBesideTheWriters() throws {
        var observation = try stack(feeds: [])
        var data = DetailData(detail: .token("s569_0_0_0_0_0_0_m250~7.1257"))
        data.instances = [7: "client1"]
        observe(&observation, .database(.detail(Fetched(data, at: 1_795_819_961))))
        let token = "s569_0_0_0_0_0_0_m250~7.1257"
        let document = Documents.token(observation, token: token, decoded: try SyncToken.parse(token))
        try expectDocument(document, named: "token")
        expectSnapshot(TokenText.render(document.check, database: "--db") + "\n", named: "token.txt")
    }

    func metricsPage() throws -> [MetricSample] {
        var reader = PrometheusReader(names: ProcessMetrics.names)
        reader.feed(String(decoding: try fixtureData("metrics/synapse-1.163.2.txt"), as: UTF8.self))
        reader.finish()
        return reader.samples
    }
}
