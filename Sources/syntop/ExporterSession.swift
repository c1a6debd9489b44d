import Deployments
import Connection
import EventLoop
import Exporter
import Feeds
import Foundation
import HTTPServer
import Observation
import Replication

/// The exporter's pump, as the console's without a terminal: the same observation, the same
/// sources and actions, and an HTTP server that renders the observation on each scrape. The
/// database is read on the observation's schedule, once per interval, so scrapers never add to
/// its load; each scrape answers at once from what is known, the wire families even while
/// PostgreSQL is down. It keeps no rows: it shows none.
final class ExporterSession {
    private let deployment: Deployment
    private let interval: Double
    private let options: ExporterMetrics.Options
    private let log: ExporterLog

    private let loop = EventLoop()
    private var observation = Observation()
    private var feeds: Feeds?
    private var server: HTTPServer?

    init(_ deployment: Deployment, interval: Double, options: ExporterMetrics.Options, log: ExporterLog) {
        self.deployment = deployment
        self.interval = interval
        self.options = options
        self.log = log
    }

    /// The observation the exporter keeps: positions and pokes whatever the scrape, the rooms'
    /// alerts, and no row feed.
    func setup() -> ObservationSetup {
        var setup = deployment.setup(feeds: [], reads: [.positions, .pokes], refreshSeconds: interval, repeating: true)
        setup.roomAlerts = true
        return setup
    }

    func run(host: String, port: Int) -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        let signals: SignalPipe
        do {
            signals = try SignalPipe()
            server = try HTTPServer(host: host, port: port, loop: loop) { [unowned self] _, path in self.answer(path) }
        } catch {
            log.say("\(error)")
            return 1
        }
        log.say("serving http://\(host.contains(":") ? "[\(host)]" : host):\(server?.port ?? port)/metrics")
        loop.watch(fd: signals.readFD, events: { Int16(POLLIN) }) { [unowned self] _ in
            // SIGWINCH and SIGTSTP mean nothing without a terminal; the others stop it.
            if let stop = signals.drain().first(where: { [SIGTERM, SIGINT, SIGHUP, SIGQUIT].contains($0) }) {
                self.log.say("stopping on signal \(stop)")
                self.loop.stop()
            }
        }
        let feeds = Feeds(deployment.sources(retryDatabase: true), loop: loop) { [unowned self] in self.dispatch($0) }
        self.feeds = feeds
        dispatch(.start(setup()))
        feeds.start()
        loop.run()
        feeds.stop()
        server?.stop()
        return 0
    }

    private func answer(_ path: String) -> HTTPResponse {
        switch path {
        case "/metrics":
            dispatch(.tick(clock: unixTime()))
            let text = ExporterMetrics.render(observation, alerts: observation.alerts(), options: options)
            return HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: Array(text.utf8))
        case "/health":
            // The exporter answers: it is healthy. What it watches is in /metrics.
            return HTTPResponse(status: 200, text: "ok\n")
        case "/":
            return HTTPResponse(status: 200, text: "syntop exporter: /metrics, /health\n")
        default:
            return HTTPResponse(status: 404, text: "not found: /metrics, /health\n")
        }
    }

    private func dispatch(_ action: ObservationAction) {
        if case .connection(let source, let status) = action { report(source, status) }
        for effect in ObservationReducer.reduce(&observation, action) {
            if case .tell(let happening) = effect { say(happening) } else { feeds?.perform(effect) }
        }
    }

    /// What the observation tells, in the log's words.
    private func say(_ happening: Happening) {
        switch happening {
        case .sessionWarning(let warning): log.say("postgres: \(warning)")
        case .probePublished(let receivers): log.say("REPLICATE published: \(receivers) receiver(s)")
        case .probeFailed(let error): log.say("REPLICATE failed: \(error)")
        case .droppedForFallingBehind, .replayFailed: log.say(happening.text)
        }
    }

    /// A change of a connection's status, once.
    private func report(_ source: Source, _ status: ConnectionStatus) {
        let (name, place) = switch source {
        case .redis: ("redis", deployment.counted.map { "\($0.serverName) on \($0.endpoint)" } ?? "?")
        case .postgres: ("postgres", deployment.database?.display ?? "?")
        }
        switch status {
        case .ready: log.say("\(name): connected to \(place)")
        case .waiting(_, let retryAt, let error):
            log.say("\(name): \(error); retry in \(String(format: "%.1f", max(0, retryAt - unixTime()))) s")
        case .connecting(let attempt) where attempt == 1: log.say("\(name): connecting to \(place)")
        case .connecting: break
        }
    }
}
