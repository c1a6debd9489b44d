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
    /// In a table of folded rows: how deep the row is (its parent is the nearest row above with
    /// a smaller depth), and, for a row that has rows under it, the key its folding is kept by.
    public var depth = 0
    public var foldKey: String?

    public init(_ cells: [TableCell], element: ThemeElement = .normal, tag: String? = nil,
                depth: Int = 0, foldKey: String? = nil) {
        self.cells = cells
        self.element = element
        self.tag = tag
        self.depth = depth
        self.foldKey = foldKey
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
