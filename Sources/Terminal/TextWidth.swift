import Glibc

/// Display width of text in terminal cells, as glibc's wcwidth (and so ncurses and tmux) count
/// them, independent of the process locale.
public enum TextWidth {
    /// What a character that must never reach the terminal (a control character, or one the
    /// terminal cannot show) is drawn as.
    public static let replacement: Character = "?"

    /// Width of one grapheme cluster: 0, 1 or 2. Control characters count as the one cell of
    /// their replacement.
    public static func of(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if scalars.count == 1 && first.value < 0x80 {
            return 1
        }
        var total = 0
        for (index, scalar) in scalars.enumerated() {
            let width = scalarWidth(scalar)
            if width < 0 {
                if index == 0 { return 1 } // drawn as the replacement
                continue
            }
            total += width
        }
        return min(total, 2)
    }

    public static func of<S: StringProtocol>(_ text: S) -> Int {
        // Printable ASCII, nearly every cell syntop draws: one column a byte.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text.utf8.count }
        var total = 0
        for character in text { total += of(character) }
        return total
    }

    /// Whether a character may be written to the terminal as it is.
    public static func isPrintable(_ character: Character) -> Bool {
        guard let first = character.unicodeScalars.first else { return false }
        if first.value < 0x20 || first.value == 0x7F { return false }
        if first.value < 0x80 { return true }
        return scalarWidth(first) >= 0
    }

    /// The text cut to at most `width` cells; an ellipsis marks a cut.
    public static func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        if of(text) <= width { return text }
        var result = ""
        var used = 0
        for character in text {
            let w = of(character)
            if used + w > width - 1 { break }
            result.append(character)
            used += w
        }
        return result + "…"
    }

    /// The text in lines of at most `width` cells, broken at spaces; a word longer than a line
    /// is cut where the line ends.
    public static func wrap(_ text: String, to width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var line = ""
        var used = 0
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var rest = String(word)
            var restWidth = of(rest)
            if used > 0 && used + 1 + restWidth <= width {
                line += " " + rest
                used += 1 + restWidth
                continue
            }
            if used > 0 { lines.append(line) }
            while restWidth > width {
                var head = ""
                var headWidth = 0
                for character in rest {
                    let w = of(character)
                    // A character wider than the line still goes on one, so the text gets shorter.
                    if headWidth + w > width && !head.isEmpty { break }
                    head.append(character)
                    headWidth += w
                }
                lines.append(head)
                rest = String(rest.dropFirst(head.count))
                restWidth = of(rest)
            }
            line = rest
            used = restWidth
        }
        if used > 0 || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// The text padded with spaces or cut to exactly `width` cells.
    public static func fit(_ text: String, to width: Int, alignment: Alignment = .left) -> String {
        let cut = truncate(text, to: width)
        let padding = String(repeating: " ", count: max(0, width - of(cut)))
        switch alignment {
        case .left: return cut + padding
        case .right: return padding + cut
        case .centre:
            let left = padding.count / 2
            return String(repeating: " ", count: left) + cut
                + String(repeating: " ", count: padding.count - left)
        }
    }

    private static func scalarWidth(_ scalar: Unicode.Scalar) -> Int {
        let width = Int(utf8Width(scalar.value))
        if width == -2 {
            // No UTF-8 locale on the machine: a conservative guess that keeps layouts intact.
            return scalar.properties.isEmojiPresentation ? 2 : 1
        }
        return width
    }
}

public enum Alignment: Sendable, Equatable {
    case left, right, centre
}

/// The C.UTF-8 locale, made once: widths are glibc's (as ncurses and tmux count them) whatever
/// the process's locale is. Only read after it is made.
nonisolated(unsafe) private let utf8Locale: locale_t? = newlocale(Int32(1 << LC_CTYPE), "C.UTF-8", nil)

/// glibc's wcwidth, which its Swift module leaves out (it is an X/Open function): found by name.
private let wcwidthFunction: (@convention(c) (Int32) -> Int32)? =
    dlsym(UnsafeMutableRawPointer(bitPattern: 0), "wcwidth").map { unsafeBitCast($0, to: (@convention(c) (Int32) -> Int32).self) }

/// wcwidth() of a scalar under C.UTF-8: -1 for a non-printable one, -2 without that locale.
private func utf8Width(_ scalar: UInt32) -> Int32 {
    guard let utf8Locale, let wcwidthFunction else { return -2 }
    let previous = uselocale(utf8Locale)
    defer { uselocale(previous) }
    return wcwidthFunction(Int32(bitPattern: scalar))
}
