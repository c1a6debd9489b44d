#if canImport(Glibc)
import Glibc
#endif

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

        /// The name of the channel in `bytes`: the one `kept` when it is the same, else a new
        /// one, kept for the next line.
        static func name(_ bytes: UnsafeBufferPointer<UInt8>, kept: inout ChannelName?) -> String {
            if let kept, kept.bytes.count == bytes.count,
               kept.bytes.isEmpty || kept.bytes.withUnsafeBytes({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }) {
                return kept.name
            }
            let name = String(decoding: bytes, as: UTF8.self)
            kept = ChannelName(bytes: Array(bytes), name: name)
            return name
        }
    }

    /// As `fields(_:)`, taking the channel's name from `channels` when the line names the same.
    public static func fields(_ line: ArraySlice<UInt8>, channels: inout ChannelName?) -> Fields {
        var bytes = line
        if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        if bytes.isEmpty || bytes.first == UInt8(ascii: "#") { return .comment }
        // Where the two tabs are, and the time, read in place: every line of a replay comes here.
        let found = bytes.withUnsafeBufferPointer { buffer -> (Int, Int, Double?)? in
            guard let first = ReplicationLine.first(tab, in: buffer, from: 0),
                  let second = ReplicationLine.first(tab, in: buffer, from: first + 1) else { return nil }
            return (first, second, seconds(UnsafeBufferPointer(rebasing: buffer[..<first])))
        }
        guard let (first, second, fast) = found.map({ ($0.0 + bytes.startIndex, $0.1 + bytes.startIndex, $0.2) }) else {
            return .malformed("expected <time>\\t<channel>\\t<message>")
        }
        // Unix seconds, from 1970 to the year 5000: anything else is no time at all.
        guard let time = fast ?? Double(String(decoding: bytes[..<first], as: UTF8.self)),
              time >= 0, time < 95_617_584_000 else {
            return .malformed("bad time")
        }
        let channel = bytes[(first + 1)..<second].withUnsafeBufferPointer { ChannelName.name($0, kept: &channels) }
        return .message(time: time, channel: channel, payload: bytes[(second + 1)...])
    }

    /// A message line in the shape syntop writes, read where it lies: its time (ten digits and
    /// six), and where its channel and its message are. Nil for any other line (a comment, a
    /// line that is no message, another shape of time), which `fields` reads.
    @inline(__always)
    static func message(_ line: UnsafeBufferPointer<UInt8>) -> (time: Double, channel: Range<Int>, payload: Range<Int>)? {
        var count = line.count
        if count > 0 && line[count - 1] == UInt8(ascii: "\r") { count -= 1 }
        guard count > 18, line[17] == tab, let time = seconds(UnsafeBufferPointer(rebasing: line[..<17])),
              let second = ReplicationLine.first(tab, in: UnsafeBufferPointer(rebasing: line[..<count]), from: 18),
              time < 95_617_584_000 else { return nil }
        return (time, 18..<second, (second + 1)..<count)
    }

    /// `1800000000.123456` as syntop writes it, read without a string: digits and a fraction
    /// whose digits together stay below 2^53 divide exactly as the decimal rounds. Nil for any
    /// other text, which is read the general way.
    static func seconds(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        // The shape syntop writes, ten digits and six: read eight digits at a time.
        if bytes.count == 17, let base = bytes.baseAddress, let micros = sixteenDigits(base),
           micros < 9_000_000_000_000_000 {
            return Double(micros) / 1_000_000
        }
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
            whole = whole &* 10 &+ Int64(digit)
            if point { scale &*= 10 }
            digits += 1
        }
        guard digits > 0, whole < 1 << 53 else { return nil }
        return Double(whole) / Double(scale)
    }

    /// Eight ASCII digits at once (the first the most significant), or nil when any is none.
    @inline(__always)
    private static func eightDigits(_ at: UnsafePointer<UInt8>) -> Int64? {
        eightDigits(UInt64(littleEndian: UnsafeRawPointer(at).loadUnaligned(as: UInt64.self)))
    }

    /// As `eightDigits(_:)`, of a word that holds them, the first byte lowest.
    @inline(__always)
    private static func eightDigits(_ digits: UInt64) -> Int64? {
        let word = digits &- 0x3030_3030_3030_3030
        // Every byte 0 to 9: no borrow above, and none past 9 after adding 6.
        guard (word | (word &+ 0x0606_0606_0606_0606)) & 0xF0F0_F0F0_F0F0_F0F0 == 0 else { return nil }
        // Neighbours joined, two digits, then four, then eight, none carrying into the next.
        let pairs = ((word &* 10) &+ (word >> 8)) & 0x00FF_00FF_00FF_00FF
        let quads = ((pairs &* 100) &+ (pairs >> 16)) & 0x0000_FFFF_0000_FFFF
        return Int64(((quads &* 10_000) &+ (quads >> 32)) & 0xFFFF_FFFF)
    }

    /// `dddddddddd.dddddd` (ten digits, a point, six) as microseconds: the first eight digits,
    /// then the ninth alone, then the tenth with the six after the point as eight digits with
    /// a zero before them. Nil for any other text.
    @inline(__always)
    static func sixteenDigits(_ at: UnsafePointer<UInt8>) -> Int64? {
        let tail = UInt64(littleEndian: UnsafeRawPointer(at + 9).loadUnaligned(as: UInt64.self))
        // The tail's second byte is the point: the tenth digit moves up over it, a zero below.
        guard (tail >> 8) & 0xFF == UInt64(UInt8(ascii: ".")), at[8] &- 0x30 < 10,
              let high = eightDigits(at),
              let low = eightDigits((tail & 0xFFFF_FFFF_FFFF_0000) | (tail & 0xFF) << 8 | 0x30) else { return nil }
        return (high * 10 + Int64(at[8] &- 0x30)) * 10_000_000 + low
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
