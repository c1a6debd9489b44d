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
