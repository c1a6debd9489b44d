import Connection
import Findings
import Observation
import Testing
import Wire
@testable import Exporter
@testable import Store

/// Hands each action to the observation, as the exporter's pump does; the effects it asks for.
@discardableResult
func observe(_ observation: inout Observation, _ actions: ObservationAction...) -> [ObservationEffect] {
    actions.flatMap { ObservationReducer.reduce(&observation, $0) }
}

/// A session as syntop's read-only role has it on a schema it knows.
let stackSession = SessionStore.Session(role: "syntop_reader", readOnly: true, statementTimeout: "2s", schemaVersion: 94,
                                        compatVersion: 84, backgroundUpdatesPending: 0, roleCanWrite: false,
                                        missingTables: [], warnings: [])

/// What the exporter starts with: positions and pokes read every round, the rooms' alerts, no rows.
let exporterSetup = ObservationSetup(database: "--db", wire: .live(endpoint: "127.0.0.1:6379", serverName: "hs", probe: false),
                                     feeds: [], reads: [.positions, .pokes], roomAlerts: true, refreshSeconds: 15)

/// An observation as the exporter's sources leave it: two event persisters on the wire, one of
/// which went silent while the database moved past it, and pokes waiting for many destinations.
func exporterObservation(destinations: Int = 50, down: Set<Int> = [7, 41]) -> Observation {
    var observation = Observation()
    let writers = [StreamPositionStore.Writer(instance: "event_persister1", streamId: 400),
                   StreamPositionStore.Writer(instance: "event_persister2", streamId: 95)]
    let listed = (0..<destinations).map { index in
        DeviceListStore.Destination(destination: "remote\(index).example", oldestAt: 100, pending: index, pendingCapped: false,
                                    oldestPendingAt: 1200 - Double(index), users: 1, newestSentAt: nil,
                                    retryIntervalMs: down.contains(index) ? 600_000 : nil,
                                    downSince: down.contains(index) ? 900 : nil)
    }
    func line(_ text: String, at time: Double) -> ObservationAction {
        .wire([WireMessage(channel: "hs", payload: ArraySlice(Array(text.utf8)), time: time)])
    }
    observe(&observation,
            .start(exporterSetup),
            .connection(.redis, .ready(since: 1000)),
            line("POSITION events event_persister1 100 100", at: 1000),
            line("POSITION events event_persister2 90 90", at: 1000),
            line("POSITION events event_persister1 400 400", at: 1100),
            line("POSITION events", at: 1100),
            .connection(.postgres, .ready(since: 1000)),
            .database(.session(Fetched(stackSession, at: 1000))),
            .databaseRoundFinished,
            .database(.positions(Fetched([StreamPositionStore.Stream(stream: "events", writers: writers, maxId: 400, sequence: 400)],
                                         at: 1190))),
            .database(.pokes(Fetched(DeviceListStore.Pokes(destinations: listed, conversion: DeviceListStore.Conversion(
                streamId: 5, roomId: nil, instance: "master", unconverted: 12, unconvertedCapped: false)), at: 1190))),
            .databaseRoundFinished,
            .tick(clock: 1200))
    return observation
}

/// The samples of a text exposition, by their name and labels as written.
func samples(_ text: String) -> [String: String] {
    var found: [String: String] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " ") else { continue }
        found[String(line[..<space])] = String(line[line.index(after: space)...])
    }
    return found
}

@Suite struct ExporterMetricsTests {
    let text = ExporterMetrics.render(exporterObservation(), alerts: exporterObservation().alerts(),
                                      options: .init(destinations: 5, version: "0.1.0"))

    @Test func everyFamilyHasHelpAndTypeRightBeforeItsSamples() {
        var declared: Set<String> = []
        var current: String?
        var families = 0
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if line.hasPrefix("# HELP ") {
                #expect(declared.insert(String(words[2])).inserted, "twice: \(line)")
                current = nil
            } else if line.hasPrefix("# TYPE ") {
                #expect(declared.contains(String(words[2])), "TYPE before HELP: \(line)")
                current = String(words[2])
                families += 1
            } else {
                let name = String(line.prefix { $0 != "{" && $0 != " " })
                #expect(current == name, "a sample away from its family: \(line)")
            }
        }
        #expect(families >= 20)
    }

    @Test func theWritersFamiliesSayWhatTheAlertsSay() {
        let found = samples(text)
        #expect(found[#"syntop_stream_wire_token{stream="events",instance="event_persister2"}"#] == "90")
        #expect(found[#"syntop_stream_wire_age_seconds{stream="events",instance="event_persister2"}"#] == "200")
        #expect(found[#"syntop_stream_database_position{stream="events",instance="event_persister2"}"#] == "95")
        // The database moved past the silent writer's last word: stalled, as the console says.
        #expect(found[#"syntop_stream_stalled{stream="events",instance="event_persister2"}"#] == "1")
        #expect(found[#"syntop_stream_stalled{stream="events",instance="event_persister1"}"#] == "0")
        #expect(exporterObservation().alerts().contains { $0.subject == "events/event_persister2" && $0.level == .critical })
        #expect(found[#"syntop_alerts{level="critical"}"#].map { Int($0)! > 0 } == true)
        #expect(found["syntop_redis_up"] == "1")
        #expect(found["syntop_database_up"] == "1")
        #expect(found["syntop_database_read_age_seconds"] == "10")
        #expect(found["syntop_wire_lines_total"] == "4")
        #expect(found[#"syntop_wire_malformed_lines_total{reason="arity"}"#] == "1")
        #expect(found["syntop_device_list_changes_unconverted"] == "12")
    }

    @Test func destinationsAreTheWorstNAndEveryOneThatIsDown() {
        let found = samples(text)
        let named = Set(found.keys.filter { $0.hasPrefix("syntop_destination_pokes_waiting{") })
        // The worst five (45 to 49 waiting), and 7 and 41, which are down.
        #expect(named.count == 7)
        for index in [45, 46, 47, 48, 49, 7, 41] {
            #expect(named.contains(#"syntop_destination_pokes_waiting{destination="remote\#(index).example"}"#))
        }
        #expect(found[#"syntop_destination_down{destination="remote7.example"}"#] == "1")
        #expect(found[#"syntop_destination_retry_interval_seconds{destination="remote41.example"}"#] == "600")
        #expect(found["syntop_destinations_waiting"] == "49")
        // 5,000 destinations give the same number of series.
        let many = ExporterMetrics.render(exporterObservation(destinations: 5000), alerts: [], options: .init(destinations: 5))
        #expect(samples(many).keys.filter { $0.hasPrefix("syntop_destination_pokes_waiting{") }.count == 7)
    }

    @Test func withoutTheDatabaseTheWireFamiliesStay() {
        var observation = exporterObservation()
        observe(&observation, .connection(.postgres, .waiting(since: 1150, retryAt: 1210, error: "connection refused")))
        let found = samples(ExporterMetrics.render(observation, alerts: observation.alerts(), options: .init()))
        #expect(found["syntop_database_up"] == "0")
        #expect(found[#"syntop_stream_wire_token{stream="events",instance="event_persister1"}"#] == "400")
    }

    @Test func aSourceNotNamedIsNotSaidToBeDown() {
        var observation = Observation()
        observe(&observation, .start(ObservationSetup()), .tick(clock: 10))
        let found = samples(ExporterMetrics.render(observation, alerts: [], options: .init()))
        #expect(found["syntop_redis_up"] == nil)
        #expect(found["syntop_database_up"] == nil)
        observe(&observation, .start(ObservationSetup(database: "--db")))
        #expect(samples(ExporterMetrics.render(observation, alerts: [], options: .init()))["syntop_database_up"] == "0")
    }

    @Test func roomsOverTheExtremitiesWarningHaveASeriesEachAndAnAlert() {
        var observation = exporterObservation()
        observe(&observation, .database(.extremities(Fetched(RoomStore.OverExtremities(
            rooms: [RoomStore.Extremities(roomId: "!fork:hs", name: "fork", forwardExtremities: 55)], threshold: 10, limit: 50),
            at: 1190))))
        let found = samples(ExporterMetrics.render(observation, alerts: observation.alerts(), options: .init()))
        #expect(found[#"syntop_room_forward_extremities{room_id="!fork:hs"}"#] == "55")
        #expect(found.keys.filter { $0.hasPrefix("syntop_room_forward_extremities") }.count == 1)
        #expect(observation.alerts().contains { $0.subject == "!fork:hs" && $0.level == .critical })
        // The exporter reads them with its other reads, once a minute.
        func round(at clock: Double) -> [DatabaseRead] {
            var next = observation
            let effects = observe(&next, .tick(clock: clock), .readNow)
            // The pokes' counts held go with their read.
            return (effects.compactMap { if case .read(let reads) = $0 { reads } else { nil } }.first ?? []).map { (read: DatabaseRead) -> DatabaseRead in
                switch read {
                case .pokesCounted(let cap, held: _, now: _): .pokes(cap: cap)
                default: read
                }
            }
        }
        #expect(round(at: 1200) == [.positions, .pokes])
        #expect(round(at: 1190 + extremitiesInterval) == [.positions, .pokes, .extremities(threshold: 10)])
    }

    @Test func labelValuesAreEscaped() {
        var out = Exposition()
        out.family("x", .gauge, "back\\slash and\nnewline")
        out.sample("x", ["destination": "a\"b\\c\nd"], 1.5)
        #expect(out.text == "# HELP x back\\\\slash and\\nnewline\n# TYPE x gauge\nx{destination=\"a\\\"b\\\\c\\nd\"} 1.5\n")
        #expect(Exposition.number(3) == "3")
        #expect(Exposition.number(0.0002858) == "0")
        #expect(Exposition.number(2.61638) == "2.616")
        #expect(Exposition.number(-0.25) == "-0.25")
        #expect(Exposition.number(.nan) == "NaN")
        #expect(Exposition.number(-.infinity) == "-Inf")
    }
}
