import Config
import Metrics
import Testing
@testable import Console

private let target = ProbeTarget(listener: "http 127.0.0.1:8008", url: "http://127.0.0.1:8008/health", unixSocket: nil)
private let other = ProbeTarget(listener: "http 127.0.0.1:8009", url: "http://127.0.0.1:8009/health", unixSocket: nil)

private func answer(_ instance: String, _ at: Double, _ outcome: ProcessAnswer.Outcome, target: ProbeTarget = target,
                    kind: ProcessAnswer.Kind = .health) -> Action {
    .processAnswered(ProcessAnswer(instance: instance, kind: kind, target: target, at: at, outcome: outcome))
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

@Suite struct ProcessHealthTests {
    @Test func upWhileAnyListenerIsHealthyDownSinceTheFirstFailure() {
        var state = ConsoleState(size: .init(width: 120, height: 40))
        _ = ConsoleReducer.reduce(&state, answer("w1", 10, .healthy(milliseconds: 3)))
        #expect(state.processes.health["w1"]?.state == .up)
        #expect(state.processes.health["w1"]?.responseMS == 3)
        _ = ConsoleReducer.reduce(&state, answer("w1", 11, .failed("refused"), target: other))
        #expect(state.processes.health["w1"]?.state == .up)
        _ = ConsoleReducer.reduce(&state, answer("w1", 12, .failed("timed out")))
        #expect(state.processes.health["w1"]?.state == .down)
        #expect(state.processes.health["w1"]?.downSince == 12)
        _ = ConsoleReducer.reduce(&state, answer("w1", 14, .unhealthy("HTTP 503")))
        #expect(state.processes.health["w1"]?.downSince == 12)
        #expect(state.processes.health["w1"]?.error == "HTTP 503")
        _ = ConsoleReducer.reduce(&state, answer("w1", 16, .healthy(milliseconds: 5)))
        #expect(state.processes.health["w1"]?.state == .up && state.processes.health["w1"]?.downSince == nil)
        #expect(ProcessHealth().state == .unknown)
    }

    @Test func metricsRatesNeedTwoReadingsOfTheSameRun() {
        func samples(start: Double, cpu: Double, tickSum: Double, tickCount: Double) -> [MetricSample] {
            [MetricSample("synapse_build_info", ["version": "1.163.2 (b=main,e9b8396)"], 1),
             MetricSample("process_start_time_seconds", [:], start), MetricSample("process_cpu_seconds_total", [:], cpu),
             MetricSample("python_twisted_reactor_tick_time_sum", [:], tickSum),
             MetricSample("python_twisted_reactor_tick_time_count", [:], tickCount),
             MetricSample("synapse_replication_tcp_protocol_inbound_commands_total", ["command": "RDATA"], 5),
             MetricSample("synapse_replication_tcp_protocol_inbound_commands_total", ["command": "POSITION"], 7),
             MetricSample("synapse_event_processing_positions", ["name": "federation_sender"], 569)]
        }
        var state = ConsoleState(size: .init(width: 120, height: 40))
        _ = ConsoleReducer.reduce(&state, answer("w1", 100, .metrics(samples(start: 50, cpu: 10, tickSum: 1, tickCount: 100),
                                                                       milliseconds: 4), kind: .metrics))
        var metrics = state.processes.metrics["w1"]
        #expect(metrics?.reading.version == "1.163.2" && metrics?.reading.build == "1.163.2 (b=main,e9b8396)")
        #expect(metrics?.reading.inboundCommands == 12)
        #expect(metrics?.reading.processingPositions == ["federation_sender": 569])
        #expect(metrics?.cpuPercent == nil)
        _ = ConsoleReducer.reduce(&state, answer("w1", 102, .metrics(samples(start: 50, cpu: 10.5, tickSum: 1.2, tickCount: 200),
                                                                       milliseconds: 4), kind: .metrics))
        metrics = state.processes.metrics["w1"]
        #expect(metrics?.cpuPercent == 25)
        #expect(abs((metrics?.tickMeanMS ?? 0) - 2) < 1e-9)
        // A restart: no rate across two runs.
        _ = ConsoleReducer.reduce(&state, answer("w1", 104, .metrics(samples(start: 103, cpu: 0.2, tickSum: 0, tickCount: 1),
                                                                       milliseconds: 4), kind: .metrics))
        #expect(state.processes.metrics["w1"]?.cpuPercent == nil)
        _ = ConsoleReducer.reduce(&state, answer("w1", 106, .failed("refused"), kind: .metrics))
        #expect(state.processes.metricsErrors["w1"] == "refused")
        // A metrics failure says nothing of health.
        #expect(state.processes.health["w1"] == nil)
    }

    @Test func aDownProcessIsCriticalWhenItWritesOrHoldsADutyAWarningOtherwise() {
        var processes = ProcessesState()
        for instance in ["w1", "w2"] {
            processes.record(ProcessAnswer(instance: instance, kind: .health, target: target, at: 10, outcome: .failed("refused")))
        }
        let alerts = Alerts.processAlerts(config: config(), processes: processes, now: 20, ownSubscriptions: 0)
        #expect(alerts.first { $0.subject == "w1" }?.level == .critical)
        #expect(alerts.first { $0.subject == "w1" }?.message == "down for 10s: refused (typing)")
        #expect(Alerts.processAlerts(config: config(), processes: processes, now: 10, ownSubscriptions: 0)
            .first { $0.subject == "w1" }?.message == "down: refused (typing)")
        #expect(alerts.first { $0.subject == "w2" }?.level == .warning)
        #expect(alerts.first { $0.subject == "master" } == nil)
    }

    @Test func fewerSubscribersThanProcessesAndAnotherVersionAreWarnings() {
        var processes = ProcessesState()
        processes.subscribers = SubscriberCount(at: 1, channels: ["hs": 3, "hs/USER_IP": 1], addresses: nil,
                                                addressesRefused: "NOPERM", error: nil)
        for (instance, version) in [("master", "1.163.2"), ("w1", "1.163.2"), ("w2", "1.162.0")] {
            processes.record(ProcessAnswer(instance: instance, kind: .metrics, target: target, at: 1, outcome: .metrics(
                [MetricSample("synapse_build_info", ["version": version], 1)], milliseconds: 1)))
        }
        let alerts = Alerts.processAlerts(config: config(), processes: processes, now: 2, ownSubscriptions: 1)
        #expect(alerts.contains(Alert(.warning, "redis", "2 process(es) subscribed to hs, 3 configured")))
        #expect(alerts.contains(Alert(.warning, "w2", "runs Synapse 1.162.0 where most run 1.163.2: an upgrade half done?")))
        #expect(Alerts.processAlerts(config: config(), processes: processes, now: 2, ownSubscriptions: 0)
            .allSatisfy { $0.subject != "redis" })
    }

    /// A group's state counts its members by state, whatever each one's answer time or
    /// down time; the down one is named first among the flags.
    @Test func aGroupCountsItsMembersByState() {
        var state = ConsoleState(size: .init(width: 150, height: 40))
        state.config = ConfigLoader.parse([(file: "homeserver.yaml", text: "server_name: hs\ndatabase: {name: psycopg2, args: {}}\n")]
            + (1...4).map { (file: "r\($0).yaml", text: "worker_name: reader\($0)\nworker_app: synapse.app.generic_worker\n") })
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
        var state = ConsoleState(size: .init(width: 120, height: 40))
        state.config = config()
        state.screen = .roles
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
        state.screen = .positions
        let positions = ConsoleView.render(state).text()
        #expect(positions.split(separator: "\n").contains { $0.contains("│typing ") && $0.contains("process down") })
    }
}
