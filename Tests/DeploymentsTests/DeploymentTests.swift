import Config
import Contract
import Deployments
import Feeds
import Foundation
import SnapshotSupport
import Observation
import Redis
import Settings
import Testing

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures")
    .standardizedFileURL.path

/// The settings of a context that names the stack's Synapse config, a Redis URL with a
/// password and a database with one: what `syntop config` and every command resolve.
func stackSettings(_ extra: String = "") throws -> Settings {
    let file = SettingsFile.parse("""
        stale_after: 30
        context: stack
        contexts:
          stack:
            config_paths: [\(fixtures)/config/homeserver.yaml, \(fixtures)/config/workers]
            db: host=127.0.0.1 dbname=synapse user=syntop_reader password=not-this-one
            process_hosts: {client1: 10.0.0.7}
        \(extra)
        """, path: "/home/op/.config/syntop/config.yaml", home: "/home/op")
    return try Settings.resolve(file: file, filePath: "/home/op/.config/syntop/config.yaml", commandLine: [:], request: nil)
}

@Suite struct DeploymentTests {
    /// The Synapse config names Redis and the main database; the context names the database
    /// and where a worker runs.
    @Test func aDeploymentFromSynapsesConfig() throws {
        let settings = try stackSettings()
        let source = WireSourceSettings(settings: settings, probe: false, replay: nil)
        let deployment = try Deployment(source, DatabaseSource(settings: settings), config: source.loadConfig(), settings: settings)
        guard case .live(let endpoint, let serverName) = deployment.wire else {
            Issue.record("not live: \(deployment.wire)")
            return
        }
        #expect(endpoint.description == "127.0.0.1:48191" && serverName == "test.local:46669")
        #expect(deployment.database?.display == "context stack's db")
        #expect(deployment.thresholds.staleAfter == 30)
        let setup = deployment.setup(feeds: [], reads: [.positions])
        #expect(setup.subscribers == ["test.local:46669", "test.local:46669/USER_IP"])
        #expect(setup.askProcesses && !setup.repeating)
        let client1 = try #require(Observation(setup).probes.first { $0.instance == "client1" })
        #expect(client1.health.first?.url.hasPrefix("http://10.0.0.7:") == true)
        let sources = deployment.sources(retryDatabase: false)
        #expect(sources.subscribe && !sources.retryDatabase && sources.database?.conninfo.contains("syntop_reader") == true)
    }

    /// A replay is of another time than the processes' answers: they are not asked beside it.
    @Test func aReplayAsksNoProcess() throws {
        let settings = try stackSettings()
        let source = WireSourceSettings(settings: settings, probe: false, replay: fixtures + "/recordings/hs1-with-hs2.rec")
        let deployment = try Deployment(source, DatabaseSource(settings: settings), config: source.loadConfig(), settings: settings)
        #expect(!deployment.setup(feeds: [], reads: []).askProcesses)
        #expect(deployment.counted == nil)
    }

    /// A TLS option with no TLS to apply it to is refused rather than ignored.
    @Test func aTLSOptionWithoutTLSIsAUsageError() throws {
        let settings = try Settings.resolve(file: nil, filePath: nil, commandLine: [
            .redis: .text("redis://127.0.0.1:6379"), .redisCA: .text("/etc/ca.pem"), .serverName: .text("hs"),
        ], request: nil)
        let source = WireSourceSettings(settings: settings, probe: false, replay: nil)
        #expect(throws: DeploymentError.self) {
            try Deployment(source, DatabaseSource(settings: settings), config: nil, settings: settings)
        }
    }

    /// `syntop config`'s document and text: every setting and where it came from, what the
    /// settings reach, the password of the database masked.
    @Test func theConfigReport() throws {
        let report = ConfigReport(try stackSettings(), themeFolders: ["/home/op/.config/syntop/themes"])
        let json = String(decoding: try JSONDocument.encode(report), as: UTF8.self)
        #expect(!json.contains("not-this-one") && !report.text.contains("not-this-one"))
        expectSnapshot(json.replacingOccurrences(of: fixtures, with: "<fixtures>"), named: "config.json")
        expectSnapshot(report.text.replacingOccurrences(of: fixtures, with: "<fixtures>") + "\n", named: "config.txt")
    }
}
