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
        renderScreen(state, layout, into: &buffer)
        renderStatus(state, layout, into: &buffer)
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
            left: " syntop  \(wireStatus(state))  postgres: \(state.databaseStatus)",
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
        state.screen == .pokes ? WireRows.deviceListRates(state, width: state.size.width) : ""
    }

    /// Where the primary table is drawn: inside its frame, below the rates line if any. Clicks
    /// and paging use the same area.
    public static func primaryTableArea(_ state: ConsoleState) -> Rect {
        let layout = ConsoleLayout(size: state.size)
        let inner = layout.tableArea(panel: 0, of: ScreenContent.panelCount(state.screen))
        guard !ratesLine(state).isEmpty, inner.height > 2 else { return inner }
        return Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: inner.height - 1)
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
            case .subscribed(let since):
                return "redis: \(serverName) on \(endpoint), \(WireRows.age(state.now - since))"
            case .waiting(let since, let retryAt, let error):
                return "redis: DOWN since \(WireRows.clock(since, utcOffset: state.utcOffset)) (\(error)); "
                    + "retry in \(WireRows.age(retryAt - state.now))"
            }
        case .replay(let file, let cursor):
            let name = file.split(separator: "/").last.map(String.init) ?? file
            let percent = cursor.total == 0 ? 100 : cursor.next * 100 / cursor.total
            let end = cursor.finished ? " done" : ""
            return "replay: \(name) \(cursor.next)/\(cursor.total) \(percent)% \(cursor.speed)\(end)"
        }
    }

    static func renderScreen(_ state: ConsoleState, _ layout: ConsoleLayout,
                             into buffer: inout ScreenBuffer) {
        let panels = ScreenContent.panels(for: state.screen, in: state)
        let frames = layout.panels(count: panels.count)
        let filter = state.filter(state.screen)
        for (index, panel) in panels.enumerated() where index < frames.count {
            var title = panel.title
            if index == 0 && !filter.isEmpty { title += "  filter: " + filter }
            let inner = Frame(title: title).render(into: &buffer, area: frames[index])
            var tableArea = inner
            if index == 0 {
                let rates = ratesLine(state)
                if !rates.isEmpty {
                    buffer.put(rates, x: inner.x, y: inner.y, maxWidth: inner.width, element: .sparkline)
                    tableArea = primaryTableArea(state)
                }
            }
            panel.table.render(into: &buffer, area: tableArea)
        }
    }

    static func renderStatus(_ state: ConsoleState, _ layout: ConsoleLayout,
                             into buffer: inout ScreenBuffer) {
        let element: ThemeElement
        switch state.notice?.level {
        case .warn: element = .warn
        case .crit: element = .crit
        default: element = .status
        }
        let wire = state.displayedWire
        let restarts = wire.positions.values.filter { $0.restarts > 0 }.count
        let malformed = wire.malformed.values.reduce(0, +)
        var alerts: [String] = []
        if restarts > 0 { alerts.append("\(restarts) writer(s) restarted") }
        if malformed > 0 { alerts.append("\(malformed) malformed line(s)") }
        if wire.disconnectedSince != nil { alerts.append("replication connection lost") }
        let summary = alerts.isEmpty ? "no alerts" : alerts.joined(separator: ", ")
        let count = alerts.isEmpty ? "" : "alerts \(alerts.count) · "
        StatusLine(left: " " + (state.notice?.text ?? summary),
                   right: count + "theme \(state.themeName) ", element: .status)
            .render(into: &buffer, area: layout.status)
        if !alerts.isEmpty {
            let countWidth = TextWidth.of(count)
            let x = layout.status.maxX - TextWidth.of(count + "theme \(state.themeName) ")
            if x > 0 && buffer[x, layout.status.y].text == "a" { buffer.paint(Rect(x: x, y: layout.status.y, width: countWidth - 3, height: 1), element: .crit) }
        }
        if element != .status, let text = state.notice?.text {
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
