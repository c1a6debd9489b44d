import Deployments
import Exporter
import Observation
import Settings
import Testing
@testable import syntop

/// The exporter keeps what it serves: positions, pokes and the rooms' alerts read every
/// interval, and no row of any stream.
@Suite struct ExporterSessionTests {
    @Test func theExporterKeepsNoRowFeed() throws {
        let settings = try Settings.resolve(file: nil, filePath: nil, commandLine: [:], request: nil)
        let deployment = Deployment(database: ("host=127.0.0.1", "--db"), DatabaseSource(settings: settings))
        let setup = ExporterSession(deployment, interval: 15, options: .init(), log: ExporterLog()).setup()
        #expect(setup.feeds.isEmpty)
        #expect(setup.reads == [.positions, .pokes] && setup.roomAlerts && setup.repeating && setup.refreshSeconds == 15)
        #expect(Observation(setup).wire.feeds.isEmpty)
    }
}
