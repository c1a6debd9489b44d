import Terminal

/// The console's state transitions: plain functions of (state, action), with the I/O they
/// need returned as effects for the event loop to perform.
public enum ConsoleReducer {
    public static func reduce(_ state: inout ConsoleState, _ action: Action) -> [Effect] {
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
            if !state.filter(state.screen).isEmpty {
                state.filters[state.screen] = nil
                state.notice = Notice("filter cleared")
            }
        case .showScreen(let screen):
            state.screen = screen
        case .nextScreen:
            state.screen = ScreenID(rawValue: (state.screen.rawValue + 1) % ScreenID.allCases.count)!
        case .previousScreen:
            let count = ScreenID.allCases.count
            state.screen = ScreenID(rawValue: (state.screen.rawValue + count - 1) % count)!
        case .moveSelection(let delta):
            moveSelection(&state, by: delta)
        case .movePage(let pages):
            moveSelection(&state, by: pages * max(1, visibleRows(state)))
        case .moveToTop:
            moveSelection(&state, to: 0)
        case .moveToBottom:
            moveSelection(&state, to: Int.max)
        case .drillDown:
            if state.table(state.screen).selection == nil {
                state.notice = Notice("nothing selected to open")
            }
        case .beginInput(let mode):
            let current = state.filter(state.screen)
            state.input = InputState(mode: mode, text: mode == .filter ? current : "",
                                     previousFilter: current)
        case .inputCharacter(let character):
            guard var input = state.input else { break }
            input.text.append(character)
            state.input = input
            if input.mode == .filter { setFilter(&state, input.text) }
        case .inputBackspace:
            guard var input = state.input else { break }
            if input.text.isEmpty {
                return reduce(&state, .cancelInput)
            }
            input.text.removeLast()
            state.input = input
            if input.mode == .filter { setFilter(&state, input.text) }
        case .cancelInput:
            if let input = state.input, input.mode == .filter {
                setFilter(&state, input.previousFilter)
            }
            state.input = nil
        case .submitInput:
            guard let input = state.input else { break }
            state.input = nil
            if input.mode == .command {
                return runCommand(&state, input.text)
            }
        case .togglePause:
            state.paused.toggle()
            state.frozenWire = state.paused ? state.wire : nil
            if case .replay = state.wireSource {
                state.notice = Notice(state.paused ? "replay paused (. steps, Space resumes)" : "replay resumed")
            } else {
                state.notice = Notice(state.paused ? "live feed paused (Space resumes)" : "live feed resumed")
            }
        case .probe:
            guard case .live = state.wireSource else {
                state.notice = Notice("REPLICATE needs a live Redis connection", .warn)
                break
            }
            guard state.probeAllowed else {
                state.notice = Notice("publishing REPLICATE is off: start syntop with --probe to allow it", .warn)
                break
            }
            return [.probe]
        case .replayStep:
            guard case .replay = state.wireSource else {
                state.notice = Notice(". steps through a replay (--replay FILE)", .warn)
                break
            }
            guard state.paused else {
                state.notice = Notice("pause the replay (Space) to step through it")
                break
            }
            return [.replayStep]
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
            var table = state.table(state.screen)
            if var sort = table.sort {
                sort.ascending.toggle()
                table.sort = sort
                state.tables[state.screen] = table
            }
        case .click(let x, let y):
            click(&state, x: x, y: y)
        case .scroll(let delta):
            moveSelection(&state, by: delta)
        case .resize(let size):
            state.size = size
            moveSelection(&state, by: 0)
        }
        return []
    }

    private static func scrollHelp(_ state: inout ConsoleState, by delta: Int) {
        let layout = ConsoleLayout(size: state.size)
        let overlay = ConsoleView.helpOverlay(offset: 0)
        let hidden = overlay.lines().count - overlay.visibleLines(in: layout.body)
        state.helpOffset = min(max(0, state.helpOffset + delta), max(0, hidden))
    }

    private static func setFilter(_ state: inout ConsoleState, _ text: String) {
        state.filters[state.screen] = text.isEmpty ? nil : text
        var table = state.table(state.screen)
        table.selection = nil
        table.offset = 0
        state.tables[state.screen] = table
    }

    private static func visibleRows(_ state: ConsoleState) -> Int {
        Table.visibleRows(in: ConsoleView.primaryTableArea(state))
    }

    private static func moveSelection(_ state: inout ConsoleState, by delta: Int) {
        let current = state.table(state.screen).selection
        moveSelection(&state, to: current.map { $0 + delta } ?? (delta >= 0 ? 0 : Int.max))
    }

    private static func moveSelection(_ state: inout ConsoleState, to target: Int) {
        let rows = ScreenContent.primaryRowCount(state.screen, in: state)
        var table = state.table(state.screen)
        if rows == 0 {
            table.selection = nil
            table.offset = 0
        } else {
            let selection = min(max(0, target), rows - 1)
            table.selection = selection
            table.offset = Table.scrollOffset(selection: selection, offset: table.offset,
                                              rowCount: rows, visibleRows: visibleRows(state))
        }
        state.tables[state.screen] = table
    }

    private static func moveSort(_ state: inout ConsoleState, by delta: Int) {
        let columns = ScreenContent.primaryColumnCount(state.screen, in: state)
        guard columns > 0 else { return }
        var table = state.table(state.screen)
        let current = table.sort?.column ?? (delta > 0 ? -1 : columns)
        table.sort = SortOrder(column: (current + delta + columns) % columns,
                               ascending: table.sort?.ascending ?? true)
        state.tables[state.screen] = table
    }

    private static func click(_ state: inout ConsoleState, x: Int, y: Int) {
        let layout = ConsoleLayout(size: state.size)
        if layout.isTooSmall { return }
        if let tab = layout.tabAreas().firstIndex(where: { $0.contains(x: x, y: y) }) {
            state.screen = ScreenID(rawValue: tab)!
            return
        }
        let area = ConsoleView.primaryTableArea(state)
        let bodyTop = area.y + 1
        guard area.contains(x: x, y: y), y >= bodyTop else { return }
        let offset = state.table(state.screen).offset
        let row = offset + (y - bodyTop)
        if row < ScreenContent.primaryRowCount(state.screen, in: state) {
            moveSelection(&state, to: row)
        }
    }

    static func runCommand(_ state: inout ConsoleState, _ line: String) -> [Effect] {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let name = words.first else { return [] }
        let argument = words.dropFirst().joined(separator: " ")
        switch name {
        case "q", "quit":
            return [.quit]
        case "help":
            state.helpVisible = true
            state.helpOffset = 0
        case "pokes": state.screen = .pokes
        case "roles": state.screen = .roles
        case "positions": state.screen = .positions
        case "history": state.screen = .history
        case "filter":
            setFilter(&state, argument)
        case "pause":
            state.paused = true
        case "resume":
            state.paused = false
        case "refresh":
            guard let seconds = Double(argument),
                  let step = RefreshInterval.steps.firstIndex(of: seconds) else {
                let allowed = RefreshInterval.steps.map { String($0) }.joined(separator: ", ")
                state.notice = Notice(":refresh takes one of \(allowed) seconds", .warn)
                return []
            }
            state.refreshStep = step
            state.notice = Notice("refresh every " + RefreshInterval.label(state.refreshSeconds))
        case "speed":
            guard case .replay(let file, var cursor) = state.wireSource else {
                state.notice = Notice(":speed applies to a replay (--replay FILE)", .warn)
                return []
            }
            guard let speed = ReplaySpeed(argument) else {
                state.notice = Notice(":speed takes a number above 0, or max", .warn)
                return []
            }
            cursor.speed = speed
            cursor.hold()
            state.wireSource = .replay(file: file, cursor: cursor)
            state.notice = Notice("replay speed \(speed)")
        case "theme":
            guard !argument.isEmpty else {
                state.notice = Notice(":theme needs a name or a path", .warn)
                return []
            }
            return [.applyTheme(argument)]
        default:
            state.notice = Notice("unknown command ':\(name)'; ? lists the commands", .warn)
        }
        return []
    }
}
