import Config
import Metrics
import Redis
import Testing
@testable import Console
@testable import Observation

private let target = ProbeTarget(listener: "http 127.0.0.1:8008", url: "http://127.0.0.1:8008/health", unixSocket: nil)

private func answer(_ instance: String, _ at: Double, _ outcome: ProcessAnswer.Outcome, target: ProbeTarget = target,
                    kind: ProcessAnswer.Kind = .health) -> Action {
    .observed(.processAnswered([ProcessAnswer(instance: instance, kind: kind, target: target, at: at, outcome: outcome)]))
}

private func config() -> SynapseConfig {
    ConfigLoader.parse([(file: "homeserver.yaml", text: """
        server_name: hs
        redis: {enabled: true}
        instance_map: {main: {host: 127.0.0.1, port: 9093}, w1: {host: 127.0.0.1, port: 9094}}
        stream_writers: {typing: w1}
        database: {name: psycopg2, args: {}}
        """), (file: "w1.yaml", text: "worker_name: w1\nworker_app: synapse.app.generic_worker\n"),
        (file: "w2.yaml", text: "worker_name: w2\nworker_app: synapse.app.generic_worker\n")])
}

@Suite struct RolesHealthTests {
    /// A group's state counts its members by state, whatever each one's answer time or
    /// down time; the down one is named first among the flags.
    @Test func aGroupCountsItsMembersByState() {
        let config = ConfigLoader.parse([(file: "homeserver.yaml", text: "server_name: hs\ndatabase: {name: psycopg2, args: {}}\n")]
            + (1...4).map { (file: "r\($0).yaml", text: "worker_name: reader\($0)\nworker_app: synapse.app.generic_worker\n") })
        var state = ConsoleState.started(.init(width: 150, height: 40), ObservationSetup(config: config))
        _ = ConsoleReducer.reduce(&state, answer("reader1", 10, .healthy(milliseconds: 1.5)))
        _ = ConsoleReducer.reduce(&state, answer("reader2", 10, .healthy(milliseconds: 7)))
        _ = ConsoleReducer.reduce(&state, answer("reader3", 10, .healthy(milliseconds: 30)))
        _ = ConsoleReducer.reduce(&state, answer("reader4", 10, .failed("refused")))
        _ = ConsoleReducer.reduce(&state, .frame(clock: 12))
        let group = RolesScreen.roleRows(state).first { $0.foldKey == "group:reader" }
        #expect(group?.cells[0].text == "reader* ×4")
        #expect(group?.cells[1].text == "3 up, 1 down" && group?.cells[1].element == .crit)
        #expect(group?.cells.last?.text.hasPrefix("reader4: down") == true, "\(group?.cells.last?.text ?? "")")
    }

    @Test func rolesShowsTheStateAndTheFiguresWorstFirst() {
        var state = ConsoleState.started(.init(width: 120, height: 40), ObservationSetup(config: config()))
        _ = ConsoleReducer.reduce(&state, .showScreen(.roles))
        _ = ConsoleReducer.reduce(&state, answer("master", 10, .healthy(milliseconds: 1.5)))
        _ = ConsoleReducer.reduce(&state, answer("w1", 10, .failed("refused")))
        _ = ConsoleReducer.reduce(&state, answer("master", 10, .metrics([
            MetricSample("synapse_build_info", ["version": "1.163.2"], 1), MetricSample("process_start_time_seconds", [:], 4),
            MetricSample("process_resident_memory_bytes", [:], 123_453_440), MetricSample("process_open_fds", [:], 31)],
                                                                         milliseconds: 2), kind: .metrics))
        _ = ConsoleReducer.reduce(&state, .frame(clock: 12))
        let lines = ConsoleView.render(state).text().split(separator: "\n").filter { $0.hasPrefix("│") }
        #expect(lines[1].hasPrefix("│w1 ") && lines[1].contains("down 2s"), "\(lines)")
        #expect(lines[2].hasPrefix("│master ") && lines[2].contains("up 1.5ms") && lines[2].contains("1.163.2")
                && lines[2].contains("118M") && lines[2].contains(" 31 "), "\(lines)")
        #expect(lines[3].contains("no listener"), "\(lines)")
        _ = ConsoleReducer.reduce(&state, .showScreen(.positions))
        let positions = ConsoleView.render(state).text()
        #expect(positions.split(separator: "\n").contains { $0.contains("│typing ") && $0.contains("process down") })
    }
}
