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
