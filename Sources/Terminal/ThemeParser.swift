/// A problem in a theme file, with where it is.
public struct ThemeIssue: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}

/// Reads the theme file format: one `element = value` per line, `#` starts a comment.
/// A value is any of the attribute words (bold, dim, underline, reverse), then an optional
/// foreground colour, then optionally `on` and a background colour. A colour is `#rrggbb`,
/// a palette index 0-255, an ANSI colour name, or `default`.
/// A line with a problem is reported and skipped, so that element falls back to the built-in
/// default theme.
public enum ThemeParser {
    static let ansiNames: [String: Int] = {
        let base = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]
        var names: [String: Int] = [:]
        for (index, name) in base.enumerated() {
            names[name] = index
            names["bright-" + name] = index + 8
            names["bright" + name] = index + 8
        }
        names["gray"] = 8
        names["grey"] = 8
        return names
    }()

    public static func parse(_ text: String, name: String, file: String) -> (Theme, [ThemeIssue]) {
        var styles: [ThemeElement: ElementStyle] = [:]
        var issues: [ThemeIssue] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Substring(rawLine)
            if let hash = commentStart(line) { line = line[..<hash] }
            let trimmed = line.trimmingSpaces()
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                issues.append(ThemeIssue(file: file, line: lineNumber,
                                         message: "expected 'element = value'"))
                continue
            }
            let key = trimmed[..<equals].trimmingSpaces()
            let value = trimmed[trimmed.index(after: equals)...].trimmingSpaces()
            guard let element = ThemeElement(rawValue: String(key)) else {
                let known = ThemeElement.allCases.map(\.rawValue).joined(separator: ", ")
                issues.append(ThemeIssue(file: file, line: lineNumber,
                                         message: "unknown element '\(key)' (known: \(known))"))
                continue
            }
            if styles[element] != nil {
                issues.append(ThemeIssue(file: file, line: lineNumber,
                                         message: "'\(key)' is set twice; the later line wins"))
            }
            switch parseStyle(value) {
            case .success(let style): styles[element] = style
            case .failure(let problem):
                issues.append(ThemeIssue(file: file, line: lineNumber,
                                         message: "\(key): \(problem.message)"))
            }
        }
        return (Theme(name: name, styles: styles), issues)
    }

    struct ValueProblem: Error { var message: String }

    /// `#` starts a comment unless it begins a `#rrggbb` colour.
    private static func commentStart(_ line: Substring) -> Substring.Index? {
        var index = line.startIndex
        while index < line.endIndex {
            if line[index] == "#" {
                let rest = line[line.index(after: index)...]
                let hex = rest.prefix(while: { $0.isHexDigit })
                let previous = index > line.startIndex ? line[line.index(before: index)] : " "
                let startsColour = hex.count == 6 && (previous == " " || previous == "\t"
                    || previous == "=")
                if !startsColour { return index }
            }
            index = line.index(after: index)
        }
        return nil
    }

    static func parseStyle(_ value: Substring) -> Result<ElementStyle, ValueProblem> {
        var style = ElementStyle()
        var foregroundSet = false
        var expectBackground = false
        var backgroundSet = false
        let words = value.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if words.isEmpty { return .failure(ValueProblem(message: "no value")) }
        for word in words {
            let lower = word.lowercased()
            if expectBackground {
                guard let colour = parseColour(lower) else {
                    return .failure(ValueProblem(message: "bad background colour '\(word)'"))
                }
                style.background = colour
                expectBackground = false
                backgroundSet = true
                continue
            }
            if let attribute = Attributes.names.first(where: { $0.0 == lower })?.1 {
                style.attributes.insert(attribute)
            } else if lower == "on" {
                if backgroundSet {
                    return .failure(ValueProblem(message: "two background colours"))
                }
                expectBackground = true
            } else if let colour = parseColour(lower) {
                if foregroundSet {
                    return .failure(ValueProblem(
                        message: "two foreground colours; write 'on' before a background"))
                }
                style.foreground = colour
                foregroundSet = true
            } else {
                return .failure(ValueProblem(message: "bad value '\(word)' (expected a colour "
                    + "#rrggbb, 0-255, an ANSI name or default, or bold, dim, underline, reverse)"))
            }
        }
        if expectBackground { return .failure(ValueProblem(message: "'on' without a colour")) }
        return .success(style)
    }

    static func parseColour(_ word: String) -> Color? {
        if word == "default" { return .terminalDefault }
        if let index = ansiNames[word] { return .ansi(index) }
        if word.hasPrefix("#") {
            let hex = word.dropFirst()
            guard hex.count == 6, let value = UInt32(hex, radix: 16) else { return nil }
            return .rgb(UInt8(value >> 16), UInt8((value >> 8) & 0xff), UInt8(value & 0xff))
        }
        if let index = Int(word), (0...255).contains(index) {
            return index < 16 ? .ansi(index) : .indexed(index)
        }
        return nil
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" || first == "\r" {
            result = result.dropFirst()
        }
        while let last = result.last, last == " " || last == "\t" || last == "\r" {
            result = result.dropLast()
        }
        return result
    }
}
