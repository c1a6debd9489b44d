import Terminal

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
            left: " syntop  redis: \(state.redisStatus)  postgres: \(state.databaseStatus)",
            right: right)
        header.render(into: &buffer, area: layout.header)
        let rightStart = layout.header.maxX - TextWidth.of(right)
        if state.paused && buffer[rightStart, layout.header.y].text == "P" {
            buffer.paint(Rect(x: rightStart, y: layout.header.y, width: 6, height: 1),
                         element: .warn)
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
            panel.table.render(into: &buffer, area: inner)
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
        StatusLine(left: " " + (state.notice?.text ?? "no alerts"),
                   right: "theme \(state.themeName) ", element: .status)
            .render(into: &buffer, area: layout.status)
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
