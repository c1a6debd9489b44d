/// A centred box listing sections of (keys, description) lines, scrolled by `offset` when it
/// is taller than the screen.
public struct HelpOverlay: Sendable {
    public struct Section: Sendable {
        public var title: String
        public var entries: [(keys: String, text: String)]
        public init(title: String, entries: [(keys: String, text: String)]) {
            self.title = title
            self.entries = entries
        }
    }

    public var title: String
    public var sections: [Section]
    public var footer: String
    public var offset: Int

    public init(title: String, sections: [Section], footer: String, offset: Int = 0) {
        self.title = title
        self.sections = sections
        self.footer = footer
        self.offset = offset
    }

    public func lines() -> [(String, ThemeElement)] {
        var result: [(String, ThemeElement)] = []
        for section in sections {
            let keyWidth = section.entries.map { TextWidth.of($0.keys) }.max() ?? 0
            if !result.isEmpty { result.append(("", .help)) }
            result.append((section.title, .header))
            for entry in section.entries {
                result.append((TextWidth.fit(entry.keys, to: keyWidth) + "  " + entry.text, .help))
            }
        }
        return result
    }

    private func box(in area: Rect) -> Rect {
        let body = lines()
        let contentWidth = max(body.map { TextWidth.of($0.0) }.max() ?? 0, TextWidth.of(footer))
        return area.centred(width: contentWidth + 4, height: body.count + 3)
    }

    /// How many lines fit at once in an area (the footer takes one row of the box).
    public func visibleLines(in area: Rect) -> Int {
        max(0, box(in: area).height - 3)
    }

    public func render(into buffer: inout ScreenBuffer, area: Rect) {
        let body = lines()
        let frame = box(in: area)
        buffer.fill(frame, element: .help)
        let inner = Frame(title: title).render(into: &buffer, area: frame)
        let visible = visibleLines(in: area)
        let first = min(max(0, offset), max(0, body.count - visible))
        for (i, line) in body.dropFirst(first).prefix(visible).enumerated() {
            buffer.put(line.0, x: inner.x + 1, y: inner.y + i, maxWidth: inner.width - 1,
                       element: line.1)
        }
        if inner.height > 0 {
            let more = first + visible < body.count ? "more below · " : ""
            buffer.put(more + footer, x: inner.x + 1, y: inner.maxY - 1, maxWidth: inner.width - 1,
                       element: .muted)
        }
    }
}
