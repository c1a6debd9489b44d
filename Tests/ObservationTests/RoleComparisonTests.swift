import Config
import Foundation
import Testing
import Wire
@testable import Observation

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures").standardizedFileURL

func stackConfig() -> SynapseConfig {
    ConfigLoader.load(paths: [fixtures.path + "/config/homeserver.yaml", fixtures.path + "/config/workers"])
}

@Suite struct RoleComparisonTests {
    @Test func theRecordedStackAgreesWithItsConfiguration() throws {
        var wire = WireState()
        wire.ingest(recording: Array(try Data(contentsOf: fixtures.appendingPathComponent("recordings/hs1-with-hs2.rec"))))
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
}
