import CNCursesW
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
    case replay(file: String, data: [UInt8], speed: ReplaySpeed)
}

/// The console's database: how to reach it and what to call it on screen.
struct ConsoleDatabase {
    var conninfo: String
    var display: String
    var statementTimeoutMS: Int
}

/// Runs the interactive console: one event loop over the terminal, the signal pipe and
/// timers, the console state, and the curses backend that shows it.
final class ConsoleSession {
    private let catalog: ThemeCatalog
    private let themeRequest: String?
    private let forcedDepth: ColorDepth?
    private let noColor: String?
    private let wireInput: ConsoleWireInput
    private let config: SynapseConfig?
    private let database: ConsoleDatabase?
    private let thresholds: AlertThresholds
    private let startNotice: Notice?
    private var client: ReplicationClient?
    private var databaseFeed: DatabaseFeed?
    private var replayLines: [ArraySlice<UInt8>] = []
    private var replayTimer: EventLoop.TimerID?

    private let loop = EventLoop()
    private var state = ConsoleState(size: Size(width: 80, height: 24))
    private var backend: CursesBackend?
    private var redrawPending = false
    private var lastDraw: UInt64 = 0
    /// At most about 30 frames a second, however much changes.
    private let frameInterval: UInt64 = 33_000_000

    init(catalog: ThemeCatalog, themeRequest: String?, forcedDepth: ColorDepth?, noColor: String?,
         wireInput: ConsoleWireInput, config: SynapseConfig?, database: ConsoleDatabase?,
         thresholds: AlertThresholds, startNotice: Notice?) {
        self.wireInput = wireInput
        self.config = config
        self.database = database
        self.thresholds = thresholds
        self.startNotice = startNotice
        self.catalog = catalog
        self.themeRequest = themeRequest
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
        var choice = catalog.choose(themeRequest)
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
        state = ConsoleState(size: backend.size)
        state.themeName = choice.theme.name
        if asciiOnly {
            state.notice = Notice("the locale's character set is \(codeset), not UTF-8: "
                                  + "showing ASCII only; set LANG=C.UTF-8", .warn)
        } else if let notice = choice.notice {
            state.notice = Notice(notice, .warn)
        }

        loop.watch(fd: 0, events: { Int16(POLLIN) }) { [unowned self] _ in
            self.readInput()
        }
        loop.watch(fd: signals.readFD, events: { Int16(POLLIN) }) { [unowned self] _ in
            for signal in signals.drain() { self.handle(signal: signal) }
        }
        state.utcOffset = ConsoleSession.utcOffset()
        state.config = config
        state.thresholds = thresholds
        state.database = DatabaseState(display: database?.display)
        // The locale's and the theme's warnings matter more than where the config was found.
        if let startNotice, state.notice == nil { state.notice = startNotice }
        state.configSearch = startNotice?.text
        if let problems = config?.problems, let first = problems.first {
            state.notice = Notice("config: \(problems.count) problem(s); first: \(first)",
                                  problems.contains { $0.severity == .error } ? .crit : .warn)
        }
        startWire()
        startDatabase()
        // Ages and "retry in" move with the clock even when nothing arrives; without a
        // source nothing on screen ages, and the idle console stays asleep.
        if case .none = wireInput, database == nil {} else {
            loop.schedule(after: 1000, repeating: 1000) { [unowned self] in self.requestRedraw() }
        }
        draw()
        loop.run()
        client?.stop()
        databaseFeed?.stop()
        backend.stop()
        return 0
    }

    static func utcOffset() -> Int {
        var now = time(nil)
        var local = tm()
        localtime_r(&now, &local)
        return local.tm_gmtoff
    }

    private func startDatabase() {
        guard let database else { return }
        let feed = DatabaseFeed(
            conninfo: database.conninfo, timeoutMS: database.statementTimeoutMS, loop: loop, now: unixTime,
            request: { [unowned self] in (DatabaseRequest.of(self.state), self.state.refreshSeconds) },
            deliver: { [unowned self] update in
                self.state.database.apply(update)
                if case .session(let session) = update, let warning = session.warnings.first {
                    self.state.notice = Notice("postgres: " + warning, .warn)
                }
                self.requestRedraw()
            })
        databaseFeed = feed
        feed.start()
    }

    private func startWire() {
        switch wireInput {
        case .none:
            break
        case .live(let endpoint, let serverName, let userIP, let probe):
            state.probeAllowed = probe
            var probed = false
            let client = ReplicationClient(
                endpoint: endpoint,
                channels: ReplicationClient.channels(serverName: serverName, userIP: userIP),
                loop: loop, now: unixTime,
                onMessage: { [unowned self] channel, payload, time in
                    self.state.wire.ingest(payload, channel: channel, at: time)
                    self.requestRedraw()
                },
                onStatus: { [unowned self] status in
                    switch status {
                    case .connecting(let attempt):
                        self.state.wireSource = .live(endpoint: endpoint.description, serverName: serverName,
                                                      status: .connecting(attempt: attempt))
                    case .subscribed(let since):
                        self.state.wire.markConnected(at: since)
                        self.state.wireSource = .live(endpoint: endpoint.description, serverName: serverName,
                                                      status: .subscribed(since: since))
                        if probe && !probed {
                            probed = true
                            self.perform(.probe)
                        }
                    case .waiting(let since, let retryAt, let error):
                        self.state.wire.markDisconnected(at: since, reason: error)
                        self.state.wireSource = .live(endpoint: endpoint.description, serverName: serverName,
                                                      status: .waiting(since: since, retryAt: retryAt, error: error))
                    }
                    self.requestRedraw()
                })
            self.client = client
            client.start()
        case .replay(let file, let data, let speed):
            var times: [Double] = []
            for line in Recording.lines(data) {
                switch Recording.parse(line) {
                case .comment: continue
                case .malformed: times.append(times.last ?? 0)
                case .message(let message): times.append(message.time)
                }
                replayLines.append(line)
            }
            state.wireSource = .replay(file: file, cursor: ReplayCursor(times: times, speed: speed))
            scheduleReplay()
        }
    }

    /// Feeds what is due every 20 ms while a replay runs; nothing ticks while it is paused
    /// or finished.
    private func scheduleReplay() {
        guard replayTimer == nil, !state.paused,
              case .replay(_, let cursor) = state.wireSource, !cursor.finished else { return }
        replayTimer = loop.schedule(after: 0, repeating: 20) { [unowned self] in
            guard case .replay(let file, var cursor) = self.state.wireSource else { return }
            let clock = Double(self.loop.now) / 1e9
            if self.state.paused {
                cursor.hold()
            } else {
                self.feedReplay(cursor.due(at: clock))
            }
            self.state.wireSource = .replay(file: file, cursor: cursor)
            if self.state.paused || cursor.finished, let timer = self.replayTimer {
                self.loop.cancel(timer)
                self.replayTimer = nil
            }
            self.requestRedraw()
        }
    }

    private func feedReplay(_ range: Range<Int>) {
        for index in range {
            let line = replayLines[index]
            switch Recording.parse(line) {
            case .comment: continue
            case .malformed(let detail): state.wire.ingestBadRecordingLine(line, detail: detail)
            case .message(let message): state.wire.ingest(message.payload, channel: message.channel, at: message.time)
            }
        }
        if !range.isEmpty && state.paused { state.frozenWire = state.wire }
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
            guard let client, case .live(_, let serverName, _, _) = wireInput else { return }
            client.probe(serverName: serverName) { [unowned self] result in
                switch result {
                case .success(let receivers):
                    self.state.probedAt = unixTime()
                    self.state.notice = Notice("REPLICATE published: \(receivers) receiver(s) answer with their positions")
                case .failure(let error):
                    self.state.notice = Notice("REPLICATE failed: \(error)", .warn)
                }
                self.requestRedraw()
            }
        case .resumeReplay:
            scheduleReplay()
        case .copyToClipboard(let text):
            // After the frame that says so, so the sequence does not land inside curses' output.
            draw()
            backend?.copyToClipboard(text)
        case .replayStep:
            guard case .replay(let file, var cursor) = state.wireSource else { return }
            feedReplay(cursor.step())
            state.wireSource = .replay(file: file, cursor: cursor)
        case .quit:
            loop.stop()
        case .refreshDatabase:
            databaseFeed?.refresh()
        case .applyTheme(let request):
            var choice = catalog.choose(request)
            if backend?.depth == .mono && choice.theme.usesColour {
                choice = catalog.choose("mono")
                choice.notice = "no colour on this terminal: kept the mono theme"
            }
            backend?.setTheme(choice.theme)
            state.themeName = choice.theme.name
            state.notice = choice.notice.map { Notice($0, .warn) }
                ?? Notice("theme \(choice.theme.name) from \(choice.source)")
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
        switch wireInput {
        case .replay:
            state.now = state.wire.lastLineAt ?? 0
            state.clock = unixTime()
        case .live, .none: state.now = unixTime()
        }
        let now = state.now
        if state.notice != nil && state.notice?.shownAt == nil { state.notice?.shownAt = now }
        backend.draw(ConsoleView.render(state))
        lastDraw = loop.now
    }
}
