import Findings
import Observation
import Terminal
import Wire

/// Draws the whole console for a state: a pure function of (state, size).
public enum ConsoleView {
    public static func render(_ state: ConsoleState) -> ScreenBuffer {
        var buffer = ScreenBuffer(size: state.size)
        let layout = ConsoleLayout(size: state.size)
        if layout.isTooSmall {
            renderTooSmall(into: &buffer)
            return buffer
        }
        renderHeader(state, layout, into: &buffer)
        TabBar(titles: ScreenID.allCases.map(\.title), active: state.screen.rawValue)
            .render(into: &buffer, area: layout.tabs)
        let view = ScreenContent.current(state)
        renderScreen(state, layout, panels: view.panels, into: &buffer)
        renderStatus(state, layout, alerts: view.alerts, into: &buffer)
        if let input = state.input {
            InputLine(prompt: input.mode == .filter ? "/" : ":", text: input.text)
                .render(into: &buffer, area: layout.footer)
        } else {
            KeyBar(Bindings.keys.compactMap(\.bar)).render(into: &buffer, area: layout.footer)
        }
        if state.helpVisible {
            helpOverlay(offset: state.helpOffset).render(into: &buffer, area: layout.body)
        }
        return buffer
    }

    static func renderTooSmall(into buffer: inout ScreenBuffer) {
        let size = buffer.size
        let minimum = ConsoleLayout.minimum
        let lines = [
            "terminal too small:",
            "need \(minimum.width) x \(minimum.height),",
            "have \(size.width) x \(size.height)",
            "q quits",
        ]
        let top = max(0, (size.height - lines.count) / 2)
        for (i, line) in lines.enumerated() {
            let width = TextWidth.of(line)
            buffer.put(line, x: max(0, (size.width - width) / 2), y: top + i,
                       element: i == lines.count - 1 ? .muted : .warn)
        }
    }

    static func renderHeader(_ state: ConsoleState, _ layout: ConsoleLayout,
                             into buffer: inout ScreenBuffer) {
        let paused = "PAUSED  "
        let right = (state.paused ? paused : "")
            + "refresh " + RefreshInterval.label(state.refreshSeconds) + " "
        let header = StatusLine(
            left: " syntop  " + (state.context.map { "[\($0)]  " } ?? "") + "\(wireStatus(state))  \(databaseStatus(state))",
            right: right)
        header.render(into: &buffer, area: layout.header)
        let rightStart = layout.header.maxX - TextWidth.of(right)
        if state.paused && buffer[rightStart, layout.header.y].text == "P" {
            buffer.paint(Rect(x: rightStart, y: layout.header.y, width: 6, height: 1),
                         element: .warn)
        }
    }

    /// The Pokes screen's line of device-list rates per writer, above its table.
    static func ratesLine(_ state: ConsoleState) -> String {
        state.screen == .pokes ? PokesScreen.deviceListRates(state, width: state.size.width) : ""
    }

    /// Where a panel's table is drawn, of `count` panels: inside its frame, below the rates line
    /// if any. Clicks and paging use the same areas.
    public static func tableArea(_ state: ConsoleState, panel: Int, of count: Int) -> Rect {
        let layout = ConsoleLayout(size: state.size)
        let inner = layout.tableArea(panel: panel, of: count)
        guard panel == 0, state.details[state.screen] == nil, !ratesLine(state).isEmpty, inner.height > 2 else {
            return inner
        }
        return Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: inner.height - 1)
    }

    /// The database and the age of what was read from it, for the header.
    static func databaseStatus(_ state: ConsoleState) -> String {
        let database = state.database
        switch database.status {
        case nil:
            return "postgres: none"
        case .connecting(let attempt):
            return "postgres: connecting" + (attempt > 1 ? " (attempt \(attempt))" : "")
        case .ready:
            let role = database.session.map { "\($0.role)\($0.readOnly ? " read-only" : "")" } ?? "connected"
            let at = database.positions?.at
            return "postgres: \(role)" + (at.map { ", data \(TimeText.age(state.databaseNow - $0))" } ?? "")
        case .waiting(let since, let retryAt, _):
            let at = database.positions?.at
            return "postgres: DOWN since \(TimeText.clock(since, utcOffset: state.utcOffset)), retry in "
                + TimeText.age(retryAt - state.databaseNow) + (at.map { ", data \(TimeText.age(state.databaseNow - $0)) old" } ?? "")
        }
    }

    /// What Redis holds for syntop's subscription, once it grows (1 MB): syntop is falling
    /// behind, and past the limit Redis drops it.
    static func backlog(_ state: ConsoleState) -> String {
        guard let count = state.processes.subscribers, let bytes = count.ownOutputBytes, bytes >= 1 << 20 else { return "" }
        let limit = count.pubsubLimit.flatMap { $0.hard > 0 ? " of " + SizeText.bytes(Double($0.hard)) : nil } ?? ""
        return ", BEHIND: Redis holds " + SizeText.bytes(Double(bytes)) + limit
    }

    /// The replication source and its health, for the header.
    static func wireStatus(_ state: ConsoleState) -> String {
        switch state.wireSource {
        case .none:
            return "redis: not connected"
        case .live(let endpoint, let serverName, let status):
            switch status {
            case .connecting(let attempt):
                return "redis: connecting to \(endpoint)" + (attempt > 1 ? " (attempt \(attempt))" : "")
            case .ready(let since):
                return "redis: \(serverName) on \(endpoint), \(TimeText.age(state.now - since))" + backlog(state)
            case .waiting(let since, let retryAt, let error):
                return "redis: DOWN since \(TimeText.clock(since, utcOffset: state.utcOffset)) (\(error)); "
                    + "retry in \(TimeText.age(retryAt - state.now))"
            }
        case .replay(let file, let cursor):
            let name = file.split(separator: "/").last.map(String.init) ?? file
            // Where it stands in recorded time, and how far through the file.
            let at = TimeText.clock(cursor.shownTime, utcOffset: state.utcOffset)
            let end = cursor.finished ? " done" : ""
            return "replay: \(name) \(at) \(cursor.percent)% \(cursor.speed)\(end)"
        }
    }

    static func renderScreen(_ state: ConsoleState, _ layout: ConsoleLayout, panels: [Panel],
                             into buffer: inout ScreenBuffer) {
        let frames = layout.panels(count: panels.count)
        let focused = state.focusedKey.panel
        for (index, panel) in panels.enumerated() where index < frames.count {
            // With two panels, the one the keys move in is marked.
            let title = (panels.count > 1 && index == focused ? "▶ " : "") + panel.title
            let inner = Frame(title: title).render(into: &buffer, area: frames[index])
            let area = tableArea(state, panel: index, of: panels.count)
            if area.y > inner.y {
                buffer.put(ratesLine(state), x: inner.x, y: inner.y, maxWidth: inner.width, element: .sparkline)
            }
            panel.table.render(into: &buffer, area: area)
        }
    }

    static func renderStatus(_ state: ConsoleState, _ layout: ConsoleLayout, alerts: [Alert],
                             into buffer: inout ScreenBuffer) {
        let worst = ThemeElement.of(alerts.first?.level, calm: .status)
        let text: String
        let element: ThemeElement
        if let notice = state.currentNotice {
            text = notice.text
            element = .of(notice.level, calm: .status)
        } else {
            // The worst alert; the count says how many more there are.
            text = alerts.first.map { "\($0.level == .critical ? "CRIT" : "WARN") \($0.subject): \($0.message)" }
                ?? "no alerts"
            element = worst
        }
        let count = alerts.isEmpty ? "" : "alerts \(alerts.count) · "
        let right = count + "theme \(state.themeName) "
        // A long alert (an error from a process) gives way to the count, which says there are more.
        let left = alerts.isEmpty || state.currentNotice != nil ? " " + text
            : TextWidth.truncate(" " + text, to: max(10, layout.status.width - TextWidth.of(right) - 1))
        StatusLine(left: left, right: right, element: .status).render(into: &buffer, area: layout.status)
        let x = layout.status.maxX - TextWidth.of(right)
        if !alerts.isEmpty, x > 0, buffer[x, layout.status.y].text == "a" {
            buffer.paint(Rect(x: x, y: layout.status.y, width: TextWidth.of(count) - 3, height: 1), element: worst)
        }
        if element != .status {
            buffer.paint(Rect(x: layout.status.x + 1, y: layout.status.y,
                              width: min(TextWidth.of(text), layout.status.width - 1), height: 1),
                         element: element)
        }
    }

    public static func helpOverlay(offset: Int) -> HelpOverlay {
        HelpOverlay(
            title: "syntop help",
            sections: [
                HelpOverlay.Section(title: "Keys", entries: Bindings.helpEntries()),
                HelpOverlay.Section(title: "Commands", entries: Bindings.commands.map {
                    (keys: $0.usage, text: $0.help)
                }),
            ],
            footer: "mouse: click a tab or a row, wheel scrolls · ↑↓ scroll · Esc closes",
            offset: offset)
    }
}
