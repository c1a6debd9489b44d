import Deployments
import Console
import CursesTerminal
import EventLoop
import Feeds
import Foundation
import Observation
import Replication
import Terminal

/// A deployment as the console watches it: what the options, the context and the config files
/// resolve to, and what the console shows of it.
struct ConsoleDeployment {
    var themeRequest: String?
    var deployment: Deployment
    var refreshSeconds: Double
    var speed: ReplaySpeed
    /// Without -c: where Synapse's config was looked for.
    var configSearch: Notice?
    var settingsNotice: Notice?
    var context: String?
    var contexts: [String]
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
    /// The deployment's sources; a switch of context stops them and starts the next one's.
    private var feeds: Feeds?
    private var ticker: EventLoop.TimerID?

    private let loop = EventLoop()
    private var state = ConsoleState(size: Size(width: 80, height: 24))
    private var terminal: TerminalSession?
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
        let terminal: TerminalSession
        do {
            terminal = try TerminalSession(catalog: catalog, themeRequest: deployment.themeRequest, forcedDepth: forcedDepth,
                                           noColor: noColor)
        } catch {
            FileHandle.standardError.write(Data("syntop: \(error)\n".utf8))
            return 1
        }
        self.terminal = terminal
        terminal.watch(on: loop, input: { [unowned self] event in
            if event == .resize {
                self.dispatch(.resize(terminal.backend.size))
            } else if let action = Bindings.action(for: event, in: self.state) {
                self.dispatch(action)
            }
        }, stop: { [unowned self] in self.loop.stop() })
        begin(themeName: terminal.themeName, terminalNotice: terminal.startNotice)
        draw()
        loop.run()
        feeds?.stop()
        terminal.backend.stop()
        return 0
    }

    /// Starts watching `deployment`: the reducer's start, whose effects its sources perform, then
    /// the sources themselves.
    private func begin(themeName: String, terminalNotice: String?) {
        let watched = deployment.deployment
        let feeds = Feeds(watched.sources(retryDatabase: true), loop: loop) { [unowned self] action in
            self.dispatch(.observed(action))
        }
        self.feeds = feeds
        dispatch(.start(ConsoleSetup(
            size: terminal?.backend.size ?? state.size, themeName: themeName, terminalNotice: terminalNotice,
            configSearch: deployment.configSearch, utcOffset: utcOffset(), context: deployment.context,
            contexts: deployment.contexts, settingsNotice: deployment.settingsNotice,
            observation: watched.setup(feeds: .all, reads: [], refreshSeconds: deployment.refreshSeconds,
                                       repeating: true, speed: deployment.speed, configSearch: deployment.configSearch?.text))))
        feeds.start()
        // Ages and "retry in" move with the clock even when nothing arrives; without a
        // source nothing on screen ages, and the idle console stays asleep.
        let idle = !watched.hasWire && watched.database == nil
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
        feeds?.stop()
        feeds = nil
        deployment = next
        let theme = terminal?.applyTheme(next.themeRequest)
        begin(themeName: theme?.name ?? state.themeName, terminalNotice: nil)
    }

    private func dispatch(_ action: Action) {
        for effect in ConsoleReducer.reduce(&state, action) {
            perform(effect)
        }
        requestRedraw()
    }

    private func perform(_ effect: Effect) {
        switch effect {
        case .observation(let effect):
            feeds?.perform(effect)
        case .quit:
            loop.stop()
        case .switchContext(let name):
            switchContext(name)
        case .applyTheme(let request):
            guard let theme = terminal?.applyTheme(request) else { return }
            dispatch(.themeLoaded(name: theme.name, notice: theme.notice.map { Notice($0, .warning) }
                ?? Notice("theme \(theme.name) from \(theme.source)")))
        case .copyToClipboard(let text):
            // After the frame that says so, so the sequence does not land inside curses' output.
            draw()
            terminal?.backend.copyToClipboard(text)
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
        guard let terminal else { return }
        for effect in ConsoleReducer.reduce(&state, .frame(clock: unixTime())) { perform(effect) }
        terminal.backend.draw(ConsoleView.render(state))
        lastDraw = loop.now
    }
}
