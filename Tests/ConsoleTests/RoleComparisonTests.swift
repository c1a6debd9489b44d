import Config
import Foundation
import Testing
import Terminal
import Wire
@testable import Console

let consoleConfigFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../Fixtures/config").standardizedFileURL.path

func stackConfig() -> SynapseConfig {
    ConfigLoader.load(paths: [consoleConfigFixtures + "/homeserver.yaml", consoleConfigFixtures + "/workers"])
}

@Suite struct RoleComparisonTests {
    @Test func theRecordedStackAgreesWithItsConfiguration() throws {
        var wire = WireState()
        wire.ingest(recording: Array(try Data(contentsOf: consoleFixtures.appendingPathComponent("hs1-with-hs2.rec"))))
        let roles = RoleComparison.compare(config: stackConfig(), wire: wire, listened: true)
        #expect(roles.map(\.instance) == ["master", "background1", "client1", "event_persister1", "event_persister2",
                                          "federation_sender1", "stream_writer1"])
        #expect(roles.allSatisfy { role in !role.flags.contains { $0.level != .info } }, "\(roles.map(\.flags))")
    }

    @Test func namesSortByTheirNumbers() {
        var state = ConsoleState(size: Size(width: 120, height: 40))
        for name in ["client_reader10", "client_reader2", "client_reader1"] {
            state.wire.ingest(Array("POSITION caches \(name) 1 2".utf8), channel: "hs", at: 1)
        }
        state.wireSource = .replay(file: "x", cursor: ReplayCursor(span: span(), speed: .max))
        // One group of three, under the stream's row.
        let positions = PositionsScreen.positionRows(state, alerts: []).map { $0.cells[1].text }
        #expect(positions == ["client_reader* ×3", "client_reader1", "client_reader2", "client_reader10"])
        let roles = RolesScreen.roleRows(state).map { $0.cells[0].text }
        #expect(roles == ["client_reader* ×3", "client_reader1", "client_reader2", "client_reader10"])
        // Sorting a column by name keeps that order, under the group's row.
        let rows = [TableRow([TableCell("client_reader* ×3")], foldKey: "group")]
            + ["client_reader10", "client_reader2", "client_reader1"].map { TableRow([TableCell($0)], depth: 1) }
        #expect(RowTree.arrange(rows, filter: "", sort: SortOrder(column: 0, ascending: true), expanded: ["group"])
                    .map { $0.cells[0].text }
                == ["▾ client_reader* ×3", "    client_reader1", "    client_reader2", "    client_reader10"])
    }

    /// A configured writer is a row before it publishes anything: typing had no traffic yet.
    @Test func configuredWritersArePositionRowsFromTheStart() {
        var state = ConsoleState(size: Size(width: 120, height: 40))
        state.config = stackConfig()
        let rows = PositionsScreen.positionRows(state, alerts: []).map { ($0.cells[0].text, $0.cells[1].text, $0.cells[7].text) }
        #expect(rows.contains { $0 == ("typing", "stream_writer1", "nothing seen yet") }, "\(rows)")
        // Two persisters: one row for the stream, and one for each under it.
        #expect(rows.contains { $0 == ("events", "2 writers", "nothing seen yet") }, "\(rows)")
        #expect(rows.contains { $0 == ("", "event_persister2", "nothing seen yet") })
        #expect(!rows.contains { $0.0 == "caches" })
        state.wire.ingest(Array("POSITION typing stream_writer1 3 3".utf8), channel: "hs", at: 1)
        let seen = PositionsScreen.positionRows(state, alerts: []).first { $0.cells[0].text == "typing" }
        #expect(seen?.cells[2].text == "3")
        #expect(seen?.cells[7].text == "")
        // The same rows in positions --json.
        let configured = Set(stackConfig().configuredWriters.map { WriterKey(StreamName(rawValue: $0.stream), InstanceName(rawValue: $0.instance)) })
        let report = PositionsReport(WireState(), source: WireSourceReport(kind: "replay"), now: 0, configured: configured)
        let typing = report.streams.first { $0.stream == "typing" }?.writers
        #expect(typing?.map(\.instance) == ["stream_writer1"])
        #expect(typing?.first?.token == nil && typing?.first?.configured == true)
    }

    @Test func disagreementsAreFlagged() {
        var wire = WireState()
        for line in [#"RDATA typing client1 5 ["!r",[]]"#, "POSITION events rogue 1 2"] {
            wire.ingest(Array(line.utf8), channel: "hs", at: 1)
        }
        let roles = RoleComparison.compare(config: stackConfig(), wire: wire, listened: true)
        let byName = Dictionary(uniqueKeysWithValues: roles.map { ($0.instance, $0) })
        #expect(byName["client1"]?.flags.contains(RoleFlag(level: .critical, message: "writes typing but is not configured to")) == true)
        #expect(byName["rogue"]?.flags == [RoleFlag(level: .critical, message: "seen on the wire but not in the configuration")])
        #expect(byName["stream_writer1"]?.flags.first?.level == .info)
        // Without a wire there is nothing to disagree with.
        let quiet = RoleComparison.compare(config: stackConfig(), wire: WireState(), listened: false)
        #expect(quiet.allSatisfy { $0.flags.isEmpty })
    }

    @Test func aNameWithoutAFileIsFlagged() {
        let config = ConfigLoader.parse([(file: "hs.yaml", text: """
            server_name: x
            database: {name: psycopg2, args: {}}
            redis: {enabled: true}
            instance_map: {main: {host: h, port: 1}, ep9: {host: h, port: 2}}
            stream_writers: {events: ep9}
            """)])
        let roles = RoleComparison.compare(config: config, wire: WireState(), listened: false)
        #expect(roles.first { $0.instance == "ep9" }?.flags
                == [RoleFlag(level: .warning, message: "named in the config but no given file describes it")])
    }

    @Test func theRolesScreen() throws {
        var state = try replayedState("hs1-with-hs2.rec", size: Size(width: 120, height: 40))
        state.config = stackConfig()
        state.screen = .roles
        let screen = ConsoleView.render(state)
        let text = screen.text()
        expectSnapshot(screen, named: "roles-replay-config-120x40")
        #expect(text.contains("stream_writer1"))
        state.size = Size(width: 200, height: 40)
        #expect(ConsoleView.render(state).text().contains("receipts to_device typing"))
    }
}
