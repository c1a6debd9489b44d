import Findings
import Terminal

/// The console's state transitions: plain functions of (state, action), with the I/O they
/// need returned as effects for the event loop to perform.
public enum ConsoleReducer {
    public static func reduce(_ state: inout ConsoleState, _ action: Action) -> [Effect] {
        if let effects = reduceReport(&state, action) { return effects }
        // In the help, movement keys scroll it and any other key closes it; keys other than
        // those that close it also act.
        if state.helpVisible {
            switch action {
            case .toggleHelp, .back, .quit:
                state.helpVisible = false
                return []
            case .moveSelection(let delta), .scroll(let delta):
                scrollHelp(&state, by: delta)
                return []
            case .movePage(let pages):
                scrollHelp(&state, by: pages * 10)
                return []
            case .resize:
                break
            default:
                state.helpVisible = false
            }
        }
        switch action {
        case .quit:
            return [.quit]
        case .toggleHelp:
            state.helpVisible.toggle()
            state.helpOffset = 0
        case .back:
            if !state.filter(state.focusedKey).isEmpty {
                setFilter(&state, "")
                state.notice = Notice("filter cleared")
                return state.focusedKey == TableKey(.history) ? [.refreshDatabase] : []
            }
            if state.details[state.screen] != nil {
                state.details[state.screen] = nil
                state.focus[state.screen] = nil
            } else if state.screen == .history, state.historyUser != nil {
                state.historyUser = nil
                state.historyPages = []
                state.focus[.history] = nil
                return [.refreshDatabase]
            }
        case .showScreen(let screen):
            return show(&state, screen)
        case .nextScreen:
            return show(&state, ScreenID(rawValue: (state.screen.rawValue + 1) % ScreenID.allCases.count)!)
        case .previousScreen:
            let count = ScreenID.allCases.count
            return show(&state, ScreenID(rawValue: (state.screen.rawValue + count - 1) % count)!)
        case .moveSelection(let delta):
            moveSelection(&state, by: delta)
        case .movePage(let pages):
            moveSelection(&state, by: pages * max(1, visibleRows(state)))
        case .moveToTop:
            moveSelection(&state, to: 0)
        case .moveToBottom:
            moveSelection(&state, to: Int.max)
        case .drillDown:
            return drillDown(&state)
        case .copySelection:
            guard let panel = ScreenContent.focusedPanel(state), let selection = panel.table.selection,
                  selection < panel.table.rows.count else {
                state.notice = Notice("nothing selected to copy")
                break
            }
            guard let id = panel.table.rows[selection].tag else {
                state.notice = Notice("this row has no ID to copy")
                break
            }
            state.notice = Notice("copied \(id) (to the terminal's clipboard)")
            return [.copyToClipboard(id)]
        case .switchPanel:
            let count = ScreenContent.panelCount(state)
            guard count > 1 else {
                state.notice = Notice("this screen has one panel")
                break
            }
            state.focus[state.screen] = (state.focusedKey.panel + 1) % count
            moveSelection(&state, by: 0)
        case .olderPage:
            guard state.screen == .history, let user = state.historyUser else {
                state.notice = Notice("] pages through a user's history (History screen)")
                break
            }
            guard let page = state.database.history?.value, page.user == user,
                  page.before == state.historyPages.last, let next = page.nextBefore else {
                state.notice = Notice("no older membership events")
                break
            }
            state.historyPages.append(next)
            state.tables[TableKey(.history)] = nil
            return [.refreshDatabase]
        case .newerPage:
            guard state.screen == .history, state.historyUser != nil, !state.historyPages.isEmpty else {
                state.notice = Notice("this is the newest page")
                break
            }
            state.historyPages.removeLast()
            state.tables[TableKey(.history)] = nil
            return [.refreshDatabase]
        case .beginInput(let mode):
            let current = state.filter(state.focusedKey)
            state.input = InputState(mode: mode, text: mode == .filter ? current : "",
                                     previousFilter: current)
        case .inputCharacter(let character):
            guard var input = state.input else { break }
            input.text.append(character)
            state.input = input
            if input.mode == .filter { return setFilter(&state, input.text) }
        case .inputBackspace:
            guard var input = state.input else { break }
            if input.text.isEmpty {
                return reduce(&state, .cancelInput)
            }
            input.text.removeLast()
            state.input = input
            if input.mode == .filter { return setFilter(&state, input.text) }
        case .cancelInput:
            let input = state.input
            state.input = nil
            if let input, input.mode == .filter {
                return setFilter(&state, input.previousFilter)
            }
        case .submitInput:
            guard let input = state.input else { break }
            state.input = nil
            if input.mode == .command {
                return runCommand(&state, input.text)
            }
        case .togglePause:
            return setPaused(&state, !state.paused)
        case .probe:
            guard case .live = state.wireSource else {
                state.notice = Notice("REPLICATE needs a live Redis connection", .warning)
                break
            }
            guard state.probeAllowed else {
                state.notice = Notice("publishing REPLICATE is off: start syntop with --probe to allow it", .warning)
                break
            }
            return [.probe]
        case .replayStep:
            guard case .replay = state.wireSource else {
                state.notice = Notice(". steps through a replay (--replay FILE)", .warning)
                break
            }
            guard state.paused, case .replay(let file, var cursor) = state.wireSource else {
                state.notice = Notice("pause the replay (Space) to step through it")
                break
            }
            feedReplay(&state, cursor.step())
            state.wireSource = .replay(file: file, cursor: cursor)
        case .refreshLonger:
            state.refreshStep = min(state.refreshStep + 1, RefreshInterval.steps.count - 1)
            state.notice = Notice("refresh every " + RefreshInterval.label(state.refreshSeconds))
        case .refreshShorter:
            state.refreshStep = max(state.refreshStep - 1, 0)
            state.notice = Notice("refresh every " + RefreshInterval.label(state.refreshSeconds))
        case .sortNextColumn:
            moveSort(&state, by: 1)
        case .sortPreviousColumn:
            moveSort(&state, by: -1)
        case .sortReverse:
            var table = state.table(state.focusedKey)
            if var sort = table.sort {
                sort.ascending.toggle()
                table.sort = sort
                state.tables[state.focusedKey] = table
            }
        case .click(let x, let y):
            return click(&state, x: x, y: y)
        case .scroll(let delta):
            moveSelection(&state, by: delta)
        case .resize(let size):
            state.size = size
            moveSelection(&state, by: 0)
        case .start, .wire, .connection, .database, .probeAnswered, .themeLoaded, .replayTick, .frame:
            break // reduceReport's
        }
        return []
    }

    private static func scrollHelp(_ state: inout ConsoleState, by delta: Int) {
        let layout = ConsoleLayout(size: state.size)
        let overlay = ConsoleView.helpOverlay(offset: 0)
        let hidden = overlay.lines().count - overlay.visibleLines(in: layout.body)
        state.helpOffset = min(max(0, state.helpOffset + delta), max(0, hidden))
    }

    /// Sets the focused table's filter. On History before a user is picked, the filter is the
    /// prefix the user list is read with, so the database is asked again.
    @discardableResult
    private static func setFilter(_ state: inout ConsoleState, _ text: String) -> [Effect] {
        let key = state.focusedKey
        state.filters[key] = text.isEmpty ? nil : text
        var table = state.table(key)
        table.selection = nil
        table.offset = 0
        state.tables[key] = table
        return key == TableKey(.history) && state.historyUser == nil ? [.refreshDatabase] : []
    }

    private static func show(_ state: inout ConsoleState, _ screen: ScreenID) -> [Effect] {
        guard screen != state.screen else { return [] }
        state.screen = screen
        return [.refreshDatabase]
    }

    /// Enter: opens what the selected row stands for, as the panel says.
    private static func drillDown(_ state: inout ConsoleState) -> [Effect] {
        guard let panel = ScreenContent.focusedPanel(state), let selection = panel.table.selection,
              selection < panel.table.rows.count else {
            state.notice = Notice("nothing selected to open")
            return []
        }
        guard let drill = panel.drill, let tag = panel.table.rows[selection].tag else {
            state.notice = Notice("nothing more to show for this row")
            return []
        }
        switch drill {
        case .historyUser:
            openHistory(&state, user: tag)
            return [.refreshDatabase]
        case .destination: state.details[state.screen] = .destination(tag)
        case .user: state.details[state.screen] = .user(tag)
        case .process: state.details[state.screen] = .process(tag)
        case .stream: state.details[state.screen] = .stream(tag)
        case .membership: state.details[state.screen] = .membership(tag)
        }
        state.focus[state.screen] = nil
        selectFirstRow(&state, TableKey(state.screen, detail: state.details[state.screen]))
        return [.refreshDatabase]
    }

    /// Shows the History screen afresh: a user's first page, or the users starting with `prefix`.
    private static func openHistory(_ state: inout ConsoleState, user: String?, prefix: String? = nil) {
        state.screen = .history
        state.details[.history] = nil
        state.historyUser = user
        state.historyPages = []
        state.focus[.history] = nil
        state.tables[TableKey(.history)] = nil
        state.filters[TableKey(.history)] = prefix
        if user != nil { selectFirstRow(&state, TableKey(.history)) }
    }

    /// A list opens with its first row selected, so Enter acts on it at once: the first that
    /// stands for something (a process's role and flags come before its streams), or the first
    /// of rows that arrive later, from the database.
    private static func selectFirstRow(_ state: inout ConsoleState, _ key: TableKey) {
        state.tables[key] = TableState(selection: 0)
        let rows = ScreenContent.focusedPanel(state)?.table.rows ?? []
        if let first = rows.firstIndex(where: { $0.tag != nil }) {
            moveSelection(&state, to: first)
        }
    }

    private static func visibleRows(_ state: ConsoleState) -> Int {
        Table.visibleRows(in: ConsoleView.focusedTableArea(state))
    }

    private static func focusedRowCount(_ state: ConsoleState) -> Int {
        ScreenContent.focusedPanel(state)?.table.rows.count ?? 0
    }

    private static func moveSelection(_ state: inout ConsoleState, by delta: Int) {
        let current = state.table(state.focusedKey).selection
        moveSelection(&state, to: current.map { $0 + delta } ?? (delta >= 0 ? 0 : Int.max))
    }

    private static func moveSelection(_ state: inout ConsoleState, to target: Int) {
        let rows = focusedRowCount(state)
        let key = state.focusedKey
        var table = state.table(key)
        if rows == 0 {
            table.selection = nil
            table.offset = 0
        } else {
            let selection = min(max(0, target), rows - 1)
            table.selection = selection
            table.offset = Table.scrollOffset(selection: selection, offset: table.offset,
                                              rowCount: rows, visibleRows: visibleRows(state))
        }
        state.tables[key] = table
    }

    private static func moveSort(_ state: inout ConsoleState, by delta: Int) {
        let columns = ScreenContent.focusedPanel(state)?.table.columns.count ?? 0
        guard columns > 0 else { return }
        var table = state.table(state.focusedKey)
        let current = table.sort?.column ?? (delta > 0 ? -1 : columns)
        table.sort = SortOrder(column: (current + delta + columns) % columns,
                               ascending: table.sort?.ascending ?? true)
        state.tables[state.focusedKey] = table
    }

    /// Space, `:pause` and `:resume`: the screens freeze on the wire as it is, and a replay stops
    /// feeding; resuming a replay asks the loop to feed it again.
    private static func setPaused(_ state: inout ConsoleState, _ paused: Bool) -> [Effect] {
        let replay: Bool
        if case .replay = state.wireSource { replay = true } else { replay = false }
        let what = replay ? "replay" : "live feed"
        guard paused != state.paused else {
            state.notice = Notice("the \(what) is already \(paused ? "paused" : "running")")
            return []
        }
        state.paused = paused
        state.frozenWire = paused ? state.wire : nil
        if paused {
            state.notice = Notice(replay ? "replay paused (. steps, Space resumes)" : "live feed paused (Space resumes)")
            return []
        }
        state.notice = Notice("\(what) resumed")
        return replay ? [.startReplay] : []
    }

    /// A click on a tab does what its number key does; a click on a row selects it.
    private static func click(_ state: inout ConsoleState, x: Int, y: Int) -> [Effect] {
        let layout = ConsoleLayout(size: state.size)
        if layout.isTooSmall { return [] }
        if let tab = layout.tabAreas().firstIndex(where: { $0.contains(x: x, y: y) }) {
            return show(&state, ScreenID(rawValue: tab)!)
        }
        for panel in 0..<ScreenContent.panelCount(state) {
            let area = ConsoleView.tableArea(state, panel: panel)
            let bodyTop = area.y + 1
            guard area.contains(x: x, y: y), y >= bodyTop else { continue }
            state.focus[state.screen] = panel
            let row = state.table(state.focusedKey).offset + (y - bodyTop)
            if row < focusedRowCount(state) {
                moveSelection(&state, to: row)
            }
            return []
        }
        return []
    }

    static func runCommand(_ state: inout ConsoleState, _ line: String) -> [Effect] {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let name = words.first else { return [] }
        let argument = words.dropFirst().joined(separator: " ")
        if let screen = ScreenID.allCases.first(where: { $0.command == name }) {
            return show(&state, screen)
        }
        switch name {
        case "q", "quit":
            return [.quit]
        case "help":
            state.helpVisible = true
            state.helpOffset = 0
        case "user":
            guard !argument.isEmpty else {
                state.notice = Notice(":user takes a user ID, or the start of one", .warning)
                return []
            }
            // A whole user ID (@local:server) opens the history; the start of one lists matches.
            if argument.hasPrefix("@"), argument.dropFirst().contains(":") {
                openHistory(&state, user: argument)
            } else {
                openHistory(&state, user: nil, prefix: argument)
            }
            return [.refreshDatabase]
        case "filter":
            return setFilter(&state, argument)
        case "pause":
            return setPaused(&state, true)
        case "resume":
            return setPaused(&state, false)
        case "refresh":
            guard let seconds = Double(argument),
                  let step = RefreshInterval.steps.firstIndex(of: seconds) else {
                let allowed = RefreshInterval.steps.map { String($0) }.joined(separator: ", ")
                state.notice = Notice(":refresh takes one of \(allowed) seconds", .warning)
                return []
            }
            state.refreshStep = step
            state.notice = Notice("refresh every " + RefreshInterval.label(state.refreshSeconds))
        case "speed":
            guard case .replay(let file, var cursor) = state.wireSource else {
                state.notice = Notice(":speed applies to a replay (--replay FILE)", .warning)
                return []
            }
            guard let speed = ReplaySpeed(argument) else {
                state.notice = Notice(":speed takes a number above 0, or max", .warning)
                return []
            }
            cursor.speed = speed
            cursor.hold()
            state.wireSource = .replay(file: file, cursor: cursor)
            state.notice = Notice("replay speed \(speed)")
        case "theme":
            guard !argument.isEmpty else {
                state.notice = Notice(":theme needs a name or a path", .warning)
                return []
            }
            return [.applyTheme(argument)]
        default:
            state.notice = Notice("unknown command ':\(name)'; ? lists the commands", .warning)
        }
        return []
    }
}
