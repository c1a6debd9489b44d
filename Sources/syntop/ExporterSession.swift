import Config
import Connection
import Console
import EventLoop
import Exporter
import Foundation
import HTTPServer
import Replication
import Terminal
import Wire

/// The exporter's pump, as the console's without a terminal: the same state, the same reducer
/// and the same feeds, and an HTTP server that renders the state on each scrape. The database is
/// read on its own timer, once per interval, so scrapers never add to its load; each scrape
/// answers at once from what is known, the wire families even while PostgreSQL is down.
final class ExporterSession {
    struct Wire {
        var endpoint: RedisEndpoint
        var serverName: String
        var userIP: Bool
        var probe: Bool
    }

    private let wire: Wire?
    private let config: SynapseConfig?
    private let database: ConsoleDatabase?
    private let thresholds: AlertThresholds
    private let interval: Double
    private let options: ExporterMetrics.Options
    private let processHosts: [String: String]
    private let log: ExporterLog

    private let loop = EventLoop()
    private var state = ConsoleState(size: Size(width: 80, height: 24))
    private var client: ReplicationClient?
    private var databaseFeed: DatabaseFeed?
    private var processFeed: ProcessFeed?
    private var server: HTTPServer?

    init(wire: Wire?, config: SynapseConfig?, database: ConsoleDatabase?, thresholds: AlertThresholds,
         interval: Double, options: ExporterMetrics.Options, processHosts: [String: String], log: ExporterLog) {
        self.wire = wire
        // The exporter shows positions and processes, never rows.
        state.wire = WireState(feeds: [])
        self.config = config
        self.database = database
        self.thresholds = thresholds
        self.interval = interval
        self.options = options
        self.processHosts = processHosts
        self.log = log
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
        dispatch(.start(ConsoleSetup(
            size: state.size, themeName: "default", terminalNotice: nil, configSearch: nil, config: config,
            thresholds: thresholds, utcOffset: 0, database: database?.display,
            wire: wire.map { .live(endpoint: $0.endpoint.description, serverName: $0.serverName, probe: $0.probe) } ?? .none,
            refreshSeconds: interval, context: nil, contexts: [], settingsNotice: nil)))
        startWire()
        startDatabase()
        startProcesses()
        loop.run()
        client?.stop()
        databaseFeed?.stop()
        processFeed?.stop()
        server?.stop()
        return 0
    }

    private func answer(_ path: String) -> HTTPResponse {
        switch path {
        case "/metrics":
            dispatch(.frame(clock: unixTime()))
            let text = ExporterMetrics.render(state, alerts: Alerts.evaluate(state), options: options)
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

    private func startWire() {
        guard let wire else { return }
        client = LiveSources.replication(
            endpoint: wire.endpoint, serverName: wire.serverName, userIP: wire.userIP, loop: loop,
            dispatch: { [unowned self] action in self.dispatch(action) },
            onStatus: { [unowned self] status in self.report("redis", status, place: "\(wire.serverName) on \(wire.endpoint)") })
    }

    private func startDatabase() {
        guard let database else { return }
        let feed = DatabaseFeed(
            conninfo: database.conninfo, timeoutMS: database.statementTimeoutMS, loop: loop, now: unixTime,
            request: { [unowned self] in (DatabaseRequest.exporter(self.state), self.interval) },
            onStatus: { [unowned self] status in
                self.report("postgres", status, place: database.display)
                self.dispatch(.connection(.postgres, status))
            },
            deliver: { [unowned self] update in
                if case .session(let session) = update {
                    for warning in session.warnings { self.log.say("postgres: \(warning)") }
                }
                self.dispatch(.database(update))
            })
        databaseFeed = feed
        feed.start()
    }

    private func startProcesses() {
        let subscribers = wire.map { ($0.endpoint, ReplicationClient.channels(serverName: $0.serverName, userIP: true)) }
        processFeed = LiveSources.processes(
            config: { [unowned self] in self.state.config }, hosts: processHosts, subscribers: subscribers, loop: loop,
            interval: { [unowned self] in self.interval }, ownClient: { [unowned self] in self.client?.clientID },
            dispatch: { [unowned self] action in self.dispatch(action) })
    }

    /// A change of a connection's status, once.
    private func report(_ source: String, _ status: ConnectionStatus, place: String) {
        switch status {
        case .ready: log.say("\(source): connected to \(place)")
        case .waiting(_, let retryAt, let error):
            log.say("\(source): \(error); retry in \(String(format: "%.1f", max(0, retryAt - unixTime()))) s")
        case .connecting(let attempt) where attempt == 1: log.say("\(source): connecting to \(place)")
        case .connecting: break
        }
    }

    private func dispatch(_ action: Action) {
        for effect in ConsoleReducer.reduce(&state, action) {
            perform(effect)
        }
    }

    /// Of the reducer's effects only the probe and a database refresh mean anything here:
    /// there is no screen, no replay and no context to switch.
    private func perform(_ effect: Effect) {
        switch effect {
        case .probe:
            guard let client, let wire else { return }
            client.probe(serverName: wire.serverName) { [unowned self] result in
                switch result {
                case .success(let receivers): self.log.say("REPLICATE published: \(receivers) receiver(s)")
                case .failure(let error): self.log.say("REPLICATE failed: \(error)")
                }
                self.dispatch(LiveSources.probeAnswered(result))
            }
        case .refreshDatabase:
            databaseFeed?.refresh()
        case .quit, .applyTheme, .startReplay, .stopReplay, .feedReplay, .seekReplay, .copyToClipboard, .switchContext:
            break
        }
    }
}
