/// A reply from Redis, as a value (RESP2's five kinds).
public enum RedisValue: Equatable, Sendable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8]?)
    case array([RedisValue])
}

/// What a reply on a subscribed connection is: Redis sends a subscribe's acknowledgement and a
/// published message as three-element arrays, told apart by their first element.
public enum PubSubReply: Equatable, Sendable {
    /// `["subscribe", channel, count]`: one channel of SUBSCRIBE acknowledged.
    case subscribed(channel: [UInt8])
    /// `["message", channel, payload]`.
    case message(channel: [UInt8], payload: [UInt8])

    static let subscribe = Array("subscribe".utf8)
    static let message = Array("message".utf8)

    /// Nil for any other reply (an answer to a command sent before SUBSCRIBE, or an error).
    public init?(_ reply: RedisValue) {
        guard case .array(let items) = reply, items.count == 3, case .bulk(let kind?) = items[0],
              case .bulk(let channel?) = items[1] else { return nil }
        if kind == PubSubReply.message, case .bulk(let payload?) = items[2] {
            self = .message(channel: channel, payload: payload)
        } else if kind == PubSubReply.subscribe {
            self = .subscribed(channel: channel)
        } else {
            return nil
        }
    }
}
