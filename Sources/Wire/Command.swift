/// One replication command, as Synapse publishes it on Redis: `NAME SP arguments`.
public enum ReplicationCommand: Hashable, Sendable {
    case rdata(stream: StreamName, instance: InstanceName, token: RowToken, row: StreamRow)
    /// The writer promises it wrote nothing in (previous, new].
    case position(stream: StreamName, instance: InstanceName, previous: Int64, new: Int64)
    /// Every process answers with its positions; carries no identity.
    case replicate
    /// `processID` is a random id per process start, never an instance name.
    case userSync(processID: String, userID: String, deviceID: String?, started: Bool, lastSyncMS: Int64)
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
        guard let line = String(validating: bytes, as: UTF8.self) else {
            return .failure(MalformedLine(reason: .invalidUTF8, detail: "not UTF-8"))
        }
        return parse(line)
    }

    public static func parse(_ line: String) -> Result<ReplicationCommand, MalformedLine> {
        if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) {
            return .failure(MalformedLine(reason: .empty, detail: "blank line"))
        }
        let name: Substring
        let rest: Substring
        if let space = line.firstIndex(of: " ") {
            name = line[..<space]
            rest = line[line.index(after: space)...]
        } else {
            name = Substring(line)
            rest = ""
        }
        do throws(MalformedLine) {
            return .success(try command(String(name), rest))
        } catch {
            return .failure(error)
        }
    }

    static func fail(_ reason: MalformedReason, _ detail: String) -> MalformedLine {
        MalformedLine(reason: reason, detail: detail)
    }

    /// Splits at the first `count - 1` spaces, as Python's `split(" ", count - 1)` does, and
    /// requires exactly `count` parts.
    static func split(_ text: Substring, into count: Int, _ command: String) throws(MalformedLine) -> [Substring] {
        let parts = text.split(separator: " ", maxSplits: count - 1, omittingEmptySubsequences: false)
        guard parts.count == count else {
            throw fail(.arity, "\(command): expected \(count) arguments, got \(parts.count)")
        }
        return parts
    }

    static func integer(_ text: Substring, _ what: String) throws(MalformedLine) -> Int64 {
        guard let value = Int64(text) else {
            throw fail(.badToken, "\(what): '\(text.prefix(40))' is not an integer")
        }
        return value
    }

    static func json(_ text: Substring, _ what: String) throws(MalformedLine) -> JSONValue {
        do throws(JSONError) {
            return try JSONReader.parse(text.utf8)
        } catch {
            throw fail(.badJSON, "\(what): \(error.message) at \(error.offset)")
        }
    }

    static func command(_ name: String, _ rest: Substring) throws(MalformedLine) -> ReplicationCommand {
        switch name {
        case "RDATA":
            let parts = try split(rest, into: 4, name)
            let stream = StreamName(rawValue: String(parts[0]))
            let token: RowToken = parts[2] == "batch" ? .batch : .id(try integer(parts[2], "RDATA token"))
            let json = try json(parts[3], "RDATA \(stream) row")
            do throws(RowError) {
                let row = try RowDecoder.decode(stream: stream, json: json)
                return .rdata(stream: stream, instance: InstanceName(rawValue: String(parts[1])),
                              token: token, row: row)
            } catch {
                throw fail(.badRow, error.message)
            }
        case "POSITION":
            let parts = try split(rest, into: 4, name)
            return .position(stream: StreamName(rawValue: String(parts[0])),
                             instance: InstanceName(rawValue: String(parts[1])),
                             previous: try integer(parts[2], "POSITION previous token"),
                             new: try integer(parts[3], "POSITION new token"))
        case "REPLICATE":
            return .replicate
        case "USER_SYNC":
            let parts = try split(rest, into: 5, name)
            guard parts[3] == "start" || parts[3] == "end" else {
                throw fail(.arity, "USER_SYNC: state must be start or end")
            }
            return .userSync(processID: String(parts[0]), userID: String(parts[1]),
                             deviceID: parts[2] == "None" ? nil : String(parts[2]),
                             started: parts[3] == "start",
                             lastSyncMS: try integer(parts[4], "USER_SYNC last_sync_ms"))
        case "CLEAR_USER_SYNC":
            return .clearUserSync(processID: String(rest))
        case "USER_IP":
            let parts = try split(rest, into: 2, name)
            let value = try json(parts[1], "USER_IP")
            // [access_token, ip, user_agent, device_id, last_seen]; the token is not kept.
            guard let items = value.array, items.count == 5, items[0].string != nil,
                  let ip = items[1].string, let agent = items[2].string,
                  items[3].isNull || items[3].string != nil, let seen = items[4].integer else {
                throw fail(.badRow, "USER_IP: expected [token, ip, user_agent, device_id, last_seen]")
            }
            return .userIP(userID: String(parts[0]), ip: ip, userAgent: agent,
                           deviceID: items[3].string, lastSeenMS: seen)
        case "FEDERATION_ACK":
            let parts = try split(rest, into: 2, name)
            return .federationAck(instance: InstanceName(rawValue: String(parts[0])),
                                  token: try integer(parts[1], "FEDERATION_ACK token"))
        case "REMOTE_SERVER_UP":
            return .remoteServerUp(server: String(rest))
        case "LOCK_RELEASED":
            let value = try json(rest, "LOCK_RELEASED")
            guard let items = value.array, items.count == 3, let instance = items[0].string,
                  let lockName = items[1].string, let lockKey = items[2].string else {
                throw fail(.badRow, "LOCK_RELEASED: expected [instance, lock_name, lock_key]")
            }
            return .lockReleased(instance: InstanceName(rawValue: instance), lockName: lockName,
                                 lockKey: lockKey)
        case "NEW_ACTIVE_TASK":
            return .newActiveTask(taskID: String(rest))
        case "CANCEL_TASK":
            return .cancelTask(taskID: String(rest))
        case "ERROR":
            return .error(message: String(rest))
        case "NAME", "SERVER", "PING":
            return .legacy(name: name, argument: String(rest))
        default:
            return .unknown(name: String(name.prefix(64)), argument: String(rest.prefix(200)))
        }
    }
}
