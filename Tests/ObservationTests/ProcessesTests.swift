import Config
import Metrics
import Redis
import Testing
@testable import Observation

private let target = ProbeTarget(listener: "http 127.0.0.1:8008", url: "http://127.0.0.1:8008/health", unixSocket: nil)
private let other = ProbeTarget(listener: "http 127.0.0.1:8009", url: "http://127.0.0.1:8009/health", unixSocket: nil)

private func answer(_ instance: String, _ at: Double, _ outcome: ProcessAnswer.Outcome, target: ProbeTarget = target,
                    kind: ProcessAnswer.Kind = .health) -> ObservationAction {
    .processAnswered([ProcessAnswer(instance: instance, kind: kind, target: target, at: at, outcome: outcome)])
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

@Suite struct ProcessesTests {
    @Test func upWhileAnyListenerIsHealthyDownSinceTheFirstFailure() {
        var state = Observation()
        _ = ObservationReducer.reduce(&state, answer("w1", 10, .healthy(milliseconds: 3)))
        #expect(state.processes.health["w1"]?.state == .up)
        #expect(state.processes.health["w1"]?.responseMS == 3)
        _ = ObservationReducer.reduce(&state, answer("w1", 11, .failed("refused"), target: other))
        #expect(state.processes.health["w1"]?.state == .up)
        _ = ObservationReducer.reduce(&state, answer("w1", 12, .failed("timed out")))
        #expect(state.processes.health["w1"]?.state == .down)
        #expect(state.processes.health["w1"]?.downSince == 12)
        _ = ObservationReducer.reduce(&state, answer("w1", 14, .unhealthy("HTTP 503")))
        #expect(state.processes.health["w1"]?.downSince == 12)
        #expect(state.processes.health["w1"]?.error == "HTTP 503")
        _ = ObservationReducer.reduce(&state, answer("w1", 16, .healthy(milliseconds: 5)))
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
        var state = Observation()
        _ = ObservationReducer.reduce(&state, answer("w1", 100, .metrics(samples(start: 50, cpu: 10, tickSum: 1, tickCount: 100),
                                                                       milliseconds: 4), kind: .metrics))
        var metrics = state.processes.metrics["w1"]
        #expect(metrics?.reading.version == "1.163.2" && metrics?.reading.build == "1.163.2 (b=main,e9b8396)")
        #expect(metrics?.reading.inboundCommands == 12)
        #expect(metrics?.reading.processingPositions == ["federation_sender": 569])
        #expect(metrics?.cpuPercent == nil)
        _ = ObservationReducer.reduce(&state, answer("w1", 102, .metrics(samples(start: 50, cpu: 10.5, tickSum: 1.2, tickCount: 200),
                                                                       milliseconds: 4), kind: .metrics))
        metrics = state.processes.metrics["w1"]
        #expect(metrics?.cpuPercent == 25)
        #expect(abs((metrics?.tickMeanMS ?? 0) - 2) < 1e-9)
        // A restart: no rate across two runs.
        _ = ObservationReducer.reduce(&state, answer("w1", 104, .metrics(samples(start: 103, cpu: 0.2, tickSum: 0, tickCount: 1),
                                                                       milliseconds: 4), kind: .metrics))
        #expect(state.processes.metrics["w1"]?.cpuPercent == nil)
        _ = ObservationReducer.reduce(&state, answer("w1", 106, .failed("refused"), kind: .metrics))
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

    /// Synapse's health resource says `OK` with a 200; anything else is not healthy.
    @Test func whatAHealthAnswerMeans() {
        #expect(ProcessAnswer.Outcome.health(status: 200, body: Array("OK".utf8), seconds: 0.003) == .healthy(milliseconds: 3))
        #expect(ProcessAnswer.Outcome.health(status: 200, body: Array(" OK\n".utf8), seconds: 0.001) == .healthy(milliseconds: 1))
        #expect(ProcessAnswer.Outcome.health(status: 200, body: Array("<html>".utf8), seconds: 0) == .unhealthy("HTTP 200, not OK"))
        #expect(ProcessAnswer.Outcome.health(status: 503, body: Array("OK".utf8), seconds: 0) == .unhealthy("HTTP 503"))
        #expect(ProcessAnswer.Outcome.health(status: 200, body: Array(repeating: 0x20, count: 100) + Array("OK".utf8), seconds: 0)
                    == .unhealthy("HTTP 200, not OK"))
        #expect(ProcessAnswer.Outcome.metrics(status: 404, samples: [], malformed: 0, seconds: 0) == .failed("HTTP 404"))
        #expect(ProcessAnswer.Outcome.metrics(status: 200, samples: [], malformed: 3, seconds: 0)
                    == .failed("no Synapse metrics on the page (3 malformed line(s))"))
        let sample = MetricSample("process_open_fds", [:], 9)
        #expect(ProcessAnswer.Outcome.metrics(status: 200, samples: [sample], malformed: 0, seconds: 0.002)
                    == .metrics([sample], milliseconds: 2))
    }

    /// A process's listeners answer together, and a healthy one counts first: one refusing fast
    /// never shows it down for a moment while another says OK.
    @Test func theHealthyAnswerOfAProcessCountsFirst() {
        var state = Observation()
        _ = ObservationReducer.reduce(&state, .processAnswered([
            ProcessAnswer(instance: "w1", kind: .health, target: other, at: 10, outcome: .failed("refused")),
            ProcessAnswer(instance: "w1", kind: .health, target: target, at: 10, outcome: .healthy(milliseconds: 2)),
        ]))
        #expect(state.processes.health["w1"]?.state == .up)
        #expect(state.processes.health["w1"]?.downSince == nil)
    }
}
