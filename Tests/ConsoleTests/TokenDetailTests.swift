@testable import Store
import Testing
import Wire
@testable import Console
@testable import Observation

@Suite struct TokenCommandTests {
    @Test func theTokenCommandOpensItBesideThePositionsOrSaysWhatIsWrong() {
        var state = ConsoleState.connected(.init(width: 120, height: 40))
        #expect(ConsoleReducer.runCommand(&state, "token s1_x").isEmpty)
        #expect(state.notice == Notice("token: field 2 (presence) 'x': not a whole number", .warning))
        #expect(reads(ConsoleReducer.runCommand(&state, "token s569_0_0_0_0_0_0_m250~7.1257"))
                    == [.positions, .extremities(threshold: 10), .instanceMap(token: "s569_0_0_0_0_0_0_m250~7.1257")])
        #expect(state.screen == .positions && state.details[.positions] == .token("s569_0_0_0_0_0_0_m250~7.1257"))
        let streams = [StreamPositionStore.Stream(stream: "device_lists", writers: [.init(instance: "master", streamId: 257)],
                                                  maxId: 257)]
        state.observation.database.positions = Fetched(streams, at: 1)
        var data = DetailData(detail: .token("s569_0_0_0_0_0_0_m250~7.1257"))
        data.instances = [7: "client1"]
        state.observation.database.detail = Fetched(data, at: 1)
        let text = ConsoleView.render(state).text()
        #expect(text.contains("Token s569_0_0_0_0_0_0_m250~7.1257 · 1 ahead"))
        let row = text.split(separator: "\n").first { $0.contains("│device_lists") } ?? ""
        #expect(row.contains("client1 1257/-/-") && row.contains("master -/257/-") && row.contains("AHEAD: 1257 never written"),
                "\(row)")
    }
}
