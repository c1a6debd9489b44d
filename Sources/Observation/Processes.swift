import Connection
import Foundation
import Config
import Metrics
import Redis

/// What one request to a process's listener brought back.
public struct ProcessAnswer: Equatable, Sendable {
    public enum Kind: String, Equatable, Sendable {
        case health, metrics
    }

    public enum Outcome: Equatable, Sendable {
        /// `/health` answered `OK` with 200, in this many milliseconds.
        case healthy(milliseconds: Double)
        /// An answer that is not a healthy one: another status, another body.
        case unhealthy(String)
        case failed(String)
        /// The metrics page, read as far as syntop keeps it.
        case metrics([MetricSample], milliseconds: Double)

        public var isHealthy: Bool {
            if case .healthy = self { true } else { false }
        }

        /// What a `GET /health` answered: Synapse's health resource says `OK` with a 200, and
        /// anything else is not healthy.
        public static func health(status: Int, body: [UInt8], seconds: Double) -> Outcome {
            let text = String(decoding: body.prefix(Outcome.healthBodyLimit), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            return status == 200 && text == "OK" ? .healthy(milliseconds: seconds * 1000)
                : .unhealthy("HTTP \(status)" + (status == 200 ? ", not OK" : ""))
        }

        /// How much of a health answer is read: `OK` and some room.
        public static let healthBodyLimit = 64

        /// What a metrics page answered, read through `PrometheusReader`: a page without one of
        /// Synapse's names is no metrics page.
        public static func metrics(status: Int, samples: [MetricSample], malformed: Int, seconds: Double) -> Outcome {
            guard status == 200 else { return .failed("HTTP \(status)") }
            return samples.isEmpty ? .failed("no Synapse metrics on the page (\(malformed) malformed line(s))")
                : .metrics(samples, milliseconds: seconds * 1000)
        }
    }

    public var instance: String
    public var kind: Kind
    public var target: ProbeTarget
    public var at: Double
    public var outcome: Outcome

    public init(instance: String, kind: Kind, target: ProbeTarget, at: Double, outcome: Outcome) {
        self.instance = instance
        self.kind = kind
        self.target = target
        self.at = at
        self.outcome = outcome
    }
}

/// Is a process up, by what its listeners answered last.
public struct ProcessHealth: Equatable, Sendable {
    public enum State: String, Sendable, Codable {
        case up, down, unknown
    }

    /// The last answer of each of its listeners, by the listener's name.
    public var answers: [String: ProcessAnswer] = [:]
    /// When it was first seen down, since it was last up.
    public var downSince: Double?

    public init() {}

    public var state: State {
        let health = answers.values
        if health.contains(where: { if case .healthy = $0.outcome { true } else { false } }) { return .up }
        return health.isEmpty ? .unknown : .down
    }

    /// The answer that decided the state: the fastest healthy one, else the latest failure.
    public var deciding: ProcessAnswer? {
        let health = answers.values
        let healthy = health.compactMap { answer -> (ProcessAnswer, Double)? in
            if case .healthy(let milliseconds) = answer.outcome { (answer, milliseconds) } else { nil }
        }
        if let fastest = healthy.min(by: { $0.1 < $1.1 }) { return fastest.0 }
        return health.max { $0.at < $1.at }
    }

    public var checkedAt: Double? { answers.values.map(\.at).max() }

    public var responseMS: Double? {
        if case .healthy(let milliseconds) = deciding?.outcome { milliseconds } else { nil }
    }

    public var error: String? {
        switch deciding?.outcome {
        case .unhealthy(let error), .failed(let error): error
        default: nil
        }
    }

    mutating func record(_ answer: ProcessAnswer) {
        answers[answer.target.listener] = answer
        switch state {
        case .up: downSince = nil
        case .down: downSince = downSince ?? answer.at
        case .unknown: break
        }
    }
}

/// The figures of a process's metrics page that the screens show, with the rates that need
/// two readings.
public struct ProcessMetrics: Equatable, Sendable {
    /// The names read from the page; everything else on it is skipped unread.
    public static let names: Set<String> = [
        "synapse_build_info", "process_start_time_seconds", "process_cpu_seconds_total",
        "process_resident_memory_bytes", "process_open_fds", "process_max_fds",
        "python_twisted_reactor_tick_time_sum", "python_twisted_reactor_tick_time_count",
        "synapse_replication_tcp_protocol_inbound_commands_total",
        "synapse_replication_tcp_protocol_outbound_commands_total",
        "synapse_replication_tcp_protocol_inbound_rdata_count_total",
        "synapse_event_persisted_position", "synapse_event_processing_positions",
    ]

    public struct Reading: Equatable, Sendable {
        public var at: Double
        /// Synapse's version, without what a build from git adds after it (`1.163.2 (b=main,e9b8396)`).
        public var version: String?
        /// The version as the process gives it, whole.
        public var build: String?
        public var startTime: Double?
        public var cpuSeconds: Double?
        public var residentBytes: Double?
        public var openFDs: Double?
        public var maxFDs: Double?
        public var tickSum: Double?
        public var tickCount: Double?
        public var inboundCommands: Double?
        public var outboundCommands: Double?
        public var inboundRows: Double?
        /// An event persister's last persisted stream ordering.
        public var persistedPosition: Double?
        /// The positions a stream reader has processed, by its name (federation_sender, user_dir, ...).
        public var processingPositions: [String: Double] = [:]

        public init(at: Double, samples: [MetricSample]) {
            self.at = at
            func total(_ name: String) -> Double? {
                let values = samples.filter { $0.name == name }.map(\.value)
                return values.isEmpty ? nil : values.reduce(0, +)
            }
            build = samples.first { $0.name == "synapse_build_info" }?.labels["version"]
            version = build?.split(separator: " ").first.map(String.init)
            startTime = total("process_start_time_seconds")
            cpuSeconds = total("process_cpu_seconds_total")
            residentBytes = total("process_resident_memory_bytes")
            openFDs = total("process_open_fds")
            maxFDs = total("process_max_fds")
            tickSum = total("python_twisted_reactor_tick_time_sum")
            tickCount = total("python_twisted_reactor_tick_time_count")
            inboundCommands = total("synapse_replication_tcp_protocol_inbound_commands_total")
            outboundCommands = total("synapse_replication_tcp_protocol_outbound_commands_total")
            inboundRows = total("synapse_replication_tcp_protocol_inbound_rdata_count_total")
            persistedPosition = total("synapse_event_persisted_position")
            for sample in samples where sample.name == "synapse_event_processing_positions" {
                if let name = sample.labels["name"] { processingPositions[name] = sample.value }
            }
        }
    }

    public var reading: Reading
    /// CPU used between the last two readings, in % of one core.
    public var cpuPercent: Double?
    /// The reactor's mean tick between the last two readings, in milliseconds.
    public var tickMeanMS: Double?

    /// A new reading, with the rates against the one before (unless the process restarted).
    mutating func update(_ next: Reading) {
        let previous = reading
        reading = next
        cpuPercent = nil
        tickMeanMS = nil
        guard previous.startTime == next.startTime, next.at > previous.at else { return }
        if let before = previous.cpuSeconds, let now = next.cpuSeconds, now >= before {
            cpuPercent = (now - before) / (next.at - previous.at) * 100
        }
        if let sum = next.tickSum, let count = next.tickCount, let sumBefore = previous.tickSum,
           let countBefore = previous.tickCount, count > countBefore {
            tickMeanMS = (sum - sumBefore) / (count - countBefore) * 1000
        }
    }

    public init(_ reading: Reading) {
        self.reading = reading
    }
}

extension OutputBufferLimit {
    public var description: String {
        func size(_ bytes: Int64) -> String { bytes == 0 ? "none" : SizeText.bytes(Double(bytes)) }
        return "client-output-buffer-limit pubsub: \(size(hard)) at once, \(size(soft)) for \(seconds) s"
    }
}

/// What the processes' own listeners and Redis's counters say of each process.
public struct ProcessesState: Equatable, Sendable {
    public internal(set) var health: [String: ProcessHealth] = [:]
    public internal(set) var metrics: [String: ProcessMetrics] = [:]
    /// Why a process's metrics page could not be read, the last time it could not.
    public internal(set) var metricsErrors: [String: String] = [:]
    public internal(set) var subscribers: SubscriberCount?

    public init() {}

    mutating func record(_ answer: ProcessAnswer) {
        guard answer.kind == .metrics else {
            health[answer.instance, default: ProcessHealth()].record(answer)
            return
        }
        switch answer.outcome {
        case .metrics(let samples, _):
            let reading = ProcessMetrics.Reading(at: answer.at, samples: samples)
            if metrics[answer.instance] == nil {
                metrics[answer.instance] = ProcessMetrics(reading)
            } else {
                metrics[answer.instance]?.update(reading)
            }
            metricsErrors[answer.instance] = nil
        case .failed(let error), .unhealthy(let error):
            metricsErrors[answer.instance] = error
        case .healthy:
            break
        }
    }
}

/// Where to ask one process how it is.
public struct ProcessProbe: Equatable, Sendable {
    public var instance: String
    public var health: [ProbeTarget]
    public var metrics: ProbeTarget?

    /// Every configured process's targets; `hosts` says where a process runs when its
    /// listeners are bound to every address of another machine.
    public static func of(_ config: SynapseConfig?, hosts: [String: String]) -> [ProcessProbe] {
        (config?.processes ?? []).map { process in
            let host = hosts[process.instance]
            return ProcessProbe(instance: process.instance, health: process.healthTargets(host: host),
                                metrics: process.metricsTarget(host: host))
        }
    }
}
