import CNCursesW
import Console
import CTermSupport
import EventLoop
import Foundation
import Terminal

/// Runs the interactive console: one event loop over the terminal, the signal pipe and
/// timers, the console state, and the curses backend that shows it.
final class ConsoleSession {
    private let catalog: ThemeCatalog
    private let themeRequest: String?
    private let forcedDepth: ColorDepth?
    private let noColor: String?

    private let loop = EventLoop()
    private var state = ConsoleState(size: Size(width: 80, height: 24))
    private var backend: CursesBackend?
    private var redrawPending = false
    private var lastDraw: UInt64 = 0
    /// At most about 30 frames a second, however much changes.
    private let frameInterval: UInt64 = 33_000_000

    init(catalog: ThemeCatalog, themeRequest: String?, forcedDepth: ColorDepth?, noColor: String?) {
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
        draw()
        loop.run()
        backend.stop()
        return 0
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
        case .quit:
            loop.stop()
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
        backend.draw(ConsoleView.render(state))
        lastDraw = loop.now
    }
}
