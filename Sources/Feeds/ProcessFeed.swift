import Config
import EventLoop
import HTTP
import Metrics
import Observation
import Redis
import Replication

/// The processes as a source: the rounds the observation asks for, `GET /health` on each http
/// listener of every process and its metrics page where it serves one, and Redis's count of the
/// replication channels' subscribers. Nothing it sends changes anything; what an answer means is
/// the observation's to say.
final class ProcessFeed {
    private let loop: EventLoop
    private let http: HTTPClient
    private let now: () -> Double
    private let dispatch: (ObservationAction) -> Void
    /// Where subscribers are counted, and syntop's own subscription's CLIENT ID there.
    private let redis: RedisEndpoint?
    private let ownClient: () -> Int64?
    /// Counts the rounds, so that answers of a round before `stop` are dropped.
    private var generation = 0

    /// Health is one short page; a metrics page is read as it arrives and only its wanted
    /// lines are kept, so neither needs a cap on memory. The 2 s timeout bounds both.
    static let timeoutMS = 2000

    init(loop: EventLoop, now: @escaping () -> Double, redis: RedisEndpoint?, ownClient: @escaping () -> Int64?,
         dispatch: @escaping (ObservationAction) -> Void) {
        self.loop = loop
        self.now = now
        self.redis = redis
        self.ownClient = ownClient
        self.dispatch = dispatch
        http = HTTPClient(loop: loop, maxInFlight: 8)
    }

    func stop() {
        generation += 1
        http.cancelAll()
    }

    func ask(_ round: ProcessRound) {
        let asked = generation
        var pending = 1
        // Weak: a Redis exchange outlives a feed stopped by a switch of context.
        let finished = { [weak self] in
            guard let self, asked == self.generation else { return }
            pending -= 1
            if pending == 0 { self.dispatch(.processRoundFinished) }
        }
        for probe in round.probes {
            // A process's listeners answer together, so the observation weighs them together.
            var answers: [ProcessAnswer] = []
            for target in probe.health {
                pending += 1
                health(probe.instance, target) { [weak self] answer in
                    guard let self, asked == self.generation else { return }
                    answers.append(answer)
                    if answers.count == probe.health.count { self.dispatch(.processAnswered(answers)) }
                    finished()
                }
            }
            if let target = probe.metrics {
                pending += 1
                metrics(probe.instance, target) { [weak self] answer in
                    guard let self, asked == self.generation else { return }
                    self.dispatch(.processAnswered([answer]))
                    finished()
                }
            }
        }
        if let channels = round.subscribers, let redis {
            pending += 1
            SubscriberCounter.count(channels: channels, ownClient: ownClient(), endpoint: redis, loop: loop, now: now) {
                [weak self] count in
                guard let self, asked == self.generation else { return }
                self.dispatch(.subscribersCounted(count))
                finished()
            }
        }
        finished()
    }

    /// Nothing secret is sent and the answer only says up or down, so a TLS listener's
    /// certificate (often the federation one, for another name) is not checked for health.
    private func health(_ instance: String, _ target: ProbeTarget, done: @escaping (ProcessAnswer) -> Void) {
        var body: [UInt8] = []
        let limit = ProcessAnswer.Outcome.healthBodyLimit
        http.get(HTTPRequest(url: target.url, unixSocket: target.unixSocket, timeoutMS: ProcessFeed.timeoutMS,
                             verifyTLS: false),
                 onBody: { chunk in
                     body += chunk.prefix(limit)
                     return body.count < limit
                 }) { [weak self] outcome in
            guard let self else { return }
            let result: ProcessAnswer.Outcome
            switch outcome {
            case .answered(let status, let seconds): result = .health(status: status, body: body, seconds: seconds)
            case .failed(let error): result = .failed(error)
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
            case .answered(let status, let seconds):
                reader.finish()
                result = .metrics(status: status, samples: reader.samples, malformed: reader.malformed, seconds: seconds)
            case .failed(let error):
                result = .failed(error)
            }
            done(ProcessAnswer(instance: instance, kind: .metrics, target: target, at: self.now(), outcome: result))
        }
    }
}
