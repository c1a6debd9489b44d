/// The recording format: one message per line, `<unix seconds>\t<channel>\t<message exactly as
/// published>`; lines starting with `#` are comments. Access tokens (of USER_IP lines and of
/// token-keyed cache invalidations, see `Secrets`) are replaced by `<token>` before a line is written.
public enum Recording {
    static let tab = UInt8(ascii: "\t")

    /// One line of a recording, read without copying the message.
    public enum Fields: Equatable {
        case comment
        case malformed(String)
        case message(time: Double, channel: String, payload: ArraySlice<UInt8>)
    }

    public static func fields(_ line: ArraySlice<UInt8>) -> Fields {
        var channels: ChannelName?
        return fields(line, channels: &channels)
    }

    /// The channel of the line before, kept: a recording names the same one or two channels on
    /// every line, and a name past 15 bytes is an allocation each time it is made.
    public struct ChannelName: Sendable {
        var bytes: [UInt8]
        var name: String
    }

    /// As `fields(_:)`, taking the channel's name from `channels` when the line names the same.
    public static func fields(_ line: ArraySlice<UInt8>, channels: inout ChannelName?) -> Fields {
        var bytes = line
        if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        if bytes.isEmpty || bytes.first == UInt8(ascii: "#") { return .comment }
        guard let first = bytes.firstIndex(of: tab),
              let second = bytes[(first + 1)...].firstIndex(of: tab) else {
            return .malformed("expected <time>\\t<channel>\\t<message>")
        }
        // Unix seconds, from 1970 to the year 5000: anything else is no time at all.
        guard let time = seconds(bytes[..<first]) ?? Double(String(decoding: bytes[..<first], as: UTF8.self)),
              time >= 0, time < 95_617_584_000 else {
            return .malformed("bad time")
        }
        let channelBytes = bytes[(first + 1)..<second]
        let channel: String
        if let kept = channels, kept.bytes.elementsEqual(channelBytes) {
            channel = kept.name
        } else {
            channel = String(decoding: channelBytes, as: UTF8.self)
            channels = ChannelName(bytes: Array(channelBytes), name: channel)
        }
        return .message(time: time, channel: channel, payload: bytes[(second + 1)...])
    }

    /// `1800000000.123456` as syntop writes it, read without a string: digits and a fraction
    /// whose digits together stay below 2^53 divide exactly as the decimal rounds. Nil for any
    /// other text, which is read the general way.
    static func seconds(_ bytes: ArraySlice<UInt8>) -> Double? {
        var whole: Int64 = 0
        var scale: Int64 = 1
        var digits = 0
        var point = false
        for byte in bytes {
            if byte == UInt8(ascii: "."), !point {
                point = true
                continue
            }
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10, digits < 16 else { return nil }
            whole = whole * 10 + Int64(digit)
            if point { scale *= 10 }
            digits += 1
        }
        guard digits > 0, whole < 1 << 53 else { return nil }
        return Double(whole) / Double(scale)
    }

    /// Every line of a recording, split at newlines.
    public static func lines(_ data: [UInt8]) -> [ArraySlice<UInt8>] {
        data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    }

    public static func header(serverName: String) -> String {
        "# syntop recording: <unix seconds>\\t<channel>\\t<message>; server \(serverName)\n"
    }

    /// A line of the recording, newline included.
    public static func line(time: Double, channel: String, payload: [UInt8]) -> [UInt8] {
        var line = Array(String(format: time).utf8)
        line.append(tab)
        line += Array(channel.utf8)
        line.append(tab)
        line += Secrets.scrub(payload)
        line.append(UInt8(ascii: "\n"))
        return line
    }

    static func format(time: Double) -> String {
        let micros = Int64((time * 1_000_000).rounded())
        let fraction = String(micros % 1_000_000)
        return "\(micros / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }
}

private extension String {
    init(format time: Double) {
        self = Recording.format(time: time)
    }
}

/// One replication message as the loop read it: channel, payload as published, arrival time.
public struct WireMessage: Equatable, Sendable {
    public var channel: String
    /// The message's bytes; the messages of one read share one buffer.
    public var payload: ArraySlice<UInt8>
    public var time: Double

    public init(channel: String, payload: ArraySlice<UInt8>, time: Double) {
        self.channel = channel
        self.payload = payload
        self.time = time
    }

    public init(channel: String, payload: [UInt8], time: Double) {
        self.init(channel: channel, payload: payload[...], time: time)
    }
}
