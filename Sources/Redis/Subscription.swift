/// The subscribing connection's setup as a value: the commands it opens with, and what each
/// reply means, with no socket and no timer inside. Its adapter sends the commands, hands over
/// every reply until `isSubscribed`, and then takes messages straight from the socket's buffer.
public struct Subscription: Equatable, Sendable {
    /// What to send on a new connection, in order. AUTH is named, not spelled: the password
    /// stays with the adapter.
    public enum Command: Equatable, Sendable {
        case auth
        /// Asked before subscribing, which leaves only (un)subscribing allowed.
        case clientID
        case subscribe([String])
    }

    public enum Step: Equatable, Sendable {
        /// A message that came before the last channel was acknowledged.
        case message(channel: [UInt8], payload: [UInt8])
        /// Every channel is acknowledged: messages flow.
        case subscribed
        /// Redis refused something; the connection is to be closed and retried.
        case failed(String)
    }

    public let channels: [String]
    private let authenticates: Bool
    /// Replies before the subscription's, in order: AUTH's, then CLIENT ID's.
    private var awaiting: [Command] = []
    private var acknowledged = 0
    /// Redis's id of the subscribed connection, where the Redis user may ask (CLIENT ID): it
    /// finds this connection's output buffer in CLIENT LIST.
    public private(set) var clientID: Int64?

    public init(channels: [String], authenticates: Bool) {
        self.channels = channels
        self.authenticates = authenticates
    }

    public var isSubscribed: Bool { acknowledged == channels.count }

    /// A new connection: everything before starts again.
    public mutating func opening() -> [Command] {
        acknowledged = 0
        clientID = nil
        awaiting = (authenticates ? [.auth] : []) + [.clientID]
        return awaiting + [.subscribe(channels)]
    }

    public mutating func handle(_ reply: RedisValue) -> [Step] {
        let pubsub = PubSubReply(reply)
        if pubsub == nil, !awaiting.isEmpty {
            switch awaiting.removeFirst() {
            case .auth:
                if case .error(let message) = reply { return [.failed("Redis refused: \(message)")] }
            case .clientID:
                // A user that may not ask is no error: the buffer is then not shown.
                if case .integer(let id) = reply { clientID = id }
            case .subscribe:
                break
            }
            return []
        }
        switch pubsub {
        case .message(let channel, let payload):
            return [.message(channel: channel, payload: payload)]
        case .subscribed:
            guard !isSubscribed else { return [] }
            acknowledged += 1
            return isSubscribed ? [.subscribed] : []
        case nil:
            // SUBSCRIBE's errors name no secret; Redis never echoes a password.
            if case .error(let message) = reply { return [.failed("Redis refused: \(message)")] }
            return []
        }
    }
}
