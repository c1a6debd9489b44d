#if canImport(Glibc)
import Glibc
#endif

/// One replication command, as Synapse publishes it on Redis: `NAME SP arguments`.
public enum ReplicationCommand: Hashable, Sendable {
    case rdata(stream: StreamName, instance: InstanceName, token: RowToken, row: StreamRow)
    /// The writer promises it wrote nothing in (previous, new].
    case position(stream: StreamName, instance: InstanceName, previous: Int64, new: Int64)
    /// Every process answers with its positions; carries no identity.
    case replicate
    /// `processID` is a random id per process start, never an instance name. `presenceState`
    /// comes only in the newer six-field form (Synapse pull request 19946).
    case userSync(processID: String, userID: String, deviceID: String?, started: Bool,
                  presenceState: String?, lastSyncMS: Int64)
    /// A process whose users are still syncing says so every minute (newer form only).
    case userSyncKeepalive(processID: String)
    case clearUserSync(processID: String)
    /// The access token Synapse sends first is dropped when the line is parsed.
    case userIP(userID: String, ip: String, userAgent: String, deviceID: String?, lastSeenMS: Int64)
    case federationAck(instance: InstanceName, token: Int64)
    case remoteServerUp(server: String)
    case lockReleased(instance: InstanceName, lockName: String, lockKey: String)
    case newActiveTask(taskID: String)
    case cancelTask(taskID: String)
    case error(message: String)
    /// NAME, SERVER, PING: legacy TCP replication only, kept as seen.
    case legacy(name: String, argument: String)
    /// A command name syntop does not know: kept and counted, not an error.
    case unknown(name: String, argument: String)

    public var name: String {
        switch self {
        case .rdata: "RDATA"
        case .position: "POSITION"
        case .replicate: "REPLICATE"
        case .userSync: "USER_SYNC"
        case .userSyncKeepalive: "USER_SYNC_KEEPALIVE"
        case .clearUserSync: "CLEAR_USER_SYNC"
        case .userIP: "USER_IP"
        case .federationAck: "FEDERATION_ACK"
        case .remoteServerUp: "REMOTE_SERVER_UP"
        case .lockReleased: "LOCK_RELEASED"
        case .newActiveTask: "NEW_ACTIVE_TASK"
        case .cancelTask: "CANCEL_TASK"
        case .error: "ERROR"
        case .legacy(let name, _), .unknown(let name, _): name
        }
    }
}

/// Why a line could not be understood.
public enum MalformedReason: String, Hashable, Sendable, CaseIterable, Codable {
    case empty
    case tooLong = "too_long"
    case invalidUTF8 = "invalid_utf8"
    case arity
    case badToken = "bad_token"
    case badJSON = "bad_json"
    case badRow = "bad_row"
    /// A line of a recording that is not `<time>\t<channel>\t<message>`.
    case badRecording = "bad_recording_line"
}

public struct MalformedLine: Error, Hashable, Sendable {
    public var reason: MalformedReason
    public var detail: String
}

public enum ReplicationLine {
    /// Longer lines are refused unread: Synapse's rows are small, and a bound keeps a hostile
    /// publisher from making syntop parse megabytes.
    public static let maximumLength = 1 << 20

    public static func parse<Bytes: Collection>(_ bytes: Bytes) -> Result<ReplicationCommand, MalformedLine>
    where Bytes.Element == UInt8 {
        guard bytes.count <= maximumLength else {
            return .failure(MalformedLine(reason: .tooLong, detail: "\(bytes.count) bytes"))
        }
        if let result = bytes.withContiguousStorageIfAvailable({ parse(buffer: $0) }) {
            return result
        }
        return Array(bytes).withUnsafeBufferPointer { parse(buffer: $0) }
    }

    public static func parse(_ line: String) -> Result<ReplicationCommand, MalformedLine> {
        parse(Array(line.utf8))
    }

    static func parse(buffer: UnsafeBufferPointer<UInt8>) -> Result<ReplicationCommand, MalformedLine> {
        // Synapse writes JSON with ensure_ascii, so nearly every line is ASCII: check that
        // first, and validate UTF-8 only when it is not.
        var ascii = true
        var blank = true
        for byte in buffer {
            if byte >= 0x80 { ascii = false }
            if byte != 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D { blank = false }
        }
        if !ascii && String(validating: buffer, as: UTF8.self) == nil {
            return .failure(MalformedLine(reason: .invalidUTF8, detail: "not UTF-8"))
        }
        if blank {
            return .failure(MalformedLine(reason: .empty, detail: "blank line"))
        }
        let line = Line(buffer)
        let space = line.firstSpace(from: 0)
        let name = line.string(0, space ?? buffer.count)
        let rest = space.map { $0 + 1 } ?? buffer.count
        do throws(MalformedLine) {
            return .success(try command(name, line, rest))
        } catch {
            return .failure(error)
        }
    }

    /// A digest of a row as published, from its stream's name and its JSON bytes (64 bits,
    /// sixteen bytes a step in two lanes): what tells a republished row from a new one without
    /// comparing decoded rows. The fast way makes the stream's half once per writer
    /// (`streamDigest`, `WriterTable`) and the rest per row (`digest(named:row:)`).
    static func digest(stream: StreamName, row: ArraySlice<UInt8>) -> UInt64 {
        var name = stream.rawValue
        return name.withUTF8 { name in row.withUnsafeBufferPointer { digest(named: streamDigest(name), row: $0) } }
    }

    /// The first half of a row's digest, the same for every row of a stream.
    static func streamDigest(_ stream: UnsafeBufferPointer<UInt8>) -> UInt64 {
        (mix(0xcbf2_9ce4_8422_2325, stream) ^ 0x20) &* 0x100_0000_01b3
    }

    static func digest(named stream: UInt64, row: UnsafeBufferPointer<UInt8>) -> UInt64 {
        mix(stream, row)
    }

    private static func mix(_ start: UInt64, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var digest = start
        let raw = UnsafeRawBufferPointer(bytes)
        var index = 0
        // Sixteen bytes a step in two lanes that do not wait for each other, then joined.
        if raw.count >= 16 {
            var other = start ^ 0x6A09_E667_F3BC_C909
            while index + 16 <= raw.count {
                digest = (digest ^ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
                other = (other ^ raw.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self)) &* 0xC2B2_AE3D_27D4_EB4F
                digest ^= digest >> 29
                other ^= other >> 31
                index += 16
            }
            digest = (digest ^ other.byteSwapped) &* 0x9E37_79B9_7F4A_7C15
        }
        while index + 8 <= raw.count {
            digest = (digest ^ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            digest ^= digest >> 29
            index += 8
        }
        // The last few bytes as the word that ends there, overlapping the one before; the
        // length too, as those bytes are read twice, so rows that differ in length differ.
        if index < raw.count && raw.count >= 8 {
            digest = (digest ^ raw.loadUnaligned(fromByteOffset: raw.count - 8, as: UInt64.self) ^ UInt64(raw.count))
                &* 0x9E37_79B9_7F4A_7C15
            return digest ^ (digest >> 29)
        }
        while index < raw.count {
            digest = (digest ^ UInt64(raw[index])) &* 0x100_0000_01b3
            index += 1
        }
        return digest
    }

    /// An RDATA line's row JSON (what follows its third argument); empty for any other line.
    static func rowBytes(_ line: UnsafeBufferPointer<UInt8>) -> ArraySlice<UInt8> {
        guard line.starts(with: rdataPrefix) else { return [] }
        var index = rdataPrefix.count
        var spaces = 0
        while index < line.count && spaces < 3 {
            if line[index] == 0x20 { spaces += 1 }
            index += 1
        }
        return spaces == 3 ? Array(line[index...])[...] : []
    }

    static let rdataPrefix = Array("RDATA ".utf8)

    /// The streams the fast way knows, by their bytes: a line names its stream without a new string.
    static let knownStreamBytes: [(bytes: [UInt8], name: StreamName, rule: RowShape.Rule)] =
        RowDecoder.knownStreams.compactMap { name in RowShape.rules[name].map { (Array(name.rawValue.utf8), name, $0) } }

    /// A known stream's name and rule, looked for when a writer is first kept (`WriterTable`).
    static func knownStream(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> (name: StreamName, rule: RowShape.Rule)? {
        guard let base = bytes.base.baseAddress.map({ $0 + bytes.startIndex }) else { return nil }
        for known in knownStreamBytes where known.bytes.count == bytes.count
            && known.bytes.withUnsafeBytes({ memcmp($0.baseAddress!, base, bytes.count) == 0 }) {
            return (known.name, known.rule)
        }
        return nil
    }

    /// Whether `bytes[range]` are the ASCII of `word`.
    @inline(__always)
    static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ word: StaticString) -> Bool {
        range.count == word.utf8CodeUnitCount && memcmp(bytes.baseAddress! + range.lowerBound, word.utf8Start, range.count) == 0
    }

    /// Whether `line` starts with `prefix` (ASCII, a literal).
    @inline(__always)
    static func starts(_ line: UnsafeBufferPointer<UInt8>, with prefix: StaticString) -> Bool {
        line.count >= prefix.utf8CodeUnitCount && memcmp(line.baseAddress!, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
    }

    /// The first `byte` at or after `index`, eight bytes a step (for the short distances of a
    /// line's parts, where memchr's call costs more); nil when there is none.
    @inline(__always)
    static func first(_ byte: UInt8, in line: UnsafeBufferPointer<UInt8>, from index: Int) -> Int? {
        guard let base = line.baseAddress else { return nil }
        let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
        var index = index
        while index + 8 <= line.count {
            // The line's first byte lowest, whatever the machine's order.
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) ^ pattern
            // A byte of the word is zero where the line has `byte`; the lowest such byte is
            // found exactly (a borrow only reaches bytes above it).
            let zero = (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
            if zero != 0 { return index + zero.trailingZeroBitCount >> 3 }
            index += 8
        }
        while index < line.count {
            if line[index] == byte { return index }
            index += 1
        }
        return nil
    }

    /// Where the arguments of an RDATA or POSITION line lie (for POSITION, `token` holds the
    /// previous token and `row` the new one); nil for any other line.
    struct FastParts {
        var isPosition: Bool
        var stream: Range<Int>
        var instance: Range<Int>
        var token: Range<Int>
        var row: Range<Int>
    }

    static func fastParts(_ line: UnsafeBufferPointer<UInt8>) -> FastParts? {
        let isPosition: Bool
        let start: Int
        if starts(line, with: "RDATA ") {
            isPosition = false
            start = 6
        } else if starts(line, with: "POSITION ") {
            isPosition = true
            start = 9
        } else {
            return nil
        }
        // The ends of the first three arguments, each of at least one byte, and a fourth after them.
        guard let streamEnd = first(0x20, in: line, from: start), streamEnd > start,
              let instanceEnd = first(0x20, in: line, from: streamEnd + 1), instanceEnd > streamEnd + 1,
              let tokenEnd = first(0x20, in: line, from: instanceEnd + 1), tokenEnd > instanceEnd + 1,
              tokenEnd + 1 < line.count else { return nil }
        return FastParts(isPosition: isPosition, stream: start..<streamEnd, instance: (streamEnd + 1)..<instanceEnd,
                         token: (instanceEnd + 1)..<tokenEnd, row: (tokenEnd + 1)..<line.count)
    }

    /// Digits, with a minus sign or not, that an Int64 holds; nil for anything else (the full
    /// way decides).
    static func plainInteger(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int64? {
        var index = range.lowerBound
        let negative = index < range.upperBound && line[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        let count = range.upperBound - index
        guard count > 0, count <= 18 else { return nil }
        var value: Int64 = 0
        while index < range.upperBound {
            let digit = line[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int64(digit)
            index += 1
        }
        return negative ? -value : value
    }

    /// Byte positions in one line.
    struct Line {
        let bytes: UnsafeBufferPointer<UInt8>
        init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        func firstSpace(from start: Int) -> Int? {
            var index = start
            while index < bytes.count {
                if bytes[index] == 0x20 { return index }
                index += 1
            }
            return nil
        }

        func string(_ start: Int, _ end: Int) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }

        func slice(_ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: bytes[start..<end])
        }

        /// Splits [start, end) at the first `count - 1` spaces, as Python's
        /// `split(" ", count - 1)` does, and requires exactly `count` parts (or `fewer`, when a
        /// command has a shorter form too): (start, end) pairs.
        func split(_ start: Int, into count: Int, _ command: String,
                   orFewer fewer: Int? = nil) throws(MalformedLine) -> [(Int, Int)] {
            var parts: [(Int, Int)] = []
            parts.reserveCapacity(count)
            var from = start
            while parts.count < count - 1, let space = firstSpace(from: from) {
                parts.append((from, space))
                from = space + 1
            }
            parts.append((from, bytes.count))
            guard parts.count == count || parts.count == fewer else {
                let expected = fewer.map { "\($0) or \(count)" } ?? String(count)
                throw fail(.arity, "\(command): expected \(expected) arguments, got \(parts.count)")
            }
            return parts
        }

        func integer(_ part: (Int, Int), _ what: String) throws(MalformedLine) -> Int64 {
            var index = part.0
            var negative = false
            if index < part.1 && (bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+")) {
                negative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < part.1 else { throw badInteger(part, what) }
            var value: Int64 = 0
            while index < part.1 {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { throw badInteger(part, what) }
                let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (added, overflow2) = shifted.addingReportingOverflow(Int64(digit))
                guard !overflow1 && !overflow2 else { throw badInteger(part, what) }
                value = added
                index += 1
            }
            return negative ? -value : value
        }

        func badInteger(_ part: (Int, Int), _ what: String) -> MalformedLine {
            fail(.badToken, "\(what): '\(string(part.0, min(part.1, part.0 + 40)))' is not an integer")
        }

        func json(_ part: (Int, Int), _ what: String) throws(MalformedLine) -> JSONValue {
            do throws(JSONError) {
                return try JSONReader.parse(slice(part.0, part.1))
            } catch {
                throw fail(.badJSON, "\(what): \(error.message) at \(error.offset)")
            }
        }
    }

    /// A stream name as syntop keeps it: one it does not know is outside text, and loses
    /// anything shaped like a token.
    static func streamName(_ text: String) -> StreamName {
        let name = StreamName(rawValue: text)
        return RowDecoder.knownStreams.contains(name) ? name : StreamName(rawValue: Secrets.redactTokenShapes(text))
    }

    static func fail(_ reason: MalformedReason, _ detail: String) -> MalformedLine {
        MalformedLine(reason: reason, detail: detail)
    }

    static func command(_ name: String, _ line: Line, _ start: Int) throws(MalformedLine) -> ReplicationCommand {
        let end = line.bytes.count
        switch name {
        case "RDATA":
            let parts = try line.split(start, into: 4, name)
            let stream = streamName(line.string(parts[0].0, parts[0].1))
            let isBatch = parts[2].1 - parts[2].0 == 5 && line.string(parts[2].0, parts[2].1) == "batch"
            let token: RowToken = isBatch ? .batch : .id(try line.integer(parts[2], "RDATA token"))
            let json = try line.json(parts[3], "RDATA \(stream) row")
            do throws(RowError) {
                let row = try RowDecoder.decode(stream: stream, json: json)
                return .rdata(stream: stream, instance: InstanceName(rawValue: line.string(parts[1].0, parts[1].1)),
                              token: token, row: row)
            } catch {
                throw fail(.badRow, error.message)
            }
        case "POSITION":
            let parts = try line.split(start, into: 4, name)
            return .position(stream: streamName(line.string(parts[0].0, parts[0].1)),
                             instance: InstanceName(rawValue: line.string(parts[1].0, parts[1].1)),
                             previous: try line.integer(parts[2], "POSITION previous token"),
                             new: try line.integer(parts[3], "POSITION new token"))
        case "REPLICATE":
            return .replicate
        case "USER_SYNC":
            // `<process> <user> <device|None> start|end [<presence state>] <last_sync_ms>`:
            // five fields before pull request 19946, six after; no field holds a space.
            var parts = try line.split(start, into: 6, name, orFewer: 5)
            let presence = parts.count == 6 ? line.string(parts[4].0, parts[4].1) : nil
            if parts.count == 6 { parts.remove(at: 4) }
            let state = line.string(parts[3].0, parts[3].1)
            guard state == "start" || state == "end" else {
                throw fail(.arity, "USER_SYNC: state must be start or end")
            }
            let device = line.string(parts[2].0, parts[2].1)
            return .userSync(processID: line.string(parts[0].0, parts[0].1),
                             userID: line.string(parts[1].0, parts[1].1),
                             deviceID: device == "None" ? nil : device, started: state == "start",
                             presenceState: presence,
                             lastSyncMS: try line.integer(parts[4], "USER_SYNC last_sync_ms"))
        case "USER_SYNC_KEEPALIVE":
            return .userSyncKeepalive(processID: line.string(start, end))
        case "CLEAR_USER_SYNC":
            return .clearUserSync(processID: line.string(start, end))
        case "USER_IP":
            let parts = try line.split(start, into: 2, name)
            let value = try line.json(parts[1], "USER_IP")
            // [access_token, ip, user_agent, device_id, last_seen]; the token is not kept.
            guard let items = value.array, items.count == 5, items[0].string != nil,
                  let ip = items[1].string, let agent = items[2].string,
                  items[3].isNull || items[3].string != nil, let seen = items[4].integer else {
                throw fail(.badRow, "USER_IP: expected [token, ip, user_agent, device_id, last_seen]")
            }
            return .userIP(userID: line.string(parts[0].0, parts[0].1), ip: ip, userAgent: agent,
                           deviceID: items[3].string, lastSeenMS: seen)
        case "FEDERATION_ACK":
            let parts = try line.split(start, into: 2, name)
            return .federationAck(instance: InstanceName(rawValue: line.string(parts[0].0, parts[0].1)),
                                  token: try line.integer(parts[1], "FEDERATION_ACK token"))
        case "REMOTE_SERVER_UP":
            return .remoteServerUp(server: line.string(start, end))
        case "LOCK_RELEASED":
            let value = try line.json((start, end), "LOCK_RELEASED")
            guard let items = value.array, items.count == 3, let instance = items[0].string,
                  let lockName = items[1].string, let lockKey = items[2].string else {
                throw fail(.badRow, "LOCK_RELEASED: expected [instance, lock_name, lock_key]")
            }
            return .lockReleased(instance: InstanceName(rawValue: instance), lockName: lockName,
                                 lockKey: lockKey)
        case "NEW_ACTIVE_TASK":
            return .newActiveTask(taskID: line.string(start, end))
        case "CANCEL_TASK":
            return .cancelTask(taskID: line.string(start, end))
        // Free text from outside: nothing token-shaped is kept.
        case "ERROR":
            return .error(message: Secrets.redactTokenShapes(line.string(start, end)))
        case "NAME", "SERVER", "PING":
            return .legacy(name: name, argument: Secrets.redactTokenShapes(line.string(start, end)))
        default:
            return .unknown(name: Secrets.redactTokenShapes(String(name.prefix(64))),
                            argument: Secrets.redactTokenShapes(line.string(start, min(end, start + 200))))
        }
    }
}
