/// One sample of the Prometheus text format: `name{label="value",...} value [timestamp]`.
public struct MetricSample: Equatable, Sendable {
    public var name: String
    public var labels: [String: String]
    public var value: Double

    public init(_ name: String, _ labels: [String: String] = [:], _ value: Double) {
        self.name = name
        self.labels = labels
        self.value = value
    }
}

/// Reads a metrics page as it arrives, a chunk at a time, and keeps only the samples whose
/// name it was asked for: a large process's page is several MB, and what syntop shows is a few
/// dozen lines of it. Memory stays bounded by the longest line, whatever the page's size; the
/// other lines are skipped once their name is seen not to match, without decoding them.
public struct PrometheusReader: Sendable {
    /// A line longer than this is not one syntop reads (a label value of megabytes).
    public static let maximumLine = 16 * 1024

    public private(set) var samples: [MetricSample] = []
    /// Lines that are neither a sample, a comment nor empty.
    public private(set) var malformed = 0
    private let names: [[UInt8]]
    private var partial: [UInt8] = []
    private var skippingLongLine = false

    public init(names: Set<String>) {
        self.names = names.map { Array($0.utf8) }
    }

    public mutating func feed(_ chunk: UnsafeRawBufferPointer) {
        var start = 0
        while start < chunk.count {
            guard let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                keepPartial(chunk[start...])
                return
            }
            if skippingLongLine {
                skippingLongLine = false
            } else if partial.isEmpty {
                if newline - start > PrometheusReader.maximumLine {
                    malformed += 1
                } else {
                    line(UnsafeRawBufferPointer(rebasing: chunk[start..<newline]))
                }
            } else {
                keepPartial(chunk[start..<newline])
                if !skippingLongLine {
                    let whole = partial
                    whole.withUnsafeBytes { line($0) }
                }
                skippingLongLine = false
            }
            partial.removeAll(keepingCapacity: true)
            start = newline + 1
        }
    }

    public mutating func feed(_ text: String) {
        var copy = text
        copy.withUTF8 { feed(UnsafeRawBufferPointer($0)) }
    }

    /// The last line, when the page did not end in a newline.
    public mutating func finish() {
        if !partial.isEmpty && !skippingLongLine {
            let whole = partial
            whole.withUnsafeBytes { line($0) }
        }
        partial.removeAll()
        skippingLongLine = false
    }

    private mutating func keepPartial(_ bytes: Slice<UnsafeRawBufferPointer>) {
        guard !skippingLongLine else { return }
        if partial.count + bytes.count > PrometheusReader.maximumLine {
            partial.removeAll()
            skippingLongLine = true
            malformed += 1
            return
        }
        partial.append(contentsOf: bytes)
    }

    private static func isNameByte(_ byte: UInt8, first: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"),
             UInt8(ascii: ":"):
            return true
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return !first
        default:
            return false
        }
    }

    private mutating func line(_ line: UnsafeRawBufferPointer) {
        var index = 0
        // A page with Windows line ends reads the same.
        let end = line.last == UInt8(ascii: "\r") ? line.count - 1 : line.count
        func skipSpaces() {
            while index < end, line[index] == UInt8(ascii: " ") || line[index] == UInt8(ascii: "\t")
                || line[index] == UInt8(ascii: "\r") { index += 1 }
        }
        skipSpaces()
        guard index < end, line[index] != UInt8(ascii: "#") else { return }
        let nameStart = index
        while index < end, PrometheusReader.isNameByte(line[index], first: index == nameStart) { index += 1 }
        guard index > nameStart, index == end || line[index] == UInt8(ascii: "{") || line[index] == UInt8(ascii: " ")
                || line[index] == UInt8(ascii: "\t") else {
            malformed += 1
            return
        }
        let name = UnsafeRawBufferPointer(rebasing: line[nameStart..<index])
        guard names.contains(where: { $0.elementsEqual(name) }) else { return }
        var labels: [String: String] = [:]
        if index < end, line[index] == UInt8(ascii: "{") {
            index += 1
            while true {
                skipSpaces()
                guard index < end else { malformed += 1; return }
                if line[index] == UInt8(ascii: "}") { index += 1; break }
                let keyStart = index
                while index < end, PrometheusReader.isNameByte(line[index], first: index == keyStart) { index += 1 }
                let key = String(decoding: UnsafeRawBufferPointer(rebasing: line[keyStart..<index]), as: UTF8.self)
                skipSpaces()
                guard !key.isEmpty, index + 1 < end, line[index] == UInt8(ascii: "="),
                      line[index + 1] == UInt8(ascii: "\"") else { malformed += 1; return }
                index += 2
                var value: [UInt8] = []
                var closed = false
                while index < end {
                    let byte = line[index]
                    if byte == UInt8(ascii: "\\"), index + 1 < end {
                        let escaped = line[index + 1]
                        value.append(escaped == UInt8(ascii: "n") ? UInt8(ascii: "\n") : escaped)
                        index += 2
                        continue
                    }
                    index += 1
                    if byte == UInt8(ascii: "\"") { closed = true; break }
                    value.append(byte)
                }
                guard closed else { malformed += 1; return }
                labels[key] = String(decoding: value, as: UTF8.self)
                skipSpaces()
                if index < end, line[index] == UInt8(ascii: ",") { index += 1 }
            }
        }
        skipSpaces()
        let valueStart = index
        while index < end, line[index] != UInt8(ascii: " "), line[index] != UInt8(ascii: "\t") { index += 1 }
        guard let value = PrometheusReader.number(UnsafeRawBufferPointer(rebasing: line[valueStart..<index])) else {
            malformed += 1
            return
        }
        samples.append(MetricSample(String(decoding: name, as: UTF8.self), labels, value))
    }

    static func number(_ text: UnsafeRawBufferPointer) -> Double? {
        guard !text.isEmpty, text.count < 64 else { return nil }
        let string = String(decoding: text, as: UTF8.self)
        switch string {
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return Double(string)
        }
    }
}
