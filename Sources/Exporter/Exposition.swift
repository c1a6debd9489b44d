/// Prometheus's text exposition format (version 0.0.4), written family by family: each has its
/// HELP and TYPE lines before its samples, and label values are escaped as the format says.
public struct Exposition {
    public enum Kind: String, Sendable {
        case gauge, counter
    }

    public private(set) var text = ""
    private var names: Set<String> = []

    public init() {}

    /// Starts a family. A name is given once; samples follow with `sample`.
    public mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        precondition(names.insert(name).inserted, "family \(name) twice")
        text += "# HELP \(name) \(Exposition.escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    public mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String> = [:], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.key)=\"\(Exposition.escapeLabel($0.value))\"" }.joined(separator: ",") + "}"
        }
        text += " " + Exposition.number(value) + "\n"
    }

    public mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String> = [:], _ value: Int) {
        sample(name, labels, Double(value))
    }

    public mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String> = [:], _ value: Bool) {
        sample(name, labels, value ? 1.0 : 0.0)
    }

    /// Whole numbers without a fraction; the rest to the millisecond, which is all an age or
    /// an interval here means.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        let thousandths = (value * 1000).rounded()
        if abs(thousandths) < 1e15, thousandths != value * 1000 {
            let whole = Int64(thousandths)
            let sign = whole < 0 ? "-" : ""
            let digits = String(abs(whole))
            let padded = String(repeating: "0", count: max(0, 4 - digits.count)) + digits
            var text = sign + padded.dropLast(3) + "." + padded.suffix(3)
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
            return text
        }
        return "\(value)"
    }

    /// A label value: backslash, double quote and newline escaped.
    static func escapeLabel(_ value: String) -> String { escape(value, quote: true) }

    /// HELP text: backslash and newline escaped; a quote is itself.
    static func escapeHelp(_ value: String) -> String { escape(value, quote: false) }

    private static func escape(_ value: String, quote: Bool) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"" where quote: out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
