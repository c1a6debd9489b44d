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
