/// Python's `int(text)`, which Synapse calls on every number of a token: what it accepts is
/// what a token may hold, so syntop reads the same text to the same value or refuses it.
///
/// Python (3.11, as Synapse runs it) reads each code point below 127 as itself, any other
/// whitespace as a space and any other decimal digit (`٥`, `５`) as its ASCII digit; then it
/// takes ASCII whitespace around, one sign, and digits with single underscores between them,
/// up to 4300 digits.
public enum PythonInteger: Equatable, Sendable {
    case value(Int64)
    /// Python reads it, but it does not fit 64 bits: the digits as Python would print them.
    case beyond(String)
    /// More than Python's 4300 digits: Python refuses it.
    case overDigitLimit
    case invalid

    /// Python's own limit on the digits of a number it reads from text.
    public static let digitLimit = 4300

    public static func read<Scalars: Collection<Unicode.Scalar>>(_ text: Scalars) -> PythonInteger {
        var ascii: [UInt8] = []
        ascii.reserveCapacity(text.count)
        for scalar in text {
            if scalar.value < 127 {
                ascii.append(UInt8(scalar.value))
            } else if isPythonSpace(scalar) {
                ascii.append(UInt8(ascii: " "))
            } else if let digit = decimalValue(scalar) {
                ascii.append(UInt8(ascii: "0") + digit)
            } else {
                return .invalid
            }
        }
        var start = ascii.startIndex
        var end = ascii.endIndex
        while start < end, isASCIISpace(ascii[start]) { start += 1 }
        while end > start, isASCIISpace(ascii[end - 1]) { end -= 1 }
        var negative = false
        if start < end, ascii[start] == UInt8(ascii: "-") || ascii[start] == UInt8(ascii: "+") {
            negative = ascii[start] == UInt8(ascii: "-")
            start += 1
        }
        var digits: [UInt8] = []
        var previousWasDigit = false
        for byte in ascii[start..<end] {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits.append(byte)
                previousWasDigit = true
            } else if byte == UInt8(ascii: "_") && previousWasDigit {
                previousWasDigit = false
            } else {
                return .invalid
            }
        }
        guard previousWasDigit else { return .invalid }
        guard digits.count <= digitLimit else { return .overDigitLimit }
        // Accumulated negatively, so that -2^63 itself fits.
        var value: Int64 = 0
        for digit in digits {
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowMinus) = times.subtractingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            if overflowTimes || overflowMinus { return .beyond(printed(digits, negative: negative)) }
            value = next
        }
        if negative { return .value(value) }
        guard value != .min else { return .beyond(printed(digits, negative: false)) }
        return .value(-value)
    }

    private static func printed(_ digits: [UInt8], negative: Bool) -> String {
        let significant = digits.drop { $0 == UInt8(ascii: "0") }
        return (negative ? "-" : "") + String(decoding: significant, as: UTF8.self)
    }

    /// `str.isdigit()`, which Synapse asks of a multi-writer position's first character: a
    /// decimal digit or another digit (`²`), though `int` then reads only the decimal ones.
    public static func isPythonDigit(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.numericType {
        case .decimal?, .digit?: true
        default: false
        }
    }

    private static func decimalValue(_ scalar: Unicode.Scalar) -> UInt8? {
        guard scalar.properties.numericType == .decimal, let value = scalar.properties.numericValue,
              value >= 0, value <= 9 else { return nil }
        return UInt8(value)
    }

    private static func isASCIISpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    /// Python's whitespace above ASCII (`str.isspace`), which `int` reads as a space.
    private static func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }
}
