import Testing
@testable import Console
import Observation

@Suite struct StatusLineTests {
    @Test func theStatusLineShowsTheWorstAlertAndTheCount() throws {
        var thresholds = AlertThresholds()
        thresholds.pendingWarning = 10
        let state = try stackState(thresholds: thresholds)
        let text = ConsoleView.render(state).text()
        let status = text.split(separator: "\n").dropLast().last ?? ""
        #expect(status.contains("WARN 127.0.0.1:52695: 55 device-list pokes waiting"))
        #expect(status.contains("alerts 1"))
    }
}
