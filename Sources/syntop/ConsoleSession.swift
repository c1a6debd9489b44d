import Console
import CTermSupport
import EventLoop
import Config
import Foundation
import Replication
import CursesTerminal
import Terminal
import Wire

/// Where the console's replication traffic comes from.
enum ConsoleWireInput {
    case none
    case live(endpoint: RedisEndpoint, serverName: String, userIP: Bool, probe: Bool)
    /// The recording, open where the replay starts; it is read as it plays.
    case replay(file: String, reader: RecordingReader<RecordingFile>, span: RecordingSpan, speed: ReplaySpeed)
}

/// The console's database: how to reach it and what to call it on screen.
struct ConsoleDatabase {
    var conninfo: String
    var display: String
    var statementTimeoutMS: Int
}

/// A deployment as the console watches it: what the options, the context and the config files
/// resolve to.
struct ConsoleDeployment {
    var themeRequest: String?
    var wireInput: ConsoleWireInput
    var config: SynapseConfig?
    var database: ConsoleDatabase?
    var thresholds: AlertThresholds
    var refreshSeconds: Double
    /// Without -c: where Synapse's config was looked for.
    var configSearch: Notice?
    var settingsNotice: Notice?
    var context: String?
    var contexts: [String]
    /// Where processes run whose listeners are bound to every address of another machine.
    var processHosts: [String: String]
}

/// The interactive console's pump: it owns the event loop, the terminal and the adapters,
/// turns what they report into actions for the reducer, and performs the effects the reducer
/// returns. It holds no rule about Synapse, and writes the console state only through `reduce`.
final class ConsoleSession {
    private let catalog: ThemeCatalog
    private let forcedDepth: ColorDepth?
    private let noColor: String?
    private var deployment: ConsoleDeployment
    /// Resolves another context's settings for `:context`; throws what is wrong with them.
    private let resolveContext: (String) throws -> ConsoleDeployment
    private var client: ReplicationClient?
    private var processFeed: ProcessFeed?
    private var ticker: EventLoop.TimerID?
    /// Counts the deployments watched, so that an answer for one left behind is dropped.
    private var generation = 0
    private var databaseFeed: DatabaseFeed?
    private var replayTimer: EventLoop.TimerID?
    private var replayReader: RecordingReader<RecordingFile>?

    private let loop = EventLoop()
    private var state = ConsoleState(size: Size(width: 80, height: 24))
    private var backend: CursesBackend?
    private var redrawPending = false
    private var lastDraw: UInt64 = 0
    /// At most about 30 frames a second, however much changes.
    private let frameInterval: UInt64 = 33_000_000

    init(catalog: ThemeCatalog, forcedDepth: ColorDepth?, noColor: String?, start: ConsoleDeployment,
         resolveContext: @escaping (String) throws -> ConsoleDeployment) {
        deployment = start
        self.resolveContext = resolveContext
        self.catalog = catalog
        self.forcedDepth = forcedDepth
        self.noColor = noColor
    }

    /// Returns the exit status. Whatever happens, the terminal is given back first and the
    /// message printed after.
    func run() -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        ts_install_crash_guard()
        setlocale(LC_ALL, "")
        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        let asciiOnly = codeset.uppercased() != "UTF-8"

        let signals: SignalPipe
        do {
            // Before curses starts, so ncurses leaves SIGWINCH and SIGTSTP to us.
            signals = try SignalPipe()
        } catch {
            return fail("\(error)")
        }
        var choice = catalog.choose(deployment.themeRequest)
        let backend: CursesBackend
        do {
            backend = try CursesBackend(theme: choice.theme, forcedDepth: forcedDepth,
                                        noColor: noColor, asciiOnly: asciiOnly)
        } catch {
            return fail("\(error)")
        }
        self.backend = backend
        if backend.depth == .mono && choice.theme.usesColour {
            let reason = choice.notice.map { $0 + "; " } ?? ""
            choice = catalog.choose("mono")
            choice.notice = reason + "no colour (NO_COLOR, --no-color or the terminal): mono theme"
        }
        backend.setTheme(choice.theme)

        loop.watch(fd: 0, events: { Int16(POLLIN) }) { [unowned self] _ in
            self.readInput()
        }
        loop.watch(fd: signals.readFD, events: { Int16(POLLIN) }) { [unowned self] _ in
            for signal in signals.drain() { self.handle(signal: signal) }
        }
        let terminalNotice = asciiOnly
            ? "the locale's character set is \(codeset), not UTF-8: showing ASCII only; set LANG=C.UTF-8"
            : choice.notice
        begin(themeName: choice.theme.name, terminalNotice: terminalNotice)
        draw()
        loop.run()
        client?.stop()
        databaseFeed?.stop()
        processFeed?.stop()
        backend.stop()
        return 0
    }

    static func utcOffset() -> Int {
        var now = time(nil)
        var local = tm()
        localtime_r(&now, &local)
        return local.tm_gmtoff
    }

    /// Starts watching `deployment`: the reducer's start, then its sources.
    private func begin(themeName: String, terminalNotice: String?) {
        replayReader = nil
        if case .replay(_, let reader, _, _) = deployment.wireInput { replayReader = reader }
        dispatch(.start(ConsoleSetup(
            size: backend?.size ?? state.size, themeName: themeName, terminalNotice: terminalNotice,
            configSearch: deployment.configSearch, config: deployment.config, thresholds: deployment.thresholds,
            utcOffset: ConsoleSession.utcOffset(), database: deployment.database?.display, wire: setupWire(),
            refreshSeconds: deployment.refreshSeconds, context: deployment.context, contexts: deployment.contexts,
            settingsNotice: deployment.settingsNotice)))
        startWire()
        startDatabase()
        startProcesses()
        // Ages and "retry in" move with the clock even when nothing arrives; without a
        // source nothing on screen ages, and the idle console stays asleep.
        let idle: Bool
        if case .none = deployment.wireInput, deployment.database == nil { idle = true } else { idle = false }
        if idle, let ticker {
            loop.cancel(ticker)
            self.ticker = nil
        } else if !idle, ticker == nil {
            ticker = loop.schedule(after: 1000, repeating: 1000) { [unowned self] in self.requestRedraw() }
        }
    }

    /// `:context`: the new deployment's settings first, so that a context that cannot be
    /// watched leaves the current one running.
    private func switchContext(_ name: String) {
        let next: ConsoleDeployment
        do {
            next = try resolveContext(name)
        } catch {
            dispatch(.contextFailed(name: name, reason: "\(error)"))
            return
        }
        client?.stop()
        client = nil
        databaseFeed?.stop()
        databaseFeed = nil
        processFeed?.stop()
        processFeed = nil
        if let replayTimer { loop.cancel(replayTimer) }
        replayTimer = nil
        deployment = next
        generation += 1
        var choice = catalog.choose(next.themeRequest)
        if backend?.depth == .mono && choice.theme.usesColour {
            choice = catalog.choose("mono")
        }
        backend?.setTheme(choice.theme)
        begin(themeName: choice.theme.name, terminalNotice: nil)
    }

    private func setupWire() -> ConsoleSetup.WireInput {
        switch deployment.wireInput {
        case .none: .none
        case .live(let endpoint, let serverName, _, let probe):
            .live(endpoint: endpoint.description, serverName: serverName, probe: probe)
        case .replay(let file, _, let span, let speed): .replay(file: file, span: span, speed: speed)
        }
    }

    private func startDatabase() {
        guard let database = deployment.database else { return }
        let feed = DatabaseFeed(
            conninfo: database.conninfo, timeoutMS: database.statementTimeoutMS, loop: loop, now: unixTime,
            request: { [unowned self] in (DatabaseRequest.of(self.state), self.state.refreshSeconds) },
            onStatus: { [unowned self] status in self.dispatch(.connection(.postgres, status)) },
            deliver: { [unowned self] update in self.dispatch(.database(update)) })
        databaseFeed = feed
        feed.start()
    }

    /// The processes' own listeners and Redis's subscriber count, live only: a replay is of
    /// another time than the processes' answers.
    private func startProcesses() {
        if case .replay = deployment.wireInput { return }
        var subscribers: (endpoint: RedisEndpoint, channels: [String])?
        if case .live(let endpoint, let serverName, _, _) = deployment.wireInput {
            subscribers = (endpoint, ReplicationClient.channels(serverName: serverName, userIP: true))
        }
        let hosts = deployment.processHosts
        processFeed = LiveSources.processes(
            config: { [unowned self] in self.state.config }, hosts: hosts, subscribers: subscribers, loop: loop,
            interval: { [unowned self] in self.state.refreshSeconds }, ownClient: { [unowned self] in self.client?.clientID },
            dispatch: { [unowned self] action in self.dispatch(action) })
    }

    private func startWire() {
        guard case .live(let endpoint, let serverName, let userIP, _) = deployment.wireInput else { return }
        client = LiveSources.replication(endpoint: endpoint, serverName: serverName, userIP: userIP, loop: loop,
                                         dispatch: { [unowned self] action in self.dispatch(action) })
    }

    private func fail(_ message: String) -> Int32 {
        backend?.stop()
        FileHandle.standardError.write(Data("syntop: \(message)\n".utf8))
        return 1
    }

    private func readInput() {
        guard let backend else { return }
        for event in backend.readEvents() {
            if event == .resize {
                dispatch(.resize(backend.size))
                continue
            }
            if let action = Bindings.action(for: event, in: state) {
                dispatch(action)
            }
        }
    }

    private func handle(signal: Int32) {
        guard let backend else { return }
        switch signal {
        case SIGWINCH:
            backend.resizeFromTerminal()
            dispatch(.resize(backend.size))
        case SIGTSTP:
            backend.suspend(signal: SIGTSTP)
            dispatch(.resize(backend.size))
        default:
            loop.stop()
        }
    }

    private func dispatch(_ action: Action) {
        for effect in ConsoleReducer.reduce(&state, action) {
            perform(effect)
        }
        requestRedraw()
    }

    private func perform(_ effect: Effect) {
        switch effect {
        case .probe:
            guard let client, case .live(_, let serverName, _, _) = deployment.wireInput else { return }
            let asked = generation
            client.probe(serverName: serverName) { [unowned self] result in
                guard asked == self.generation else { return }
                self.dispatch(LiveSources.probeAnswered(result))
            }
        case .startReplay:
            // Every 20 ms while the replay runs; the reducer says when to stop.
            guard replayTimer == nil else { return }
            replayTimer = loop.schedule(after: 0, repeating: 20) { [unowned self] in
                self.dispatch(.replayTick(clock: Double(self.loop.now) / 1e9))
            }
        case .stopReplay:
            if let replayTimer { loop.cancel(replayTimer) }
            replayTimer = nil
        case .feedReplay(let feed):
            feedReplay(feed)
        case .seekReplay(let time):
            guard var reader = replayReader else { return }
            do {
                try reader.seek(time: time)
                replayReader = reader
                dispatch(.replaySought(time: time, position: reader.offset, nextTime: try reader.nextTime(),
                                       finished: try reader.finished()))
            } catch {
                dispatch(.replayFailed("\(error)"))
            }
        case .quit:
            loop.stop()
        case .refreshDatabase:
            databaseFeed?.refresh()
        case .switchContext(let name):
            switchContext(name)
        case .applyTheme(let request):
            var choice = catalog.choose(request)
            if backend?.depth == .mono && choice.theme.usesColour {
                choice = catalog.choose("mono")
                choice.notice = "no colour on this terminal: kept the mono theme"
            }
            backend?.setTheme(choice.theme)
            dispatch(.themeLoaded(name: choice.theme.name, notice: choice.notice.map { Notice($0, .warning) }
                ?? Notice("theme \(choice.theme.name) from \(choice.source)")))
        case .copyToClipboard(let text):
            // After the frame that says so, so the sequence does not land inside curses' output.
            draw()
            backend?.copyToClipboard(text)
        }
    }

    /// Reads what the reducer asked for from the recording, and hands it over as one batch.
    private func feedReplay(_ feed: ReplayFeed) {
        guard var reader = replayReader else { return }
        // Taken out while it reads, so its buffers are its own and a chunk is read into them
        // without a copy; put back before the batch is handed over, whose effects may read on.
        replayReader = nil
        let batch = Result { () throws -> ReplayBatch in
            var lines: [ArraySlice<UInt8>] = []
            lines.reserveCapacity(min(feed.limit, 8192))
            while lines.count < feed.limit, let line = try reader.next(until: feed.until) {
                lines.append(line.bytes)
            }
            return ReplayBatch(lines: lines, position: reader.offset, nextTime: try reader.nextTime(),
                               finished: try reader.finished())
        }
        replayReader = reader
        switch batch {
        case .success(let batch): dispatch(.replayed(batch))
        case .failure(let error): dispatch(.replayFailed("\(error)"))
        }
    }

    private func requestRedraw() {
        guard !redrawPending, !loop.isStopped else { return }
        let elapsed = loop.now - lastDraw
        if elapsed >= frameInterval {
            draw()
        } else {
            redrawPending = true
            loop.schedule(after: Int((frameInterval - elapsed) / 1_000_000) + 1) { [unowned self] in
                self.redrawPending = false
                self.draw()
            }
        }
    }

    private func draw() {
        guard let backend else { return }
        for effect in ConsoleReducer.reduce(&state, .frame(clock: unixTime())) { perform(effect) }
        backend.draw(ConsoleView.render(state))
        lastDraw = loop.now
    }
}
