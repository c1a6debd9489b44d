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
