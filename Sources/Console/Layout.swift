import Findings
import Terminal

/// Where everything goes for a terminal size. Views draw into these areas and the reducer
/// resolves mouse clicks with the same areas, so the two never disagree.
public struct ConsoleLayout: Equatable, Sendable {
    /// Below this the console shows only a "too small" message.
    public static let minimum = Size(width: 50, height: 12)

    public let size: Size
    public let header: Rect
    public let tabs: Rect
    public let body: Rect
    public let status: Rect
    public let footer: Rect

    public init(size: Size) {
        self.size = size
        let all = Rect(size)
        let (header, afterHeader) = all.splitTop(1)
        let (tabs, middle) = afterHeader.splitTop(1)
        let (upper, footer) = middle.splitBottom(1)
        let (body, status) = upper.splitBottom(1)
        self.header = header
        self.tabs = tabs
        self.body = body
        self.status = status
        self.footer = footer
    }

    public var isTooSmall: Bool {
        size.width < ConsoleLayout.minimum.width || size.height < ConsoleLayout.minimum.height
    }

    public func tabAreas() -> [Rect] {
        TabBar(titles: ScreenID.allCases.map(\.title), active: 0)
            .hitAreas(x: tabs.x, y: tabs.y, width: tabs.width)
    }

    /// The frames of a screen's panels, top to bottom: two share the body 3:2, more share it
    /// evenly (the first ones a row more when it does not divide).
    public func panels(count: Int) -> [Rect] {
        guard count > 1 else { return [body] }
        if count == 2 {
            let (top, bottom) = body.splitTop(body.height * 3 / 5)
            return [top, bottom]
        }
        var frames: [Rect] = []
        var rest = body
        for index in 0..<count {
            let left = count - index
            let (frame, after) = rest.splitTop((rest.height + left - 1) / left)
            frames.append(frame)
            rest = after
        }
        return frames
    }

    /// The area of a panel's table: inside its frame.
    public func tableArea(panel index: Int, of count: Int) -> Rect {
        let frames = panels(count: count)
        guard index < frames.count else { return Rect(x: 0, y: 0, width: 0, height: 0) }
        return frames[index].inset(1)
    }
}

extension ThemeElement {
    /// The one colour of a severity, wherever it shows: critical and warning their own, and
    /// `calm` for the rest (information, or nothing to say).
    static func of(_ severity: Severity?, calm: ThemeElement = .normal) -> ThemeElement {
        switch severity {
        case .critical: .crit
        case .warning: .warn
        case .info, nil: calm
        }
    }
}
