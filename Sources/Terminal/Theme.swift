/// What a colour means on screen. Themes assign styles to these, never to widgets.
public enum ThemeElement: String, CaseIterable, Hashable, Sendable {
    /// Ordinary text and the screen background.
    case normal
    case frame
    case title
    /// The screen names in the tab bar; the current one.
    case tab
    case tabActive = "tab_active"
    /// Column headings.
    case header
    case selected
    /// Secondary text: hints, empty states, stale data.
    case muted
    case ok
    case warn
    case crit
    /// A key name in the key bar and help.
    case key
    /// The status line and the top header line.
    case status
    /// The `/` and `:` input line.
    case input
    case sparkline
    /// The help overlay's body.
    case help
}

/// A colour as a theme file states it.
public enum Color: Equatable, Hashable, Sendable {
    /// The terminal's own foreground or background (a transparent background works).
    case terminalDefault
    /// One of the 16 palette colours, 0-7 normal and 8-15 bright; follows the user's palette.
    case ansi(Int)
    /// An entry of the 256-colour palette.
    case indexed(Int)
    case rgb(UInt8, UInt8, UInt8)
}

public struct Attributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = Attributes(rawValue: 1)
    public static let dim = Attributes(rawValue: 2)
    public static let underline = Attributes(rawValue: 4)
    public static let reverse = Attributes(rawValue: 8)

    static let names: [(String, Attributes)] = [
        ("bold", .bold), ("dim", .dim), ("underline", .underline), ("reverse", .reverse),
    ]
}

public struct ElementStyle: Equatable, Hashable, Sendable {
    public var foreground: Color
    public var background: Color
    public var attributes: Attributes

    public init(_ foreground: Color = .terminalDefault, on background: Color = .terminalDefault,
                _ attributes: Attributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }
}

public struct Theme: Equatable, Sendable {
    public var name: String
    public var styles: [ThemeElement: ElementStyle]

    public init(name: String, styles: [ThemeElement: ElementStyle]) {
        self.name = name
        self.styles = styles
    }

    public func style(_ element: ThemeElement) -> ElementStyle {
        styles[element] ?? Theme.builtinDefault.styles[element] ?? ElementStyle()
    }

    /// The theme every missing element falls back to; `themes/default.theme` states the same.
    public static let builtinDefault = Theme(name: "default", styles: [
        .normal: ElementStyle(),
        .frame: ElementStyle(.rgb(0x5f, 0x87, 0xaf)),
        .title: ElementStyle(.rgb(0xff, 0xd7, 0x5f), on: .terminalDefault, .bold),
        .tab: ElementStyle(.rgb(0xa8, 0xa8, 0xa8)),
        .tabActive: ElementStyle(.rgb(0x00, 0x00, 0x00), on: .rgb(0x5f, 0xaf, 0xd7), .bold),
        .header: ElementStyle(.rgb(0x87, 0xd7, 0xff), on: .terminalDefault, .bold),
        .selected: ElementStyle(.rgb(0xff, 0xff, 0xff), on: .rgb(0x30, 0x50, 0x80), .bold),
        .muted: ElementStyle(.rgb(0x80, 0x80, 0x80)),
        .ok: ElementStyle(.rgb(0x5f, 0xd7, 0x5f)),
        .warn: ElementStyle(.rgb(0xff, 0xaf, 0x00), on: .terminalDefault, .bold),
        .crit: ElementStyle(.rgb(0xff, 0x5f, 0x5f), on: .terminalDefault, .bold),
        .key: ElementStyle(.rgb(0x00, 0x00, 0x00), on: .rgb(0x87, 0xaf, 0xd7)),
        .status: ElementStyle(.rgb(0xd0, 0xd0, 0xd0), on: .rgb(0x30, 0x30, 0x30)),
        .input: ElementStyle(.rgb(0xff, 0xff, 0xff), on: .rgb(0x30, 0x30, 0x30), .bold),
        .sparkline: ElementStyle(.rgb(0x5f, 0xd7, 0xaf)),
        .help: ElementStyle(.rgb(0xe4, 0xe4, 0xe4), on: .rgb(0x26, 0x26, 0x26)),
    ])

    /// Attributes only: used whenever colour is off (NO_COLOR, --no-color, a terminal without
    /// colours); `themes/mono.theme` states the same.
    public static let builtinMono = Theme(name: "mono", styles: [
        .normal: ElementStyle(),
        .frame: ElementStyle(),
        .title: ElementStyle(.terminalDefault, on: .terminalDefault, .bold),
        .tab: ElementStyle(),
        .tabActive: ElementStyle(.terminalDefault, on: .terminalDefault, [.reverse, .bold]),
        .header: ElementStyle(.terminalDefault, on: .terminalDefault, [.bold, .underline]),
        .selected: ElementStyle(.terminalDefault, on: .terminalDefault, .reverse),
        .muted: ElementStyle(.terminalDefault, on: .terminalDefault, .dim),
        .ok: ElementStyle(),
        .warn: ElementStyle(.terminalDefault, on: .terminalDefault, .bold),
        .crit: ElementStyle(.terminalDefault, on: .terminalDefault, [.bold, .reverse]),
        .key: ElementStyle(.terminalDefault, on: .terminalDefault, .reverse),
        .status: ElementStyle(.terminalDefault, on: .terminalDefault, .reverse),
        .input: ElementStyle(.terminalDefault, on: .terminalDefault, .bold),
        .sparkline: ElementStyle(),
        .help: ElementStyle(),
    ])
}
