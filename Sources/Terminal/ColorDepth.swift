/// How many colours the terminal can show.
public enum ColorDepth: String, CaseIterable, Sendable, Equatable {
    case mono
    case ansi8 = "8"
    case ansi16 = "16"
    case palette256 = "256"

    /// The depth for a terminal that reports `colors` colours. NO_COLOR (any non-empty value)
    /// turns colour off.
    public static func detect(colors: Int, noColor: String?) -> ColorDepth {
        if let noColor, !noColor.isEmpty { return .mono }
        if colors >= 256 { return .palette256 }
        if colors >= 16 { return .ansi16 }
        if colors >= 8 { return .ansi8 }
        return .mono
    }
}

/// A style as the terminal can draw it: palette indices (-1 = the terminal's default).
public struct ResolvedStyle: Equatable, Hashable, Sendable {
    public var foreground: Int
    public var background: Int
    public var attributes: Attributes
}

public enum ColorMapping {
    /// xterm's default values of the 16 palette colours, used to find the nearest one.
    static let ansiRGB: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0),
        (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0),
        (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]
    static let cubeLevels = [0, 95, 135, 175, 215, 255]

    public static func rgb(ofIndex index: Int) -> (Int, Int, Int) {
        switch index {
        case 0..<16: return ansiRGB[index]
        case 16..<232:
            let n = index - 16
            return (cubeLevels[n / 36], cubeLevels[(n / 6) % 6], cubeLevels[n % 6])
        default:
            let grey = 8 + 10 * (min(index, 255) - 232)
            return (grey, grey, grey)
        }
    }

    static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let dr = a.0 - b.0, dg = a.1 - b.1, db = a.2 - b.2
        return dr * dr + dg * dg + db * db
    }

    /// Nearest entry of the 6x6x6 cube or the grey ramp; the first 16 are left out because they
    /// follow the user's palette and may be anything.
    public static func nearest256(_ r: Int, _ g: Int, _ b: Int) -> Int {
        func level(_ v: Int) -> Int {
            var best = 0
            for (i, l) in cubeLevels.enumerated() where abs(l - v) < abs(cubeLevels[best] - v) {
                best = i
            }
            return best
        }
        let cube = 16 + 36 * level(r) + 6 * level(g) + level(b)
        let average = (r + g + b) / 3
        let greyStep = max(0, min(23, (average - 3) / 10))
        let grey = 232 + greyStep
        let target = (r, g, b)
        return distance(rgb(ofIndex: grey), target) < distance(rgb(ofIndex: cube), target)
            ? grey : cube
    }

    public static func nearestANSI(_ r: Int, _ g: Int, _ b: Int, count: Int) -> Int {
        var best = 0
        for index in 0..<count
        where distance(ansiRGB[index], (r, g, b)) < distance(ansiRGB[best], (r, g, b)) {
            best = index
        }
        return best
    }

    /// The palette index for a colour at a depth; -1 for the terminal's default.
    public static func index(of colour: Color, depth: ColorDepth) -> Int {
        switch (colour, depth) {
        case (_, .mono), (.terminalDefault, _): return -1
        case (.ansi(let n), .ansi8): return n % 8
        case (.ansi(let n), _): return n
        case (.indexed(let n), .palette256): return n
        case (.indexed(let n), .ansi16):
            let (r, g, b) = rgb(ofIndex: n)
            return nearestANSI(r, g, b, count: 16)
        case (.indexed(let n), .ansi8):
            let (r, g, b) = rgb(ofIndex: n)
            return nearestANSI(r, g, b, count: 8)
        case (.rgb(let r, let g, let b), .palette256): return nearest256(Int(r), Int(g), Int(b))
        case (.rgb(let r, let g, let b), .ansi16): return nearestANSI(Int(r), Int(g), Int(b), count: 16)
        case (.rgb(let r, let g, let b), .ansi8): return nearestANSI(Int(r), Int(g), Int(b), count: 8)
        }
    }

    public static func resolve(_ style: ElementStyle, depth: ColorDepth) -> ResolvedStyle {
        ResolvedStyle(foreground: index(of: style.foreground, depth: depth),
                      background: index(of: style.background, depth: depth),
                      attributes: style.attributes)
    }
}
