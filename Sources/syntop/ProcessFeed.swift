import Config
import Console
import EventLoop
import Foundation
import HTTP
import Metrics
import Replication

/// Asks every configured process how it is, one round per refresh interval: `GET /health` on
/// each of its http listeners, its metrics page where it serves one, and Redis's count of the
/// replication channels' subscribers. Nothing it sends changes anything.
final class ProcessFeed {
    /// What a round asks: each process's targets, the interval, and Redis's channels.
    struct Round {
        var probes: [ProcessProbe]
        var interval: Double
        var subscribers: (endpoint: RedisEndpoint, channels: [String])?
        /// The CLIENT ID of syntop's own subscription, for its output buffer.
        var ownClient: Int64?
    }

    private let loop: EventLoop
    private let http: HTTPClient
    private let now: () -> Double
    private let request: () -> Round
    private let deliver: (Action) -> Void
    /// Called when every answer of a round is in.
    var onRound: () -> Void = {}
    private var timer: EventLoop.TimerID?
    private var pending = 0
    private var running = false
    /// Counts the rounds, so that answers of a round before `stop` are dropped.
    private var generation = 0

    /// Health is one short page; a metrics page is read as it arrives and only its wanted
    /// lines are kept, so neither needs a cap on memory. The 2 s timeout bounds both.
    static let timeoutMS = 2000

    init(loop: EventLoop, now: @escaping () -> Double, request: @escaping () -> Round,
         deliver: @escaping (Action) -> Void) {
        self.loop = loop
        self.now = now
        self.request = request
        self.deliver = deliver
        http = HTTPClient(loop: loop, maxInFlight: 8)
    }

    func start() {
        running = true
        runRound()
    }

    func stop() {
        running = false
        generation += 1
        http.cancelAll()
        if let timer { loop.cancel(timer) }
        timer = nil
    }

    private func runRound() {
        guard running else { return }
        let round = request()
        let asked = generation
        // Weak: a Redis exchange outlives a feed stopped by a switch of context.
        let finished = { [weak self] in
            guard let self, asked == self.generation else { return }
            self.pending -= 1
            if self.pending == 0 {
                self.onRound()
                self.scheduleNext(round.interval)
            }
        }
        pending = 1
        for probe in round.probes {
            // A process's listeners answer together, the healthy first, so that one listener
            // refusing fast never shows a process down for a moment while another says OK.
            var answers: [ProcessAnswer] = []
            for target in probe.health {
                pending += 1
                health(probe.instance, target) { [weak self] answer in
                    guard let self, asked == self.generation else { return }
                    answers.append(answer)
                    if answers.count == probe.health.count {
                        let healthyFirst = answers.filter { if case .healthy = $0.outcome { true } else { false } }
                            + answers.filter { if case .healthy = $0.outcome { false } else { true } }
                        for answer in healthyFirst { self.deliver(.processAnswered(answer)) }
                    }
                    finished()
                }
            }
            if let target = probe.metrics {
                pending += 1
                metrics(probe.instance, target) { [weak self] answer in
                    guard let self, asked == self.generation else { return }
                    self.deliver(.processAnswered(answer))
                    finished()
                }
            }
        }
        if let subscribers = round.subscribers {
            pending += 1
            SubscriberCounter.count(channels: subscribers.channels, ownClient: round.ownClient,
                                    endpoint: subscribers.endpoint, loop: loop) {
                [weak self] result in
                guard let self, asked == self.generation else { return }
                let at = self.now()
                switch result {
                case .success(let count):
                    var counted = SubscriberCount(at: at, channels: count.channels, addresses: count.addresses,
                                                  addressesRefused: count.addressesRefused, error: nil)
                    counted.ownOutputBytes = count.ownOutputBytes
                    counted.limitDisconnections = count.limitDisconnections
                    counted.pubsubLimit = count.pubsubLimit
                    self.deliver(.subscribersCounted(counted))
                case .failure(let error):
                    self.deliver(.subscribersCounted(SubscriberCount(
                        at: at, channels: [:], addresses: nil, addressesRefused: nil, error: error.description)))
                }
                finished()
            }
        }
        finished()
    }

    private func scheduleNext(_ interval: Double) {
        guard running else { return }
        timer = loop.schedule(after: Int(interval * 1000)) { [weak self] in
            self?.timer = nil
            self?.runRound()
        }
    }

    /// Nothing secret is sent and the answer only says up or down, so a TLS listener's
    /// certificate (often the federation one, for another name) is not checked for health.
    private func health(_ instance: String, _ target: ProbeTarget, done: @escaping (ProcessAnswer) -> Void) {
        var body: [UInt8] = []
        http.get(HTTPRequest(url: target.url, unixSocket: target.unixSocket, timeoutMS: ProcessFeed.timeoutMS,
                             verifyTLS: false),
                 onBody: { chunk in
                     body += chunk.prefix(64)
                     return body.count < 64
                 }) { [weak self] outcome in
            guard let self else { return }
            let result: ProcessAnswer.Outcome
            switch outcome {
            case .answered(let status, let seconds):
                let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                result = status == 200 && text == "OK" ? .healthy(milliseconds: seconds * 1000)
                    : .unhealthy("HTTP \(status)" + (status == 200 ? ", not OK" : ""))
            case .failed(let error):
                result = .failed(error)
            }
            done(ProcessAnswer(instance: instance, kind: .health, target: target, at: self.now(), outcome: result))
        }
    }

    /// Metrics are read over TLS only from a listener whose certificate checks out.
    private func metrics(_ instance: String, _ target: ProbeTarget, done: @escaping (ProcessAnswer) -> Void) {
        var reader = PrometheusReader(names: ProcessMetrics.names)
        http.get(HTTPRequest(url: target.url, unixSocket: target.unixSocket, timeoutMS: ProcessFeed.timeoutMS),
                 onBody: { chunk in
                     reader.feed(chunk)
                     return true
                 }) { [weak self] outcome in
            guard let self else { return }
            let result: ProcessAnswer.Outcome
            switch outcome {
            case .answered(200, let seconds):
                reader.finish()
                result = reader.samples.isEmpty
                    ? .failed("no Synapse metrics on the page (\(reader.malformed) malformed line(s))")
                    : .metrics(reader.samples, milliseconds: seconds * 1000)
            case .answered(let status, _):
                result = .failed("HTTP \(status)")
            case .failed(let error):
                result = .failed(error)
            }
            done(ProcessAnswer(instance: instance, kind: .metrics, target: target, at: self.now(), outcome: result))
        }
    }
}

/// One round of the processes' answers, for the JSON commands and `check`: the requests run
/// 8 at a time with 2 s each, so a round takes at most that many turns of 2 s, and Redis's.
func collectProcesses(_ config: SynapseConfig?, hosts: [String: String],
                      subscribers: (endpoint: RedisEndpoint, channels: [String])?) -> ProcessesState {
    var state = ProcessesState()
    let probes = ProcessProbe.of(config, hosts: hosts)
    guard !probes.isEmpty || subscribers != nil else { return state }
    let loop = EventLoop()
    let feed = ProcessFeed(loop: loop, now: unixTime,
                           request: { ProcessFeed.Round(probes: probes, interval: 3600, subscribers: subscribers) },
                           deliver: { action in
                               switch action {
                               case .processAnswered(let answer): state.record(answer)
                               case .subscribersCounted(let count): state.subscribers = count
                               default: break
                               }
                           })
    var finished = false
    feed.onRound = {
        finished = true
        loop.stop()
    }
    feed.start()
    let requests = probes.reduce(0) { $0 + $1.health.count + ($1.metrics == nil ? 0 : 1) }
    loop.schedule(after: ProcessFeed.timeoutMS * ((requests + 7) / 8 + 1) + 2000) { loop.stop() }
    if !finished { loop.run() }
    feed.stop()
    return state
}

/// A process's health and figures as the JSON commands print them.
struct ProcessReport: Encodable {
    struct Health: Encodable {
        var state: String
        var checkedAt: Double?
        var responseMs: Double?
        var error: String?
        var listener: String?
        var downSince: Double?
    }

    struct Metrics: Encodable {
        var version: String?
        var build: String?
        var startTime: Double?
        var uptimeSeconds: Double?
        var cpuSecondsTotal: Double?
        var residentMemoryBytes: Double?
        var openFds: Double?
        var maxFds: Double?
        var reactorTickSeconds: Double?
        var replicationInboundCommands: Double?
        var replicationOutboundCommands: Double?
        var replicationInboundRows: Double?
        var eventPersistedPosition: Double?
        var eventProcessingPositions: [String: Double]
    }

    static func health(_ instance: String, _ processes: ProcessesState, probe: ProcessProbe?) -> Health {
        guard let health = processes.health[instance] else {
            return Health(state: "unknown", error: probe?.health.isEmpty ?? true ? "not reachable from here: no listener known" : nil)
        }
        return Health(state: health.state.rawValue, checkedAt: health.checkedAt, responseMs: health.responseMS,
                      error: health.error, listener: health.deciding?.target.listener, downSince: health.downSince)
    }

    static func metrics(_ instance: String, _ processes: ProcessesState) -> Metrics? {
        guard let reading = processes.metrics[instance]?.reading else { return nil }
        let tick = reading.tickCount.flatMap { count in count > 0 ? reading.tickSum.map { $0 / count } : nil }
        return Metrics(version: reading.version, build: reading.build, startTime: reading.startTime,
                       uptimeSeconds: reading.startTime.map { reading.at - $0 }, cpuSecondsTotal: reading.cpuSeconds,
                       residentMemoryBytes: reading.residentBytes, openFds: reading.openFDs, maxFds: reading.maxFDs,
                       reactorTickSeconds: tick, replicationInboundCommands: reading.inboundCommands,
                       replicationOutboundCommands: reading.outboundCommands, replicationInboundRows: reading.inboundRows,
                       eventPersistedPosition: reading.persistedPosition,
                       eventProcessingPositions: reading.processingPositions)
    }
}

/// A value that is printed as null when absent, where the key itself says something.
struct Nullable<Value: Encodable>: Encodable {
    var value: Value?

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encodeNil() }
    }
}

/// Redis's count of the replication channels' subscribers, as the JSON commands print it.
struct SubscribersReport: Encodable {
    var channels: [String: Int]
    var configuredProcesses: Int
    var addresses: [String]?
    var addressesRefused: String?
    var error: String?
}

extension WireSourceSettings {
    /// Where Redis's subscribers are counted, when syntop listens live.
    func subscriberTarget(_ config: SynapseConfig?) -> (endpoint: RedisEndpoint, channels: [String])? {
        guard replay == nil, hasRedis(config), let endpoint = try? endpoint(config),
              let serverName = try? resolvedServerName(config) else { return nil }
        return (endpoint, ReplicationClient.channels(serverName: serverName, userIP: true))
    }
}
