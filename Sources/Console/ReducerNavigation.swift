import Findings
import Observation
import Terminal

/// Screens, panels, rows, drill-downs and sorting.
extension ConsoleReducer {
    /// Screens, panels, rows, drill-downs and sorting: what the operator moves through.
    static func navigate(_ state: inout ConsoleState, _ action: Action) -> [Effect]? {
        switch action {
        case .back:
            if !state.filter(state.focusedKey).isEmpty {
                let effects = setFilter(&state, "")
                state.notice = Notice("filter cleared")
                return state.focusedKey == TableKey(.history) ? readNow(&state) : effects
            }
            if state.details[state.screen] != nil {
                state.details[state.screen] = nil
                state.focus[state.screen] = nil
            } else if state.screen == .history, state.historyUser != nil {
                state.historyUser = nil
                state.historyPages = []
                state.focus[.history] = nil
                return readNow(&state)
            }
            return []
        case .showScreen(let screen):
            return show(&state, screen)
        case .nextScreen:
            return show(&state, ScreenID(rawValue: (state.screen.rawValue + 1) % ScreenID.allCases.count)!)
        case .previousScreen:
            let count = ScreenID.allCases.count
            return show(&state, ScreenID(rawValue: (state.screen.rawValue + count - 1) % count)!)
        case .moveSelection(let delta):
            moveSelection(&state, by: delta)
            return []
        case .movePage(let pages):
            moveSelection(&state, by: pages * max(1, visibleRows(&state)))
            return []
        case .moveToTop:
            moveSelection(&state, to: 0)
            return []
        case .moveToBottom:
            moveSelection(&state, to: Int.max)
            return []
        case .drillDown:
            return drillDown(&state)
        case .unfold:
            fold(&state, open: true)
            return []
        case .fold:
            fold(&state, open: false)
            return []
        case .switchPanel:
            let count = ScreenContent.drawn(&state).count
            guard count > 1 else {
                state.notice = Notice("this screen has one panel")
                return []
            }
            state.focus[state.screen] = (state.focusedKey.panel + 1) % count
            moveSelection(&state, by: 0)
            return []
        case .olderPage:
            guard state.screen == .history, let user = state.historyUser else {
                state.notice = Notice("] pages through a user's history (History screen)")
                return []
            }
            guard let page = state.database.history?.value, page.user == user,
                  page.before == state.historyPages.last, let next = page.nextBefore else {
                state.notice = Notice("no older membership events")
                return []
            }
            state.historyPages.append(next)
            state.tables[TableKey(.history)] = nil
            return readNow(&state)
        case .newerPage:
            guard state.screen == .history, state.historyUser != nil, !state.historyPages.isEmpty else {
                state.notice = Notice("this is the newest page")
                return []
            }
            state.historyPages.removeLast()
            state.tables[TableKey(.history)] = nil
            return readNow(&state)
        case .sortNextColumn:
            moveSort(&state, by: 1)
            return []
        case .sortPreviousColumn:
            moveSort(&state, by: -1)
            return []
        case .sortReverse:
            var table = state.table(state.focusedKey)
            if var sort = table.sort {
                sort.ascending.toggle()
                table.sort = sort
                state.tables[state.focusedKey] = table
            }
            return []
        case .click(let x, let y):
            return click(&state, x: x, y: y)
        case .scroll(let delta):
            moveSelection(&state, by: delta)
            return []
        case .resize(let size):
            state.size = size
            moveSelection(&state, by: 0)
            return []
        default:
            return nil
        }
    }

    static func show(_ state: inout ConsoleState, _ screen: ScreenID) -> [Effect] {
        guard screen != state.screen else { return [] }
        state.screen = screen
        return readNow(&state)
    }

    /// Enter: opens what the selected row stands for, as the panel says.
    static func drillDown(_ state: inout ConsoleState) -> [Effect] {
        guard let panel = ScreenContent.focusedPanel(&state), let selection = panel.table.selection,
              selection < panel.table.rows.count else {
            state.notice = Notice("nothing selected to open")
            return []
        }
        if let key = panel.table.rows[selection].foldKey {
            state.expanded[panel.key, default: []].formSymmetricDifference([key])
            return []
        }
        guard let drill = panel.drill, let tag = panel.table.rows[selection].tag else {
            state.notice = Notice("nothing more to show for this row")
            return []
        }
        switch drill {
        case .historyUser:
            openHistory(&state, user: tag)
            return readNow(&state)
        case .destination: state.details[state.screen] = .destination(tag)
        case .user: state.details[state.screen] = .user(tag)
        case .process: state.details[state.screen] = .process(tag)
        case .stream: state.details[state.screen] = .stream(tag)
        case .membership: state.details[state.screen] = .membership(tag)
        case .room: state.details[state.screen] = .room(tag)
        }
        state.focus[state.screen] = nil
        selectFirstRow(&state, TableKey(state.screen, detail: state.details[state.screen]))
        return readNow(&state)
    }

    /// → opens the selected row's rows; ← folds it, or the row it is under (which is then selected).
    static func fold(_ state: inout ConsoleState, open: Bool) {
        guard let panel = ScreenContent.focusedPanel(&state), let selection = panel.table.selection,
              selection < panel.table.rows.count else { return }
        let rows = panel.table.rows
        if let key = rows[selection].foldKey {
            let isOpen = state.expanded[panel.key]?.contains(key) == true
            if open != isOpen {
                if open { state.expanded[panel.key, default: []].insert(key) } else { state.expanded[panel.key]?.remove(key) }
                return
            }
        }
        guard !open, let parent = RowTree.parent(of: selection, in: rows), let key = rows[parent].foldKey else { return }
        state.expanded[panel.key]?.remove(key)
        moveSelection(&state, to: parent)
    }

    /// Shows the History screen afresh: a user's first page, or the users starting with `prefix`.
    static func openHistory(_ state: inout ConsoleState, user: String?, prefix: String? = nil) {
        state.screen = .history
        state.details[.history] = nil
        state.historyUser = user
        state.historyPages = []
        state.focus[.history] = nil
        state.tables[TableKey(.history)] = nil
        state.filters[TableKey(.history)] = prefix
        if user != nil { selectFirstRow(&state, TableKey(.history)) }
    }

    /// A list opens afresh: the next frame selects its first row that stands for something
    /// (`ScreenContent.view`), once its rows are there.
    static func selectFirstRow(_ state: inout ConsoleState, _ key: TableKey) {
        state.tables[key] = TableState()
    }

    static func visibleRows(_ state: inout ConsoleState) -> Int {
        Table.visibleRows(in: ConsoleView.tableArea(state, panel: state.focusedKey.panel,
                                                    of: ScreenContent.drawn(&state).count))
    }

    static func focusedRowCount(_ state: inout ConsoleState) -> Int {
        ScreenContent.focusedPanel(&state)?.table.rows.count ?? 0
    }

    /// From the row the frame shows selected, which is the first when none was chosen yet.
    static func moveSelection(_ state: inout ConsoleState, by delta: Int) {
        let current = ScreenContent.focusedPanel(&state)?.table.selection ?? state.table(state.focusedKey).selection
        moveSelection(&state, to: current.map { $0 + delta } ?? (delta >= 0 ? 0 : Int.max))
    }

    static func moveSelection(_ state: inout ConsoleState, to target: Int) {
        let rows = focusedRowCount(&state)
        let key = state.focusedKey
        var table = state.table(key)
        if rows == 0 {
            table.selection = nil
            table.offset = 0
        } else {
            let selection = min(max(0, target), rows - 1)
            table.selection = selection
            table.offset = Table.scrollOffset(selection: selection, offset: table.offset,
                                              rowCount: rows, visibleRows: visibleRows(&state))
        }
        state.tables[key] = table
    }

    static func moveSort(_ state: inout ConsoleState, by delta: Int) {
        let columns = ScreenContent.focusedPanel(&state)?.table.columns.count ?? 0
        guard columns > 0 else { return }
        var table = state.table(state.focusedKey)
        let current = table.sort?.column ?? (delta > 0 ? -1 : columns)
        table.sort = SortOrder(column: (current + delta + columns) % columns,
                               ascending: table.sort?.ascending ?? true)
        state.tables[state.focusedKey] = table
    }

    /// A click on a tab does what its number key does; a click on a row selects it.
    static func click(_ state: inout ConsoleState, x: Int, y: Int) -> [Effect] {
        let layout = ConsoleLayout(size: state.size)
        if layout.isTooSmall { return [] }
        if let tab = layout.tabAreas().firstIndex(where: { $0.contains(x: x, y: y) }) {
            return show(&state, ScreenID(rawValue: tab)!)
        }
        let count = ScreenContent.drawn(&state).count
        for panel in 0..<count {
            let area = ConsoleView.tableArea(state, panel: panel, of: count)
            let bodyTop = area.y + 1
            guard area.contains(x: x, y: y), y >= bodyTop else { continue }
            state.focus[state.screen] = panel
            let row = state.table(state.focusedKey).offset + (y - bodyTop)
            if row < focusedRowCount(&state) {
                moveSelection(&state, to: row)
            }
            return []
        }
        return []
    }
}
