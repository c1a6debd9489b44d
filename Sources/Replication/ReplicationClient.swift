import Connection
import EventLoop
import Glibc
import Wire

/// Subscribes to a Synapse deployment's replication channels and hands what each wake-up read
/// to `onMessages`, in order. It never publishes; `probe()` is the one exception, on its own connection, and
/// only when the user asks for it. On a lost connection it reconnects with a capped backoff.
public final class ReplicationClient {
    public let endpoint: RedisEndpoint
    public let channels: [String]
    private let loop: EventLoop
    private let now: () -> Double
    private let onMessages: ([WireMessage]) -> Void
    private let onStatus: (ConnectionStatus) -> Void

    private lazy var driver = ConnectionDriver(
        loop: loop, now: now, connect: { [unowned self] in self.connect() }, close: { [unowned self] in self.close() },
        report: { [unowned self] status in self.onStatus(status) })
    private var connection: RedisConnection?
    private var source: EventLoop.SourceID?
    /// A connection that is not subscribed within this long is given up and retried: a silent
    /// peer (a firewall's, or a plain-text port asked for TLS) must not hold it forever.
    static let setupSeconds = 3
    private var setupTimer: EventLoop.TimerID?
    private var subscribedChannels = 0
    /// Replies before the subscription's, in order: AUTH's, then CLIENT ID's.
    private var awaiting: [Awaited] = []
    private enum Awaited { case auth, clientID }
    /// Redis's id of the subscribed connection, where the Redis user may ask (CLIENT ID): it
    /// finds this connection's output buffer in CLIENT LIST.
    public private(set) var clientID: Int64?
    /// The channels' names as bytes, so a message names its channel without a new string.
    private lazy var channelBytes = channels.map { (Array($0.utf8), $0) }

    /// `onMessages` gets what one wake-up read, in order.
    public init(endpoint: RedisEndpoint, channels: [String], loop: EventLoop,
                now: @escaping () -> Double,
                onMessages: @escaping ([WireMessage]) -> Void,
                onStatus: @escaping (ConnectionStatus) -> Void) {
        self.endpoint = endpoint
        self.channels = channels
        self.loop = loop
        self.now = now
        self.onMessages = onMessages
        self.onStatus = onStatus
    }

    /// The channels syntop listens on: `<server_name>`, and `<server_name>/USER_IP` when asked.
    public static func channels(serverName: String, userIP: Bool) -> [String] {
        userIP ? [serverName, serverName + "/USER_IP"] : [serverName]
    }

    public func start() { driver.handle(.start) }

    public func stop() { driver.handle(.stop) }

    private func connect() {
        subscribedChannels = 0
        clientID = nil
        awaiting = []
        let made: RedisConnection
        do throws(RedisConnectionError) {
            made = try RedisConnection(endpoint: endpoint, readChunk: RedisConnection.subscriptionChunk)
        } catch {
            driver.handle(.failed(error.description))
            return
        }
        if let password = endpoint.password {
            made.send(endpoint.username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
            awaiting.append(.auth)
        }
        // Asked before subscribing, which leaves only (un)subscribing allowed.
        made.send(["CLIENT", "ID"])
        awaiting.append(.clientID)
        made.send(["SUBSCRIBE"] + channels)
        connection = made
        setupTimer = loop.schedule(after: ReplicationClient.setupSeconds * 1000) { [unowned self, unowned made] in
            self.setupTimer = nil
            self.driver.handle(.failed(made.stalled(after: ReplicationClient.setupSeconds)))
        }
        source = loop.watch(fd: made.fd, events: { [unowned made] in made.pollEvents }) { [unowned self] revents in
            self.readable(revents)
        }
    }

    private func readable(_ revents: Int16) {
        guard let connection else { return }
        let replies: [RedisValue]
        let time = now()
        // The messages of this wake-up, their bytes one after another in one buffer: one
        // allocation for them all, not one each.
        var bytes: [UInt8] = []
        var parts: [(channel: String, range: Range<Int>)] = []
        func add(_ channel: String, _ payload: some Collection<UInt8>) {
            let start = bytes.count
            bytes.append(contentsOf: payload)
            parts.append((channel, start..<bytes.count))
        }
        func messages() -> [WireMessage] {
            parts.map { WireMessage(channel: $0.channel, payload: bytes[$0.range], time: time) }
        }
        // Once subscribed, messages are taken where hiredis holds them; before, every reply
        // comes in order, so nothing is handed over ahead of the subscription.
        let subscribed = subscribedChannels == channels.count
        do throws(RedisConnectionError) {
            replies = try connection.handle(revents, message: !subscribed ? nil : { [channelBytes] channel, payload in
                add(channelBytes.first { $0.0.elementsEqual(channel) }?.1 ?? String(decoding: channel, as: UTF8.self),
                    payload)
            })
        } catch {
            if !parts.isEmpty { onMessages(messages()) }
            driver.handle(.failed(error.description))
            return
        }
        // What came before a status change is handed over first, and nothing once closed.
        func handOver() {
            if !parts.isEmpty && self.connection != nil { onMessages(messages()) }
            bytes = []
            parts = []
        }
        defer { handOver() }
        for reply in replies {
            if !awaiting.isEmpty, !isSubscription(reply) {
                switch awaiting.removeFirst() {
                case .auth:
                    if case .error(let message) = reply {
                        handOver()
                        driver.handle(.failed("Redis refused: \(message)"))
                        return
                    }
                case .clientID:
                    // A user that may not ask is no error: the buffer is then not shown.
                    if case .integer(let id) = reply { clientID = id }
                }
                continue
            }
            switch reply {
            case .array(let items) where items.count == 3:
                guard case .bulk(let kind?) = items[0] else { continue }
                if kind == Array("message".utf8), case .bulk(let channel?) = items[1],
                   case .bulk(let payload?) = items[2] {
                    add(String(decoding: channel, as: UTF8.self), payload)
                } else if kind == Array("subscribe".utf8) {
                    subscribedChannels += 1
                    if subscribedChannels == channels.count {
                        if let setupTimer { loop.cancel(setupTimer) }
                        setupTimer = nil
                        handOver()
                        driver.handle(.connected)
                    }
                }
            case .error(let message):
                // What came before the error first. AUTH and SUBSCRIBE errors name no secret;
                // Redis never echoes a password.
                handOver()
                driver.handle(.failed("Redis refused: \(message)"))
                return
            default:
                continue
            }
        }
    }

    private func isSubscription(_ reply: RedisValue) -> Bool {
        guard case .array(let items) = reply, items.count == 3, case .bulk(let kind?) = items[0] else { return false }
        return kind == Array("subscribe".utf8) || kind == Array("message".utf8)
    }

    private func close() {
        if let setupTimer { loop.cancel(setupTimer) }
        setupTimer = nil
        if let source { loop.unwatch(source) }
        source = nil
        connection = nil
    }

    /// Publishes `REPLICATE` once on the main channel, so every process announces its
    /// positions; the only thing syntop ever writes to Redis. `done` gets the number of
    /// receivers or an error.
    public func probe(serverName: String, done: @escaping (Result<Int64, RedisConnectionError>) -> Void) {
        RedisExchange.run([["PUBLISH", serverName, "REPLICATE"]], endpoint: endpoint, loop: loop) { result in
            done(result.flatMap { replies in
                switch replies.first {
                case .integer(let receivers): .success(receivers)
                case .error(let message): .failure(RedisConnectionError(description: message))
                default: .failure(RedisConnectionError(description: "unexpected reply to PUBLISH"))
                }
            })
        }
    }
}

/// Unix time in seconds, for stamping messages.
public func unixTime() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
