import CNCursesW
import CSignals
import CTermSupport
import Glibc
import Terminal

public struct TerminalStartError: Error, CustomStringConvertible {
    public var description: String
}

/// The one place that talks to ncurses: starts and stops curses mode, draws the cells that
/// changed since the last frame, and reads keys and mouse reports. Owned by the event loop's
/// thread.
public final class CursesBackend {
    public let depth: ColorDepth
    /// True when the locale's character set is not UTF-8: only ASCII is written then.
    public let asciiOnly: Bool
    private let screen: OpaquePointer
    private let output: UnsafeMutablePointer<FILE>
    private var theme: Theme
    private var previous: ScreenBuffer?
    private var styleCache: [ThemeElement: (attr_t, Int32)] = [:]
    private var pairs: [ResolvedPair: Int32] = [:]
    private var active = true

    private struct ResolvedPair: Hashable {
        var foreground: Int
        var background: Int
    }

    /// Enters curses mode on the controlling terminal. `forcedDepth` overrides what the
    /// terminal reports.
    public init(theme: Theme, forcedDepth: ColorDepth?, noColor: String?, asciiOnly: Bool) throws {
        guard isatty(0) == 1, isatty(1) == 1 else {
            throw TerminalStartError(description:
                "the console needs a terminal on standard input and output")
        }
        guard let output = fdopen(1, "w"), let input = fdopen(0, "r") else {
            throw TerminalStartError(description: "cannot open the terminal")
        }
        guard let screen = newterm(nil, output, input) else {
            let term = getenv("TERM").map { String(cString: $0) } ?? "(unset)"
            throw TerminalStartError(description: "cannot use the terminal type TERM=\(term)")
        }
        self.screen = screen
        self.output = output
        ts_set_curses_active(1)
        cbreak()
        noecho()
        nonl()
        let window = sh_stdscr()
        keypad(window, true)
        nodelay(window, true)
        set_escdelay(25)
        curs_set(0)
        // Releases too, though nothing acts on them: ncurses reads on, blocking, for the next
        // event when one arrives that the mask leaves out, and the whole loop would wait.
        mousemask(SH_BUTTON1_PRESSED | SH_BUTTON1_CLICKED | SH_BUTTON1_RELEASED | SH_BUTTON4_PRESSED
                  | SH_BUTTON5_PRESSED, nil)
        mouseinterval(0)
        var colors = 0
        if has_colors() {
            start_color()
            use_default_colors()
            colors = Int(sh_colors())
        }
        self.depth = forcedDepth ?? ColorDepth.detect(colors: colors, noColor: noColor)
        self.asciiOnly = asciiOnly
        self.theme = theme
    }

    deinit {
        stop()
    }

    public var size: Size {
        Size(width: Int(getmaxx(sh_stdscr())), height: Int(getmaxy(sh_stdscr())))
    }

    public func setTheme(_ theme: Theme) {
        self.theme = theme
        styleCache = [:]
        previous = nil
    }

    /// Leaves curses mode for good; safe to call twice.
    public func stop() {
        guard active else { return }
        active = false
        endwin()
        ts_set_curses_active(0)
        delscreen(screen)
    }

    /// Leaves curses mode and stops the process (Ctrl-Z); returns once it is continued.
    public func suspend(signal: Int32) {
        endwin()
        ts_set_curses_active(0)
        ts_raise_default(signal)
        ts_set_curses_active(1)
        resizeFromTerminal()
        // Repaint everything: the shell drew over the screen while syntop was stopped.
        clearok(sh_stdscr(), true)
        previous = nil
    }

    /// Reads the terminal's size after SIGWINCH and tells curses.
    public func resizeFromTerminal() {
        var rows: Int32 = 0
        var cols: Int32 = 0
        if ts_terminal_size(1, &rows, &cols) == 0 {
            resizeterm(rows, cols)
        }
        previous = nil
    }

    /// Every input event waiting, without blocking.
    public func readEvents() -> [InputEvent] {
        var events: [InputEvent] = []
        let window = sh_stdscr()
        while events.count < 4096 {
            var code: wint_t = 0
            let result = wget_wch(window, &code)
            if result == ERR { break }
            let isKeyCode = result == KEY_CODE_YES
            if isKeyCode && Int32(code) == KEY_MOUSE {
                if let mouse = readMouse() { events.append(.mouse(mouse)) }
                continue
            }
            if let event = KeyDecoder.decode(code: code, isKeyCode: isKeyCode) {
                events.append(event)
            }
        }
        return events
    }

    private func readMouse() -> MouseEvent? {
        var event = MEVENT()
        guard getmouse(&event) == OK else { return nil }
        let state = event.bstate
        let x = Int(event.x), y = Int(event.y)
        if state & SH_BUTTON4_PRESSED != 0 { return MouseEvent(.wheelUp, x: x, y: y) }
        if state & SH_BUTTON5_PRESSED != 0 { return MouseEvent(.wheelDown, x: x, y: y) }
        if state & (SH_BUTTON1_PRESSED | SH_BUTTON1_CLICKED) != 0 {
            return MouseEvent(.press, x: x, y: y)
        }
        return nil
    }

    private func style(_ element: ThemeElement) -> (attr_t, Int32) {
        if let cached = styleCache[element] { return cached }
        let resolved = ColorMapping.resolve(theme.style(element), depth: depth)
        var attributes = SH_A_NORMAL
        if resolved.attributes.contains(.bold) { attributes |= SH_A_BOLD }
        if resolved.attributes.contains(.dim) { attributes |= SH_A_DIM }
        if resolved.attributes.contains(.underline) { attributes |= SH_A_UNDERLINE }
        if resolved.attributes.contains(.reverse) { attributes |= SH_A_REVERSE }
        let pair = pairNumber(ResolvedPair(foreground: resolved.foreground,
                                           background: resolved.background))
        styleCache[element] = (attributes, pair)
        return (attributes, pair)
    }

    private func pairNumber(_ key: ResolvedPair) -> Int32 {
        if key.foreground == -1 && key.background == -1 { return 0 }
        if let known = pairs[key] { return known }
        let number = Int32(pairs.count + 1)
        guard number < sh_color_pairs(),
              init_extended_pair(number, Int32(key.foreground), Int32(key.background)) == OK
        else { return 0 }
        pairs[key] = number
        return number
    }

    /// Draws a frame: only the runs of cells that differ from the last frame are written.
    public func draw(_ buffer: ScreenBuffer) {
        guard active else { return }
        let window = sh_stdscr()
        let last = (previous?.size == buffer.size) ? previous : nil
        if last == nil { werase(window) }
        let width = buffer.size.width
        for y in 0..<buffer.size.height {
            var x = 0
            while x < width {
                let cell = buffer[x, y]
                if let last, last[x, y] == cell {
                    x += 1
                    continue
                }
                if cell.isContinuation {
                    x += 1
                    continue
                }
                let start = x
                let element = cell.element
                var text = ""
                while x < width {
                    let next = buffer[x, y]
                    guard next.element == element else { break }
                    if let last, last[x, y] == next { break }
                    text += asciiOnly ? CursesBackend.ascii(next.text) : next.text
                    x += 1
                }
                var (attributes, pair) = style(element)
                wattr_set(window, attributes, 0, &pair)
                mvwaddnstr(window, Int32(y), Int32(start), text, -1)
            }
        }
        var none: Int32 = 0
        wattr_set(window, SH_A_NORMAL, 0, &none)
        if let cursor = buffer.cursor {
            curs_set(1)
            wmove(window, Int32(cursor.y), Int32(cursor.x))
        } else {
            curs_set(0)
        }
        wnoutrefresh(window)
        doupdate()
        previous = buffer
    }

    /// Puts text on the terminal's clipboard (OSC 52), after the frame curses has written.
    public func copyToClipboard(_ text: String) {
        guard active else { return }
        fputs(Clipboard.osc52(text), output)
        fflush(output)
    }

    /// The ASCII stand-in of a cell for terminals whose locale is not UTF-8.
    public static func ascii(_ text: String) -> String {
        switch text {
        case "─": return "-"
        case "│": return "|"
        case "┌", "┐", "└", "┘": return "+"
        case "…": return "~"
        case "▶": return ">"
        case "▲": return "^"
        case "▼": return "v"
        case "▁": return "_"
        case "▂", "▃": return "."
        case "▄": return "-"
        case "▅": return "="
        case "▆": return "+"
        case "▇": return "*"
        case "█": return "#"
        default:
            if text.unicodeScalars.allSatisfy({ $0.value < 0x80 }) { return text }
            return String(repeating: "?", count: max(1, TextWidth.of(text)))
        }
    }
}
