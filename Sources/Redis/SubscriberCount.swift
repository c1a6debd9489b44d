/// How many subscribers the replication channels have, as Redis counts them, read on a
/// connection that never subscribes and never publishes.
public struct SubscriberCount: Equatable, Sendable {
    public var at: Double
    /// By channel: `<server_name>`, `<server_name>/USER_IP`.
    public var channels: [String: Int]
    /// `addr` of each pub/sub client, where the Redis user may run CLIENT LIST.
    public var addresses: [String]?
    /// Redis's refusal of CLIENT LIST (an ACL without it): shown, not an error.
    public var addressesRefused: String?
    /// Why nothing was counted.
    public var error: String?
    /// The output buffer Redis holds for syntop's own subscription (`omem` of CLIENT LIST),
    /// where the Redis user may see it.
    public var ownOutputBytes: Int64?
    /// Subscribers Redis has closed for passing their output buffer limit (INFO stats, where
    /// this Redis counts them: 7.0 does not), and that limit for pub/sub clients (CONFIG GET),
    /// where the user may ask.
    public var limitDisconnections: Int64?
    public var pubsubLimit: OutputBufferLimit?

    public init(at: Double, channels: [String: Int], addresses: [String]? = nil, addressesRefused: String? = nil,
                error: String? = nil) {
        self.at = at
        self.channels = channels
        self.addresses = addresses
        self.addressesRefused = addressesRefused
        self.error = error
    }

    /// A count that failed, and why.
    public static func failed(at: Double, _ error: String) -> SubscriberCount {
        SubscriberCount(at: at, channels: [:], error: error)
    }

    /// The commands whose replies `parse` reads, in order.
    public static func commands(channels: [String]) -> [[String]] {
        [["PUBSUB", "NUMSUB"] + channels, ["CLIENT", "LIST", "TYPE", "pubsub"], ["INFO", "stats"],
         ["CONFIG", "GET", "client-output-buffer-limit"]]
    }

    /// The count from the replies to `commands`; `ownClient` is the subscribed connection's
    /// CLIENT ID, for its output buffer. Only PUBSUB NUMSUB must answer: the others may be
    /// refused by the Redis user's ACL.
    public static func parse(_ replies: [RedisValue], ownClient: Int64?, at: Double) -> SubscriberCount {
        guard replies.count == 4 else { return .failed(at: at, "unexpected replies to PUBSUB NUMSUB") }
        if case .error(let message) = replies[0] { return .failed(at: at, "PUBSUB NUMSUB refused: \(message)") }
        var counts: [String: Int] = [:]
        if case .array(let items) = replies[0] {
            for pair in stride(from: 0, to: items.count - 1, by: 2) {
                if case .bulk(let name?) = items[pair], case .integer(let count) = items[pair + 1] {
                    counts[String(decoding: name, as: UTF8.self)] = Int(count)
                }
            }
        }
        var count = SubscriberCount(at: at, channels: counts)
        switch replies[1] {
        case .bulk(let text?):
            let clients = String(decoding: text, as: UTF8.self).split(separator: "\n").map { $0.split(separator: " ") }
            func field(_ client: [Substring], _ name: String) -> Substring? {
                client.first { $0.hasPrefix(name + "=") }.map { $0.dropFirst(name.count + 1) }
            }
            count.addresses = clients.compactMap { field($0, "addr").map(String.init) }
            if let ownClient, let own = clients.first(where: { field($0, "id") == Substring(String(ownClient)) }) {
                count.ownOutputBytes = field(own, "omem").flatMap { Int64($0) }
            }
        case .error(let message):
            count.addressesRefused = message
        default:
            break
        }
        if case .bulk(let text?) = replies[2] {
            let line = String(decoding: text, as: UTF8.self).split(whereSeparator: \.isNewline)
                .first { $0.hasPrefix("client_output_buffer_limit_disconnections:") }
            count.limitDisconnections = line.flatMap { Int64($0.split(separator: ":").last ?? "") }
        }
        if case .array(let pair) = replies[3], pair.count == 2, case .bulk(let value?) = pair[1] {
            count.pubsubLimit = OutputBufferLimit.parse(String(decoding: value, as: UTF8.self))
        }
        return count
    }
}
