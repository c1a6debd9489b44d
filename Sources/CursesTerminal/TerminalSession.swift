import CTermSupport
import EventLoop
import Glibc
import Terminal

/// The terminal as the console keeps it: curses started in the locale's character set (ASCII
/// only where it is not UTF-8), a theme chosen from the catalog (mono where colour is off), and
/// keys, mouse, resizes and stop signals delivered on the event loop. Whatever happens, `stop`
/// gives the terminal back; a crash does too (the crash guard).
public final class TerminalSession {
    public let backend: CursesBackend
    private let catalog: ThemeCatalog
    private let signals: SignalPipe
    /// The theme in use, and what to tell the operator of the terminal (locale, theme) at the start.
    public private(set) var themeName: String
    public let startNotice: String?

    public init(catalog: ThemeCatalog, themeRequest: String?, forcedDepth: ColorDepth?, noColor: String?) throws {
        signal(SIGPIPE, SIG_IGN)
        ts_install_crash_guard()
        setlocale(LC_ALL, "")
        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        let asciiOnly = codeset.uppercased() != "UTF-8"
        // Before curses starts, so ncurses leaves SIGWINCH and SIGTSTP to us.
        signals = try SignalPipe()
        self.catalog = catalog
        var choice = catalog.choose(themeRequest)
        backend = try CursesBackend(theme: choice.theme, forcedDepth: forcedDepth, noColor: noColor, asciiOnly: asciiOnly)
        if backend.depth == .mono && choice.theme.usesColour {
            let reason = choice.notice.map { $0 + "; " } ?? ""
            choice = catalog.choose("mono")
            choice.notice = reason + "no colour (NO_COLOR, --no-color or the terminal): mono theme"
        }
        backend.setTheme(choice.theme)
        themeName = choice.theme.name
        startNotice = asciiOnly
            ? "the locale's character set is \(codeset), not UTF-8: showing ASCII only; set LANG=C.UTF-8"
            : choice.notice
    }

    /// Input and resizes to `input` (a resize as `.resize` with the new size read), and a stop
    /// signal (TERM, INT, HUP, QUIT) to `stop`.
    public func watch(on loop: EventLoop, input: @escaping (InputEvent) -> Void, stop: @escaping () -> Void) {
        loop.watch(fd: 0, events: { Int16(POLLIN) }) { [unowned self] _ in
            for event in self.backend.readEvents() { input(event) }
        }
        loop.watch(fd: signals.readFD, events: { Int16(POLLIN) }) { [unowned self] _ in
            for signal in self.signals.drain() {
                switch signal {
                case SIGWINCH:
                    self.backend.resizeFromTerminal()
                    input(.resize)
                case SIGTSTP:
                    self.backend.suspend(signal: SIGTSTP)
                    input(.resize)
                default:
                    stop()
                }
            }
        }
    }

    /// Another theme, as `:theme` or a context asks: mono stays where colour is off. Returns
    /// what to tell the operator.
    @discardableResult
    public func applyTheme(_ request: String?) -> (name: String, notice: String?, source: String) {
        var choice = catalog.choose(request)
        if backend.depth == .mono && choice.theme.usesColour {
            choice = catalog.choose("mono")
            choice.notice = "no colour on this terminal: kept the mono theme"
        }
        backend.setTheme(choice.theme)
        themeName = choice.theme.name
        return (choice.theme.name, choice.notice, choice.source)
    }
}
