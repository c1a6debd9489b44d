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

    @Test func disagreementsAreFlagged() {
        var wire = WireState()
        for line in [#"RDATA typing client1 5 ["!r",[]]"#, "POSITION events rogue 1 2"] {
            wire.ingest(Array(line.utf8), channel: "hs", at: 1)
        }
        let roles = RoleComparison.compare(config: stackConfig(), wire: wire, listened: true)
        let byName = Dictionary(uniqueKeysWithValues: roles.map { ($0.instance, $0) })
        #expect(byName["client1"]?.flags.contains(RoleFlag(level: .crit, message: "writes typing but is not configured to")) == true)
        #expect(byName["rogue"]?.flags == [RoleFlag(level: .crit, message: "seen on the wire but not in the configuration")])
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
                == [RoleFlag(level: .warn, message: "named in the config but no given file describes it")])
    }

    @Test func theRolesScreen() throws {
        var state = try replayedState("hs1-with-hs2.rec", size: Size(width: 120, height: 40))
        state.config = stackConfig()
        state.screen = .roles
        let text = ConsoleView.render(state).text()
        expectSnapshot(text, named: "roles-replay-config-120x40")
        #expect(text.contains("stream_writer1"))
        state.size = Size(width: 200, height: 40)
        #expect(ConsoleView.render(state).text().contains("receipts to_device typing"))
    }
}
