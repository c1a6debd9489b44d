import Config
import Foundation
import Testing
import Terminal
import Wire
@testable import Console
@testable import Observation

let consoleConfigFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../Fixtures/config").standardizedFileURL.path

func stackConfig() -> SynapseConfig {
    ConfigLoader.load(paths: [consoleConfigFixtures + "/homeserver.yaml", consoleConfigFixtures + "/workers"])
}

@Suite struct RolesScreenTests {

    @Test func namesSortByTheirNumbers() {
        var state = ConsoleState(size: Size(width: 120, height: 40))
        for name in ["client_reader10", "client_reader2", "client_reader1"] {
            state.observation.wire.ingest(Array("POSITION caches \(name) 1 2".utf8), channel: "hs", at: 1)
        }
        state.observation.source = .replay(file: "x", cursor: ReplayCursor(span: span(), speed: .max))
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
        state.observation.config = stackConfig()
        let rows = PositionsScreen.positionRows(state, alerts: []).map { ($0.cells[0].text, $0.cells[1].text, $0.cells[7].text) }
        #expect(rows.contains { $0 == ("typing", "stream_writer1", "nothing seen yet") }, "\(rows)")
        // Two persisters: one row for the stream, and one for each under it.
        #expect(rows.contains { $0 == ("events", "2 writers", "nothing seen yet") }, "\(rows)")
        #expect(rows.contains { $0 == ("", "event_persister2", "nothing seen yet") })
        #expect(!rows.contains { $0.0 == "caches" })
        state.observation.wire.ingest(Array("POSITION typing stream_writer1 3 3".utf8), channel: "hs", at: 1)
        let seen = PositionsScreen.positionRows(state, alerts: []).first { $0.cells[0].text == "typing" }
        #expect(seen?.cells[2].text == "3")
        #expect(seen?.cells[7].text == "")
    }

    @Test func theRolesScreen() throws {
        var state = try replayedState("hs1-with-hs2.rec", size: Size(width: 120, height: 40))
        state.observation.config = stackConfig()
        state.screen = .roles
        let screen = ConsoleView.render(state)
        let text = screen.text()
        expectSnapshot(screen, named: "roles-replay-config-120x40")
        #expect(text.contains("stream_writer1"))
        state.size = Size(width: 200, height: 40)
        #expect(ConsoleView.render(state).text().contains("receipts to_device typing"))
    }
}
