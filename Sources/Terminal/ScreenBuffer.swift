/// One terminal cell: a grapheme cluster and the theme element it is drawn with. A wide cluster
/// occupies two cells; the second holds an empty string.
public struct Cell: Equatable, Hashable, Sendable {
    public var text: String
    public var element: ThemeElement

    public init(_ text: String = " ", _ element: ThemeElement = .normal) {
        self.text = text
        self.element = element
    }

    public var isContinuation: Bool { text.isEmpty }
}

/// An in-memory grid of cells that views draw into. It is the only thing views know about the
/// terminal; the backend turns the difference between two buffers into curses calls.
public struct ScreenBuffer: Equatable, Sendable {
    public let size: Size
    public private(set) var cells: [Cell]
    /// Where the terminal cursor stands, when the frame wants it visible (text input).
    public var cursor: (x: Int, y: Int)?

    public init(size: Size, element: ThemeElement = .normal) {
        self.size = size
        self.cells = Array(repeating: Cell(" ", element), count: size.width * size.height)
    }

    public static func == (lhs: ScreenBuffer, rhs: ScreenBuffer) -> Bool {
        lhs.size == rhs.size && lhs.cells == rhs.cells
            && lhs.cursor?.x == rhs.cursor?.x && lhs.cursor?.y == rhs.cursor?.y
    }

    public var bounds: Rect { Rect(size) }

    public subscript(x: Int, y: Int) -> Cell {
        cells[y * size.width + x]
    }

    private func inBounds(_ x: Int, _ y: Int) -> Bool {
        x >= 0 && y >= 0 && x < size.width && y < size.height
    }

    /// Sets one cell, keeping wide characters whole: a half-overwritten wide character
    /// becomes a space.
    private mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        guard inBounds(x, y) else { return }
        let index = y * size.width + x
        if cells[index].isContinuation && x > 0 {
            cells[index - 1].text = " "
        }
        if x + 1 < size.width, cells[index + 1].isContinuation,
           TextWidth.of(cells[index].text) == 2 {
            cells[index + 1].text = " "
        }
        cells[index] = cell
    }

    /// Writes text at (x, y) into at most `maxWidth` cells (default: to the buffer's right
    /// edge), cutting with an ellipsis; never wraps. Returns the cells used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, maxWidth: Int? = nil,
                             element: ThemeElement = .normal) -> Int {
        guard y >= 0, y < size.height, x < size.width else { return 0 }
        let limit = min(maxWidth ?? (size.width - x), size.width - x)
        guard limit > 0 else { return 0 }
        let clipped = TextWidth.truncate(text, to: limit)
        var column = x
        for character in clipped {
            let printable = TextWidth.isPrintable(character)
            let shown = printable ? String(character) : String(TextWidth.replacement)
            let width = printable ? TextWidth.of(character) : 1
            if width == 0 {
                // A lone combining mark: attach nothing, show nothing.
                continue
            }
            if column >= 0 {
                set(column, y, Cell(shown, element))
                if width == 2 { set(column + 1, y, Cell("", element)) }
            }
            column += width
        }
        return column - x
    }

    /// Fills a rectangle with one character.
    public mutating func fill(_ rect: Rect, with character: Character = " ",
                              element: ThemeElement = .normal) {
        let text = String(character)
        for y in max(0, rect.y)..<min(size.height, rect.maxY) {
            for x in max(0, rect.x)..<min(size.width, rect.maxX) {
                set(x, y, Cell(text, element))
            }
        }
    }

    /// Changes the element of every cell in a rectangle, keeping the text.
    public mutating func paint(_ rect: Rect, element: ThemeElement) {
        for y in max(0, rect.y)..<min(size.height, rect.maxY) {
            for x in max(0, rect.x)..<min(size.width, rect.maxX) {
                cells[y * size.width + x].element = element
            }
        }
    }

    /// The buffer as lines of text with trailing spaces removed: what a person would read off
    /// the screen, and the form of the snapshot files.
    public func text() -> String {
        var lines: [String] = []
        for y in 0..<size.height {
            var line = ""
            for x in 0..<size.width {
                line += self[x, y].text
            }
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
