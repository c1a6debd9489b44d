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
