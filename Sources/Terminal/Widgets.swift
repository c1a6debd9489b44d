/// Box-drawing characters; the backend shows them as ASCII where the locale is not UTF-8.
enum Box {
    static let horizontal = "─"
    static let vertical = "│"
    static let topLeft = "┌"
    static let topRight = "┐"
    static let bottomLeft = "└"
    static let bottomRight = "┘"
}

/// A box with a title in its top border.
public struct Frame: Sendable {
    public var title: String
    public var focused: Bool

    public init(title: String, focused: Bool = true) {
        self.title = title
        self.focused = focused
    }

    /// Draws the frame and returns the area inside it.
    @discardableResult
    public func render(into buffer: inout ScreenBuffer, area: Rect) -> Rect {
        guard area.width >= 2, area.height >= 2 else { return Rect(x: area.x, y: area.y, width: 0, height: 0) }
        let element: ThemeElement = focused ? .frame : .muted
        let inner = String(repeating: Box.horizontal, count: area.width - 2)
        buffer.put(Box.topLeft + inner + Box.topRight, x: area.x, y: area.y, element: element)
        for y in (area.y + 1)..<(area.maxY - 1) {
            buffer.put(Box.vertical, x: area.x, y: y, element: element)
            buffer.put(Box.vertical, x: area.maxX - 1, y: y, element: element)
        }
        buffer.put(Box.bottomLeft + inner + Box.bottomRight, x: area.x, y: area.maxY - 1,
                   element: element)
        if !title.isEmpty && area.width > 6 {
            buffer.put(" " + title + " ", x: area.x + 2, y: area.y, maxWidth: area.width - 3,
                       element: .title)
        }
        return area.inset(1)
    }
}

public struct TableColumn: Sendable, Equatable {
    public enum Width: Sendable, Equatable {
        case fixed(Int)
        /// Takes what its content needs from the room left by fixed columns; `min` is what it
        /// needs to be shown at all (less when its content is narrower). Where the room is short,
        /// columns share it by weight, and short content is whole first.
        case flexible(min: Int, weight: Int)
        /// As flexible, and also takes what is left once every column's content fits (flags,
        /// users, rooms: the text an operator reads first).
        case fill(min: Int, weight: Int)
    }

    public var title: String
    public var width: Width
    public var alignment: Alignment

    public init(_ title: String, _ width: Width, _ alignment: Alignment = .left) {
        self.title = title
        self.width = width
        self.alignment = alignment
    }
}

public struct TableCell: Sendable, Equatable {
    public var text: String
    /// Overrides the row's element (for an alert in one column).
    public var element: ThemeElement?

    public init(_ text: String, _ element: ThemeElement? = nil) {
        self.text = text
        self.element = element
    }
}

public struct TableRow: Sendable, Equatable {
    public var cells: [TableCell]
    public var element: ThemeElement
    /// Text drawn across every column after the first, instead of cells there (a marker row).
    public var spanning: String?
    /// What the row stands for, for whoever opens it (a user ID, a destination); not drawn.
    public var tag: String?

    public init(_ cells: [TableCell], element: ThemeElement = .normal, tag: String? = nil) {
        self.cells = cells
        self.element = element
        self.tag = tag
    }

    public init(first: TableCell, spanning: String, element: ThemeElement) {
        self.cells = [first]
        self.element = element
        self.spanning = spanning
    }
}

public struct SortOrder: Sendable, Equatable {
    public var column: Int
    public var ascending: Bool

    public init(column: Int, ascending: Bool) {
        self.column = column
        self.ascending = ascending
    }
}

/// Columns with widths and alignment, a heading row, a selected row and a scroll offset.
public struct Table: Sendable {
    public var columns: [TableColumn]
    public var rows: [TableRow]
    public var selection: Int?
    public var offset: Int
    public var sort: SortOrder?
    /// What the body says when there are no rows.
    public var emptyMessage: [String]

    public init(columns: [TableColumn], rows: [TableRow], selection: Int? = nil, offset: Int = 0,
                sort: SortOrder? = nil, emptyMessage: [String] = []) {
        self.columns = columns
        self.rows = rows
        self.selection = selection
        self.offset = offset
        self.sort = sort
        self.emptyMessage = emptyMessage
    }

    /// Column widths for a total width: fixed ones first, then every flexible column's minimum;
    /// columns that do not fit get width 0. One space separates columns. The room left goes to
    /// flexible columns by weight, each up to what its `content` needs (without `content`, as
    /// much as its weight gives it); what is still left goes to the fill columns.
    public static func widths(_ columns: [TableColumn], total: Int, content: [Int]? = nil) -> [Int] {
        var widths = Array(repeating: 0, count: columns.count)
        var remaining = total
        for (i, column) in columns.enumerated() {
            let separator = i == 0 ? 0 : 1
            let wanted: Int
            switch column.width {
            case .fixed(let n): wanted = n
            case .flexible(let minimum, _), .fill(let minimum, _):
                // Content narrower than the minimum needs no more than itself.
                wanted = content.map { i < $0.count ? min(minimum, $0[i]) : minimum } ?? minimum
            }
            if wanted + separator > remaining { break }
            widths[i] = wanted
            remaining -= wanted + separator
        }
        func weight(_ index: Int) -> Int {
            switch columns[index].width {
            case .fixed: 0
            case .flexible(_, let weight), .fill(_, let weight): max(1, weight)
            }
        }
        let flexible = columns.indices.filter { weight($0) > 0 && widths[$0] > 0 }
        let need = columns.indices.map { index -> Int in
            guard let content else { return Int.max }
            return max(widths[index], index < content.count ? content[index] : 0)
        }
        // Rounds of weighted shares, each capped by what the column needs, until the room or
        // the needs run out: short content ends whole, long content shares what remains.
        var wanting = flexible.filter { widths[$0] < need[$0] }
        while remaining > 0 && !wanting.isEmpty {
            remaining -= share(remaining, among: wanting, weight: weight, widths: &widths, cap: need)
            wanting = wanting.filter { widths[$0] < need[$0] }
        }
        // Without content every column is wanting until the room runs out; with it, what is
        // left goes to the fill columns, or stays blank on the right when there are none.
        let fill = flexible.filter {
            if case .fill = columns[$0].width { return true }
            return false
        }
        if remaining > 0 {
            _ = share(remaining, among: fill, weight: weight, widths: &widths,
                      cap: Array(repeating: Int.max, count: columns.count))
        }
        return widths
    }

    /// Gives `room` to `columns` by weight (the last one takes the rounding), each at most up to
    /// its cap; returns what was given.
    private static func share(_ room: Int, among columns: [Int], weight: (Int) -> Int, widths: inout [Int],
                              cap: [Int]) -> Int {
        guard !columns.isEmpty else { return 0 }
        let totalWeight = columns.map(weight).reduce(0, +)
        var given = 0
        var portioned = 0
        for (k, index) in columns.enumerated() {
            // The portions add up to the room (the last takes the rounding); what a capped column
            // leaves of its portion goes round again, by weight, not to the last column.
            let portion = k == columns.count - 1 ? room - portioned : room * weight(index) / totalWeight
            portioned += portion
            let granted = min(portion, cap[index] - widths[index])
            widths[index] += granted
            given += granted
        }
        if given == 0, let heaviest = columns.max(by: { weight($0) < weight($1) }) {
            // Shares rounded to nothing: one cell at a time, to the heaviest.
            widths[heaviest] += 1
            given = 1
        }
        return given
    }

    /// The width each column's heading and cells need (the sort mark included).
    public func contentWidths() -> [Int] {
        var widths = columns.enumerated().map { index, column in
            TextWidth.of(column.title) + (sort?.column == index ? 1 : 0)
        }
        for row in rows where row.spanning == nil {
            for (index, cell) in row.cells.enumerated() where index < widths.count {
                widths[index] = max(widths[index], TextWidth.of(cell.text))
            }
        }
        return widths
    }

    /// The offset that keeps the selected row visible, moving as little as possible.
    public static func scrollOffset(selection: Int?, offset: Int, rowCount: Int,
                                    visibleRows: Int) -> Int {
        guard visibleRows > 0, rowCount > 0 else { return 0 }
        var result = min(max(0, offset), max(0, rowCount - visibleRows))
        if let selection {
            if selection < result { result = selection }
            if selection >= result + visibleRows { result = selection - visibleRows + 1 }
        }
        return result
    }

    /// Rows of the body for an area (the heading takes the first row).
    public static func visibleRows(in area: Rect) -> Int { max(0, area.height - 1) }

    public func render(into buffer: inout ScreenBuffer, area: Rect) {
        guard !area.isEmpty else { return }
        let widths = Table.widths(columns, total: area.width, content: contentWidths())
        var x = area.x
        for (i, column) in columns.enumerated() where widths[i] > 0 {
            var title = column.title
            if let sort, sort.column == i { title += sort.ascending ? "▲" : "▼" }
            buffer.put(TextWidth.fit(title, to: widths[i], alignment: column.alignment),
                       x: x, y: area.y, maxWidth: widths[i], element: .header)
            x += widths[i] + 1
        }
        let body = Rect(x: area.x, y: area.y + 1, width: area.width, height: area.height - 1)
        guard !rows.isEmpty else {
            for (i, line) in emptyMessage.enumerated() where i < body.height {
                buffer.put(line, x: body.x + 1, y: body.y + i, maxWidth: body.width - 1,
                           element: .muted)
            }
            return
        }
        let first = Table.scrollOffset(selection: selection, offset: offset, rowCount: rows.count,
                                       visibleRows: body.height)
        for line in 0..<body.height {
            let index = first + line
            guard index < rows.count else { break }
            let row = rows[index]
            let selected = index == selection
            let y = body.y + line
            if selected { buffer.fill(body.row(line), element: .selected) }
            var cx = body.x
            if let spanning = row.spanning {
                let first = row.cells.first ?? TableCell("")
                let used = buffer.put(TextWidth.fit(first.text, to: widths[0]), x: cx, y: y, maxWidth: widths[0],
                                      element: selected ? .selected : (first.element ?? row.element))
                buffer.put(spanning, x: cx + used + 1, y: y, maxWidth: max(0, body.width - used - 1),
                           element: selected ? .selected : row.element)
                continue
            }
            for (i, column) in columns.enumerated() where widths[i] > 0 {
                let cell = i < row.cells.count ? row.cells[i] : TableCell("")
                let element = selected ? .selected : (cell.element ?? row.element)
                buffer.put(TextWidth.fit(cell.text, to: widths[i], alignment: column.alignment),
                           x: cx, y: y, maxWidth: widths[i], element: element)
                cx += widths[i] + 1
            }
        }
    }
}

/// Values as a row of block characters, newest on the right, scaled to the largest.
public struct Sparkline: Sendable {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    public var values: [Double]

    public init(_ values: [Double]) { self.values = values }

    public func text(width: Int) -> String {
        guard width > 0 else { return "" }
        let shown = values.suffix(width)
        let top = shown.max() ?? 0
        var result = String(repeating: " ", count: width - shown.count)
        for value in shown {
            if top <= 0 || value <= 0 {
                result.append(Sparkline.blocks[0])
            } else {
                let level = Int((value / top * Double(Sparkline.blocks.count - 1)).rounded())
                result.append(Sparkline.blocks[min(max(level, 0), Sparkline.blocks.count - 1)])
            }
        }
        return result
    }

    public func render(into buffer: inout ScreenBuffer, area: Rect) {
        buffer.put(text(width: area.width), x: area.x, y: area.y, maxWidth: area.width,
                   element: .sparkline)
    }
}

/// The row of screen names; `hitAreas` tells which tab a click lands on.
public struct TabBar: Sendable {
    public var titles: [String]
    public var active: Int

    public init(titles: [String], active: Int) {
        self.titles = titles
        self.active = active
    }

    public func labels() -> [String] {
        titles.enumerated().map { " \($0.offset + 1) \($0.element) " }
    }

    /// The cells each tab takes in a row starting at `x`.
    public func hitAreas(x: Int, y: Int, width: Int) -> [Rect] {
        var column = x
        var areas: [Rect] = []
        for label in labels() {
            let w = min(TextWidth.of(label), max(0, x + width - column))
            areas.append(Rect(x: column, y: y, width: w, height: 1))
            column += w + 1
        }
        return areas
    }

    public func render(into buffer: inout ScreenBuffer, area: Rect) {
        let areas = hitAreas(x: area.x, y: area.y, width: area.width)
        for (i, label) in labels().enumerated() where areas[i].width > 0 {
            buffer.put(label, x: areas[i].x, y: area.y, maxWidth: areas[i].width,
                       element: i == active ? .tabActive : .tab)
        }
    }
}

/// One line with text on the left and on the right, the left side winning when both do not fit.
public struct StatusLine: Sendable {
    public var left: String
    public var right: String
    public var element: ThemeElement

    public init(left: String, right: String = "", element: ThemeElement = .status) {
        self.left = left
        self.right = right
        self.element = element
    }

    public func render(into buffer: inout ScreenBuffer, area: Rect) {
        guard !area.isEmpty else { return }
        buffer.fill(area.row(0), element: element)
        let used = buffer.put(left, x: area.x, y: area.y, maxWidth: area.width, element: element)
        let rightWidth = TextWidth.of(right)
        if rightWidth > 0 && used + rightWidth + 1 <= area.width {
            buffer.put(right, x: area.maxX - rightWidth, y: area.y, element: element)
        }
    }
}

/// Key hints: each key drawn as a key, then its label.
public struct KeyBar: Sendable {
    public var hints: [(key: String, label: String)]

    public init(_ hints: [(key: String, label: String)]) { self.hints = hints }

    public func render(into buffer: inout ScreenBuffer, area: Rect) {
        guard !area.isEmpty else { return }
        var x = area.x
        for hint in hints {
            let needed = TextWidth.of(hint.key) + TextWidth.of(hint.label) + 2
            if x + needed > area.maxX { break }
            x += buffer.put(hint.key, x: x, y: area.y, element: .key)
            x += buffer.put(" " + hint.label + " ", x: x, y: area.y, element: .normal)
        }
    }
}

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

/// A one-line text input after a prompt (`/` or `:`); shows the end of text that is too long
/// and puts the cursor after it.
public struct InputLine: Sendable {
    public var prompt: String
    public var text: String

    public init(prompt: String, text: String) {
        self.prompt = prompt
        self.text = text
    }

    public func render(into buffer: inout ScreenBuffer, area: Rect) {
        guard !area.isEmpty else { return }
        buffer.fill(area.row(0), element: .input)
        let promptWidth = buffer.put(prompt, x: area.x, y: area.y, element: .input)
        let room = area.width - promptWidth - 1
        guard room > 0 else { return }
        var shown = text
        while TextWidth.of(shown) > room { shown.removeFirst() }
        let used = buffer.put(shown, x: area.x + promptWidth, y: area.y, maxWidth: room,
                              element: .input)
        buffer.cursor = (area.x + promptWidth + used, area.y)
    }
}
